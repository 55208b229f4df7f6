"""Evaluate a training run's latest checkpoint (EMA generator) the way `train` evaluates the final style.

    .venv/bin/python tools/experiments/eval_checkpoint.py runs/vg_q2 [--frames 16]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from vst_desktop.evaluation.run import evaluate_style
from vst_desktop.training import checkpoint as ckpt
from vst_desktop.training.config import TrainConfig
from vst_desktop.training.export import export_onnx
from vst_desktop.training.models import build_generator


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("run")
    ap.add_argument("--frames", type=int, default=16)
    a = ap.parse_args()
    state = ckpt.load(ckpt.checkpoint_path(Path(a.run)))
    cfg = TrainConfig.from_dict(state["config"])
    g = build_generator(cfg.generator)
    g.load_state_dict(state["EMA"])
    with tempfile.TemporaryDirectory() as tmp:
        onnx = export_onnx(g, Path(tmp) / "s.onnx")
        r = evaluate_style(onnx, style_folder=cfg.styles_dir, max_frames=a.frames)
    keep = {k: r.get(k) for k in ("ewarp_ratio", "ewarp_per_clip", "texture_gain", "colour_gain", "content_edge_ssim")}
    print(json.dumps({"run": a.run, "step": state["step"], **keep}))


if __name__ == "__main__":
    main()

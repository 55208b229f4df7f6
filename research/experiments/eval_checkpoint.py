"""Evaluate a training run's latest checkpoint (EMA generator) the way `train` evaluates the final style.

    .venv/bin/python -m research.experiments.eval_checkpoint runs/vg_q2 [--frames 16] [--zero-residual]

`--zero-residual`: the generator with its last layer zeroed, i.e. the fixed stages alone (colour, planes).
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import torch

from vst_desktop.evaluation.run import evaluate_style
from vst_desktop.training import checkpoint as ckpt
from vst_desktop.training.export import export_onnx
from vst_desktop.training.models import build_generator
from vst_desktop.training.texture.marks import generator_stages
from vst_desktop.trainspec import layout
from vst_desktop.trainspec.config import TrainConfig


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("run")
    ap.add_argument("--frames", type=int, default=16)
    ap.add_argument("--zero-residual", action="store_true")
    a = ap.parse_args()
    state = ckpt.load(layout.checkpoint_path(Path(a.run)))
    cfg = TrainConfig.from_dict(state["config"])
    g = build_generator(cfg.generator, **generator_stages(cfg))
    g.load_state_dict(state["EMA"])
    if a.zero_residual:
        torch.nn.init.zeros_(g.last_conv.weight)
        torch.nn.init.zeros_(g.last_conv.bias)
    with tempfile.TemporaryDirectory() as tmp:
        onnx = export_onnx(g, Path(tmp) / "s.onnx")
        r = evaluate_style(onnx, style_folder=cfg.styles_dir, max_frames=a.frames)
    keep = {k: r.get(k) for k in ("ewarp_ratio", "ewarp_ratio_raw", "ewarp_per_clip", "texture_gain", "colour_gain",
                                  "content_edge_ssim")}
    print(json.dumps({"run": a.run, "step": state["step"], "zero_residual": a.zero_residual, **keep}))


if __name__ == "__main__":
    main()

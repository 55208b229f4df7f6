"""Export a finished run's generator again with the current code, beside the package it shipped with, and
say how far the two graphs' pictures are apart: for graph-only changes (the same arithmetic in fewer
operations), which must not change what a style paints.

    .venv/bin/python -m research.experiments.reexport RUN_DIR OUT.onnx

Prints max |difference| (grey levels) and the share of pixels that differ at all, on the export's parity
frames, between RUN_DIR/package/*.onnx and OUT.onnx.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from vst_desktop.training import checkpoint as ckpt
from vst_desktop.training.export import export_onnx, onnx_session, parity_frames, run_onnx
from vst_desktop.training.models import build_generator
from vst_desktop.training.texture.marks import generator_stages
from vst_desktop.trainspec import layout
from vst_desktop.trainspec.config import TrainConfig


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("run", type=Path)
    ap.add_argument("out", type=Path)
    a = ap.parse_args()
    state = ckpt.load(layout.checkpoint_path(a.run))
    cfg = TrainConfig.from_dict(state["config"])
    g = build_generator(cfg.generator, **generator_stages(cfg))
    g.load_state_dict(state["EMA"])
    export_onnx(g, a.out)
    shipped = onnx_session(next((a.run / layout.PACKAGE_DIR).glob("*.onnx")))
    again = onnx_session(a.out)
    diffs = [np.abs(run_onnx(shipped, f).astype(np.int16) - run_onnx(again, f).astype(np.int16))
             for f in parity_frames()]
    print(json.dumps({"run": str(a.run), "out": str(a.out), "max_diff": int(max(d.max() for d in diffs)),
                      "share_differing": round(float(np.mean([(d > 0).mean() for d in diffs])), 6)}))


if __name__ == "__main__":
    main()

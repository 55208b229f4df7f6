"""Flicker on a still-camera clip measured two ways: along the input's DIS flow (the `ewarp_ratio` the issue's
bars use) and with no motion at all (each output frame against the one before, unwarped). On a plain wall
DIS returns sub-pixel noise (about 0.3 px), and warping a frame-anchored texture by it counts as flicker
that the viewer does not see; the unwarped ratio says how much the picture itself changes.

    PYTHONPATH=. .venv/bin/python -m research.experiments.still_clip_flicker LABEL=path.onnx ...
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from research.experiments.analogy_score import MAX_FRAMES, VIDEO
from vst_desktop.evaluation import metrics
from vst_desktop.evaluation.media import read_clip
from vst_desktop.evaluation.stylizers import open_session


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("models", nargs="+", help="LABEL=path.onnx")
    ap.add_argument("--clip", default="bottle-detection.mp4")
    ap.add_argument("--json")
    args = ap.parse_args()
    frames = read_clip(VIDEO / args.clip, MAX_FRAMES)
    pairs = metrics.warp_pairs(frames)
    still = [(np.zeros_like(back), np.ones(back.shape[:2], bool)) for back, _ in pairs]
    report = {"clip": args.clip, "mean_abs_flow_px": round(float(np.mean([np.abs(b).mean() for b, _ in pairs])), 3)}
    print(report)
    for item in args.models:
        label, _, path = item.partition("=")
        session = open_session(Path(path), prefer_gpu=False)
        outs = [metrics._fit(session.run(f, 1.0), f) for f in frames]
        report[label] = {name: round(metrics.warping_error(outs, p) / metrics.warping_error(frames, p), 2)
                         for name, p in (("dis_flow", pairs), ("no_motion", still))}
        print(label, report[label], flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""ewarp_ratio of a style with and without the temporal stabiliser, on every shared clip.

    .venv/bin/python -m research.experiments.stabilizer_check STYLE.onnx [history_weight[:mismatch_level] ...]
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np

from vst_desktop.evaluation import metrics
from vst_desktop.evaluation.media import read_clip
from vst_desktop.evaluation.run import default_videos
from vst_desktop.evaluation.stylizers import as_stylizer
from vst_desktop.inference.temporal import TemporalStabilizer


def main():
    onnx = sys.argv[1]
    weights = sys.argv[2:] or ["0", "0.5", "0.7"]
    run, _ = as_stylizer(onnx, prefer_gpu=False)
    clips = {p.name: read_clip(p, max_frames=16) for p in default_videos()}
    pairs = {c: metrics.warp_pairs(f) for c, f in clips.items()}
    for spec in weights:
        hw, _, level = spec.partition(":")
        hw, level = float(hw), float(level or 12)
        res = {}
        ms = []
        for c, frames in clips.items():
            stab = TemporalStabilizer(history_weight=hw, mismatch_level=level)

            def styl(bgr, stab=stab, ms=ms):
                out = run(bgr)
                t = time.perf_counter()
                o = stab(bgr, out)
                ms.append((time.perf_counter() - t) * 1000)
                return o
            res[c] = metrics.ewarp_ratio(frames, styl, pairs[c])["ewarp_ratio"]
        print(json.dumps({"history_weight": hw, "mismatch_level": level, "mean": round(float(np.mean(list(res.values()))), 3),
                          "stab_ms_320": round(float(np.median(ms)), 2), **res}), flush=True)


if __name__ == "__main__":
    main()

"""Is a student's gain just sharpening? Score colour transform + unsharp mask on both critics.

    nice -n 5 .venv/bin/python -m research.experiments.texture_sharpen_check
"""

from __future__ import annotations

import json

import cv2
import numpy as np

from research.texture import common as tc
from research.texture import scoring

if __name__ == "__main__":
    sc = scoring.setup()
    val = list(tc.load_val().values())
    res = {}
    for name, amt in (("colour_only", 0.0), ("colour_unsharp_1.5", 1.5), ("colour_unsharp_3", 3.0)):
        outs = []
        for im in val:
            x = sc.colour.apply_np(im.astype(np.float32) / 255)
            x = x + amt * (x - cv2.GaussianBlur(x, (0, 0), 2.0))
            outs.append((np.clip(x, 0, 1) * 255).round().astype(np.uint8))
        res[name] = sc.scores(val, outs)
        print(name, res[name], flush=True)
    (tc.RUNS / "sharpen_check.json").write_text(json.dumps(res, indent=1))

"""How the stroke teacher's settings move the validated style score, per style folder (issue 7).

For each folder: fit the colour transform, paint 10 content *training* photos with each setting, and
report texture_gain (evaluation critic) and content_edge_ssim. Photos from content/val are never used.

    .venv/bin/python tools/experiments/stroke_tune.py van_gogh ukiyo_e
"""

from __future__ import annotations

import itertools
import json
import sys
import time
from pathlib import Path

import numpy as np

from vst_desktop.evaluation import metrics
from vst_desktop.evaluation.media import image_files, read_image
from vst_desktop.evaluation.run import critic_for, default_train_photos_dir, model_sized
from vst_desktop.evaluation.style_score import texture_gain
from vst_desktop.training.texture.colour import fit_colour_transform, sample_pixels
from vst_desktop.training.texture.strokes import paint_float

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
GRID = {"r": [3], "amp": [0.35, 0.5, 0.7, 0.9], "length": [3, 4], "lines": [0.5, 1.0], "width": [1.0]}


def main() -> None:
    styles = sys.argv[1:] or ["van_gogh"]
    photo_files = image_files(default_train_photos_dir())[::9][:10]
    photos = [model_sized(read_image(p)) for p in photo_files]  # BGR uint8
    rgb = [p[..., ::-1].astype(np.float32) / 255.0 for p in photos]
    for style in styles:
        folder = DATA / "styles" / style
        t0 = time.time()
        critic = critic_for(folder)
        style_imgs = [read_image(p)[..., ::-1] for p in image_files(folder)]
        ct = fit_colour_transform(sample_pixels([(x * 255).astype(np.uint8) for x in rgb]), sample_pixels(style_imgs))
        base = [ct.apply_np(x) for x in rgb]
        to_bgr = lambda ims: [np.ascontiguousarray((np.clip(i, 0, 1)[..., ::-1] * 255).round().astype(np.uint8)) for i in ims]  # noqa: E731
        colour_only = texture_gain(critic, photos, to_bgr(base))["texture_gain"]
        rows = []
        for r, amp, length, lines, width in itertools.product(*GRID.values()):
            out = to_bgr([paint_float(b, r, amp, length, lines, width) for b in base])
            tg = texture_gain(critic, photos, out)["texture_gain"]
            es = float(np.mean([metrics.content_edge_ssim(p, o) for p, o in zip(photos, out, strict=True)]))
            rows.append({"r": r, "amp": amp, "length": length, "lines": lines, "width": width, "tg": round(tg, 3), "edge_ssim": round(es, 3)})
        rows.sort(key=lambda d: -d["tg"])
        print(json.dumps({"style": style, "colour_only_tg": colour_only, "s": round(time.time() - t0, 1),
                          "top": rows[:8], "worst": rows[-3:]}), flush=True)


if __name__ == "__main__":
    main()

"""Where does the stroke flicker come from: the noise (screen-fixed vs advected) or the stroke direction?

Variants on the face clip (16 frames): tangent field smoothed more (tan_sigma 8) and strokes gated by the
structure strength (no strokes where the direction is undefined).

    nice -n 5 .venv/bin/python tools/experiments/texture_advect2.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import texture_common as tc  # noqa: E402

from vst_desktop.training.texture.colour import fit_colour_transform, sample_pixels  # noqa: E402
from vst_desktop.training.texture.strokes import advect_noise, kuwahara, lic, make_noise, tangent_field  # noqa: E402


def render(f, ct, n, amp, tan_sigma, gate, r=4):
    x = ct.apply_np(f.astype(np.float32) / 255)
    flat = kuwahara(x, r)
    tan = tangent_field(flat, tan_sigma)
    s = lic(n, tan, 10) / 0.13
    if gate:
        g = cv2.cvtColor(flat, cv2.COLOR_RGB2GRAY)
        gx, gy = cv2.Sobel(g, cv2.CV_32F, 1, 0), cv2.Sobel(g, cv2.CV_32F, 0, 1)
        e = np.sqrt(cv2.GaussianBlur(gx * gx + gy * gy, (0, 0), tan_sigma))
        s = s * np.clip(e / gate, 0, 1)
    return (np.clip(flat + amp * s[..., None], 0, 1) * 255).round().astype(np.uint8)


if __name__ == "__main__":
    cv2.setNumThreads(1)
    held = tc.HELD_OUT["van_gogh"]
    ct = fit_colour_transform(sample_pixels(tc.load_folder(tc.DATA / "content" / "train", 256)),
                              sample_pixels(tc.load_folder(tc.style_dir("van_gogh"), 256, exclude=held)))
    clip = tc.load_clip(16)
    h, w = clip[0].shape[:2]
    res, rows = {}, []
    for name, adv, ts, gate in (("fixed_ts8", False, 8, 0), ("advected_ts8", True, 8, 0),
                                ("advected_ts8_gate", True, 8, 0.15), ("fixed_ts8_gate", False, 8, 0.15)):
        n = make_noise(h, w)
        outs = []
        for t, f in enumerate(clip):
            if adv and t > 0:
                n = advect_noise(n, clip[t - 1], f)
            outs.append(render(f, ct, n, 0.12, ts, gate))
        res[name] = round(tc.ewarp(clip, outs)[0], 3)
        print(name, res[name], flush=True)
        rows.append([outs[2], outs[8], outs[15]])
    tc.sheet([clip[2], clip[8], clip[15]], rows, tc.RUNS / "advect2_clip.jpg")
    (tc.RUNS / "advect2.json").write_text(json.dumps(res, indent=1))

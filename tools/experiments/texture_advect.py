"""Can a noise-driven stroke layer hold still on video if its noise moves with the content?

The LIC-of-noise teacher passes both critics (gain ~1) but flickers badly with a screen-fixed noise map.
Here the noise map is advected from frame to frame with optical flow (DIS ultrafast at half resolution,
not the metric's own DIS-medium at full resolution) and slightly refreshed, as in texture advection for
video NPR (Bousseau et al. 2007). Reports ewarp_ratio on the face clip for fixed vs advected noise.

    nice -n 5 .venv/bin/python tools/experiments/texture_advect.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import texture_common as tc  # noqa: E402
from texture_distill import noise_map  # noqa: E402
from texture_teacher import paint  # noqa: E402

from vst_desktop.training.texture.colour import fit_colour_transform, sample_pixels  # noqa: E402


def advect(prev_noise: np.ndarray, f_prev: np.ndarray, f_cur: np.ndarray, dis, refresh: float,
           rng: np.random.Generator) -> np.ndarray:
    h, w = f_cur.shape[:2]
    g0 = cv2.cvtColor(cv2.resize(f_prev, (w // 2, h // 2), interpolation=cv2.INTER_AREA), cv2.COLOR_RGB2GRAY)
    g1 = cv2.cvtColor(cv2.resize(f_cur, (w // 2, h // 2), interpolation=cv2.INTER_AREA), cv2.COLOR_RGB2GRAY)
    flow = cv2.resize(dis.calc(g1, g0, None), (w, h)) * 2.0  # where each pixel of cur was in prev
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    n = cv2.remap(prev_noise, gx + flow[..., 0], gy + flow[..., 1], cv2.INTER_LINEAR,
                  borderMode=cv2.BORDER_REFLECT)
    fresh = cv2.GaussianBlur(rng.standard_normal((h, w)).astype(np.float32), (0, 0), 1.0)
    n = np.sqrt(1 - refresh) * n + np.sqrt(refresh) * fresh
    return n * (0.284 / (n.std() + 1e-6))  # bilinear resampling lowers contrast: keep it constant


if __name__ == "__main__":
    cv2.setNumThreads(1)
    held = tc.HELD_OUT["van_gogh"]
    ct = fit_colour_transform(sample_pixels(tc.load_folder(tc.DATA / "content" / "train", 256)),
                              sample_pixels(tc.load_folder(tc.style_dir("van_gogh"), 256, exclude=held)))
    clip = tc.load_clip(16)
    h, w = clip[0].shape[:2]
    dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_ULTRAFAST)
    res, rows = {}, []
    for name, refresh, amp in (("fixed_noise_a012", None, 0.12), ("advected_a012_r0", 0.0, 0.12),
                               ("advected_a012_r002", 0.02, 0.12), ("advected_a006_r0", 0.0, 0.06)):
        rng = np.random.default_rng(0)
        n = noise_map(h, w)
        outs = []
        for t, f in enumerate(clip):
            if refresh is not None and t > 0:
                n = advect(n, clip[t - 1], f, dis, refresh, rng)
            outs.append(paint(f, ct, source="noise", amp=amp, noise_map=n))
        res[name] = round(tc.ewarp(clip, outs)[0], 3)
        print(name, res[name], flush=True)
        rows.append([outs[2], outs[8], outs[15]])
    tc.sheet([clip[2], clip[8], clip[15]], rows, tc.RUNS / "advect_clip.jpg")
    (tc.RUNS / "advect.json").write_text(json.dumps(res, indent=1))

"""Can noise-driven strokes hold still on video? Where does their flicker come from: the noise or the
stroke direction?

ewarp_ratio on the face clip (16 frames) of the LIC-of-noise teacher, van_gogh colour transform:

- `--part noise`: a screen-fixed noise map against one advected from frame to frame with optical flow (DIS
  ultrafast at half resolution) and optionally refreshed, as in texture advection for video NPR (Bousseau
  et al. 2007), at stroke amplitudes 0.12 and 0.06;
- `--part direction`: the tangent field smoothed more (sigma 8), fixed or advected noise, with and without
  gating the strokes by the structure strength (no strokes where the direction is undefined).

    nice -n 5 .venv/bin/python -m research.experiments.texture_advect --part noise
    nice -n 5 .venv/bin/python -m research.experiments.texture_advect --part direction
"""

from __future__ import annotations

import argparse
import json

import cv2
import numpy as np

from research.experiments.texture_teacher import paint
from research.texture import common as tc
from research.texture.noise_strokes import advect_noise, make_noise
from vst_desktop.training.texture.colour import fit_colour_transform, sample_pixels
from vst_desktop.training.texture.strokes import kuwahara, lic, tangent_field


def render_gated(f, ct, n, amp, tan_sigma, gate, r=4):
    """The noise teacher with its own tangent smoothing, strokes faded out where the structure is weak."""
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


def part_noise(clip, ct) -> tuple[dict, list]:
    h, w = clip[0].shape[:2]
    dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_ULTRAFAST)
    res, rows = {}, []
    for name, refresh, amp in (("fixed_noise_a012", None, 0.12), ("advected_a012_r0", 0.0, 0.12),
                               ("advected_a012_r002", 0.02, 0.12), ("advected_a006_r0", 0.0, 0.06)):
        rng = np.random.default_rng(0)
        n = make_noise(h, w, seed=1234)  # the same map texture_distill's student was fed
        outs = []
        for t, f in enumerate(clip):
            if refresh is not None and t > 0:
                n = advect_noise(n, clip[t - 1], f, dis, refresh, rng)
            outs.append(paint(f, ct, source="noise", amp=amp, noise_map=n))
        res[name] = round(tc.ewarp(clip, outs)[0], 3)
        print(name, res[name], flush=True)
        rows.append([outs[2], outs[8], outs[15]])
    return res, rows


def part_direction(clip, ct) -> tuple[dict, list]:
    h, w = clip[0].shape[:2]
    res, rows = {}, []
    for name, adv, ts, gate in (("fixed_ts8", False, 8, 0), ("advected_ts8", True, 8, 0),
                                ("advected_ts8_gate", True, 8, 0.15), ("fixed_ts8_gate", False, 8, 0.15)):
        n = make_noise(h, w)
        outs = []
        for t, f in enumerate(clip):
            if adv and t > 0:
                n = advect_noise(n, clip[t - 1], f)
            outs.append(render_gated(f, ct, n, 0.12, ts, gate))
        res[name] = round(tc.ewarp(clip, outs)[0], 3)
        print(name, res[name], flush=True)
        rows.append([outs[2], outs[8], outs[15]])
    return res, rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--part", choices=["noise", "direction"], default="noise")
    a = ap.parse_args()
    cv2.setNumThreads(1)
    held = tc.HELD_OUT["van_gogh"]
    ct = fit_colour_transform(sample_pixels(tc.load_folder(tc.DATA / "content" / "train", 256)),
                              sample_pixels(tc.load_folder(tc.style_dir("van_gogh"), 256, exclude=held)))
    clip = tc.load_clip(16)
    res, rows = (part_noise if a.part == "noise" else part_direction)(clip, ct)
    tag = "advect" if a.part == "noise" else "advect2"
    tc.sheet([clip[2], clip[8], clip[15]], rows, tc.RUNS / f"{tag}_clip.jpg")
    (tc.RUNS / f"{tag}.json").write_text(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()

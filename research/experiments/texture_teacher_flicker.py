"""Flicker of the painterly teacher on the face clip: fixed screen-space noise vs the input's own detail.

    nice -n 5 .venv/bin/python -m research.experiments.texture_teacher_flicker
"""

from __future__ import annotations

import json

import cv2

from research.experiments.texture_teacher import paint
from research.texture import common as tc
from vst_desktop.training.texture.colour import fit_colour_transform, sample_pixels

if __name__ == "__main__":
    cv2.setNumThreads(1)
    held = tc.HELD_OUT["van_gogh"]
    ct = fit_colour_transform(sample_pixels(tc.load_folder(tc.DATA / "content" / "train", 256)),
                              sample_pixels(tc.load_folder(tc.style_dir("van_gogh"), 256, exclude=held)))
    clip = tc.load_clip(24)
    res = {}
    rows = []
    for name, kw in {"colour_only": dict(amp=0.0, r=0), "kuwahara_r4": dict(amp=0.0),
                     "lic_noise_a012": dict(source="noise", amp=0.12),
                     "lic_noise_a006": dict(source="noise", amp=0.06),
                     "lic_input_a020_r6": dict(source="input", amp=0.20, r=6)}.items():
        outs = [paint(f, ct, **kw) for f in clip]
        res[name] = round(tc.ewarp(clip, outs)[0], 3)
        print(name, res[name], flush=True)
        rows.append([outs[3], outs[12], outs[20]])
    tc.sheet([clip[3], clip[12], clip[20]], rows, tc.RUNS / "teacher_clip.jpg")
    (tc.RUNS / "teacher_flicker.json").write_text(json.dumps(res, indent=1))

"""Stable-teacher sweep: style gain on val photos (both critics) and flicker on the face clip per variant.

    nice -n 5 .venv/bin/python -m research.experiments.texture_teacher_sweep
"""

from __future__ import annotations

import json
import sys

import cv2
import torch

from research.experiments.texture_teacher import paint
from research.texture import common as tc
from research.texture.critic import PaintingCritic, gain
from vst_desktop.evaluation.style_critic import train_critic
from vst_desktop.evaluation.style_score import texture_gain
from vst_desktop.training.texture.colour import fit_colour_transform, sample_pixels

VARIANTS_ISO = {
    "iso_k12_a12": dict(source="isophote", detail_gain=12, detail_sigma=2.0, tan_sigma=5, amp=0.12, r=6),
    "iso_k24_a12": dict(source="isophote", detail_gain=24, detail_sigma=2.0, tan_sigma=5, amp=0.12, r=6),
    "iso_k24_a20_r4": dict(source="isophote", detail_gain=24, detail_sigma=1.5, tan_sigma=5, amp=0.20, r=4),
}
VARIANTS = {
    "flat_detail_t01_s5": dict(source="input", detail_from="flat", tau=0.01, tan_sigma=5, amp=0.15, r=6, detail_gain=20),
    "input_detail_t02_s5": dict(source="input", detail_from="input", tau=0.02, tan_sigma=5, amp=0.15, r=6,
                                detail_gain=20, detail_sigma=3.0),
    "flat_detail_t02_s5_a25": dict(source="input", detail_from="flat", tau=0.02, tan_sigma=5, amp=0.25, r=6,
                                   detail_gain=20, detail_sigma=3.0),
}

if __name__ == "__main__":
    cv2.setNumThreads(1)
    torch.set_num_threads(1)
    held = tc.HELD_OUT["van_gogh"]
    ct = fit_colour_transform(sample_pixels(tc.load_folder(tc.DATA / "content" / "train", 256)),
                              sample_pixels(tc.load_folder(tc.style_dir("van_gogh"), 256, exclude=held)))
    crit = PaintingCritic()
    crit.load_state_dict(torch.load(tc.RUNS / "critic_van_gogh_s0.pt", weights_only=True))
    ref = json.loads((tc.RUNS / "critic_van_gogh_s0.json").read_text())
    ec = train_critic(tc.style_dir("van_gogh"), tc.DATA / "content" / "train", cache_dir=tc.RUNS / "eval_cache")
    val = tc.load_val()
    clip = tc.load_clip(16)
    bgr = lambda ims: [im[..., ::-1].copy() for im in ims]  # noqa: E731
    res, rows = {}, []
    variants = VARIANTS_ISO if "--iso" in sys.argv else VARIANTS
    tag = "_iso" if "--iso" in sys.argv else ""
    for name, kw in variants.items():
        outs = {k: paint(v, ct, **kw) for k, v in val.items()}
        p = crit.score_many(list(outs.values()))
        cl = [paint(f, ct, **kw) for f in clip]
        res[name] = {"gain": round(gain(p, ref["p_val_photos"], ref["p_heldout_paintings"]), 3),
                     "eval_texture_gain": texture_gain(ec, bgr(list(val.values())), bgr(list(outs.values())))["texture_gain"],
                     "ewarp_ratio": round(tc.ewarp(clip, cl)[0], 3), "edge_ssim": round(float(sum(
                         tc.edge_ssim(val[k], outs[k]) for k in val) / len(val)), 3), "kw": kw}
        print(name, res[name], flush=True)
        rows.append([outs[k] for k in tc.SHEET_NAMES] + [cl[8]])
    tc.sheet([val[k] for k in tc.SHEET_NAMES] + [clip[8]], rows, tc.RUNS / f"teacher_sweep{tag}.jpg")
    (tc.RUNS / f"teacher_sweep{tag}.json").write_text(json.dumps(res, indent=1))

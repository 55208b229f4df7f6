"""Stable-teacher sweep: style gain on val photos (both critics) and flicker on the face clip per variant.

    nice -n 5 .venv/bin/python -m research.experiments.texture_teacher_sweep
"""

from __future__ import annotations

import json
import sys

from research.experiments.texture_teacher import paint
from research.texture import common as tc
from research.texture import scoring

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
    sc = scoring.setup()
    val = tc.load_val()
    clip = tc.load_clip(16)
    res, rows = {}, []
    variants = VARIANTS_ISO if "--iso" in sys.argv else VARIANTS
    tag = "_iso" if "--iso" in sys.argv else ""
    for name, kw in variants.items():
        outs = {k: paint(v, sc.colour, **kw) for k, v in val.items()}
        cl = [paint(f, sc.colour, **kw) for f in clip]
        res[name] = {**sc.scores(list(val.values()), list(outs.values())),
                     "ewarp_ratio": round(tc.ewarp(clip, cl)[0], 3), "edge_ssim": round(float(sum(
                         tc.edge_ssim(val[k], outs[k]) for k in val) / len(val)), 3), "kw": kw}
        print(name, res[name], flush=True)
        rows.append([outs[k] for k in tc.SHEET_NAMES] + [cl[8]])
    tc.sheet([val[k] for k in tc.SHEET_NAMES] + [clip[8]], rows, tc.RUNS / f"teacher_sweep{tag}.jpg")
    (tc.RUNS / f"teacher_sweep{tag}.json").write_text(json.dumps(res, indent=1))

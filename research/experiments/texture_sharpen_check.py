"""Is a student's gain just sharpening? Score colour transform + unsharp mask on both critics.

    nice -n 5 .venv/bin/python -m research.experiments.texture_sharpen_check
"""

from __future__ import annotations

import json

import cv2
import numpy as np
import torch

from research.texture import common as tc
from research.texture.critic import PaintingCritic, gain
from vst_desktop.evaluation.style_critic import train_critic
from vst_desktop.evaluation.style_score import texture_gain
from vst_desktop.training.texture.colour import fit_colour_transform, sample_pixels

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
    val = list(tc.load_val().values())
    bgr = lambda ims: [im[..., ::-1].copy() for im in ims]  # noqa: E731
    res = {}
    for name, amt in (("colour_only", 0.0), ("colour_unsharp_1.5", 1.5), ("colour_unsharp_3", 3.0)):
        outs = []
        for im in val:
            x = ct.apply_np(im.astype(np.float32) / 255)
            x = x + amt * (x - cv2.GaussianBlur(x, (0, 0), 2.0))
            outs.append((np.clip(x, 0, 1) * 255).round().astype(np.uint8))
        p = crit.score_many(outs)
        res[name] = {"gain": round(gain(p, ref["p_val_photos"], ref["p_heldout_paintings"]), 3),
                     "eval_texture_gain": texture_gain(ec, bgr(val), bgr(outs))["texture_gain"]}
        print(name, res[name], flush=True)
    (tc.RUNS / "sharpen_check.json").write_text(json.dumps(res, indent=1))

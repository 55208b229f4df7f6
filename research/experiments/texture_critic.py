"""Train the per-folder painting-vs-photo critic and validate it on known cases.

    nice -n 5 .venv/bin/python -m research.experiments.texture_critic --style van_gogh
"""

from __future__ import annotations

import argparse
import json
import os
import time

import cv2
import numpy as np
import torch

from research.texture.common import DATA, HELD_OUT, RUNS, load_folder, load_val, style_dir
from research.texture.critic import PaintingCritic, gain
from vst_desktop.training.texture.colour import fit_colour_transform, sample_pixels


def known_cases(val: list[np.ndarray], ct, rng) -> dict[str, list[np.ndarray]]:
    f = [im.astype(np.float32) / 255 for im in val]
    u8 = lambda x: (np.clip(x, 0, 1) * 255).round().astype(np.uint8)  # noqa: E731
    return {
        "colour_only_mkl": [u8(ct.apply_np(x)) for x in f],
        "warm_cast": [u8(x * np.array([1.15, 1.0, 0.75])) for x in f],
        "sharpen": [u8(x + 1.5 * (x - cv2.GaussianBlur(x, (0, 0), 2))) for x in f],
        "blur": [u8(cv2.GaussianBlur(x, (0, 0), 2)) for x in f],
        "noise": [u8(x + rng.normal(0, 0.08, x.shape)) for x in f],
        "cv2_stylization": [cv2.stylization(im, sigma_s=40, sigma_r=0.45) for im in val],
        "oilpaint_like_mean_shift": [cv2.pyrMeanShiftFiltering(im, 8, 24) for im in val],
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--style", default="van_gogh")
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no_hard_neg", action="store_true")
    ap.add_argument("--tag", default="")
    a = ap.parse_args()
    torch.set_num_threads(int(os.environ.get('TEXTURE_THREADS', '2')))
    cv2.setNumThreads(1)
    t0 = time.time()
    held = HELD_OUT.get(a.style, ())
    paint = load_folder(style_dir(a.style), exclude=held)
    all_ims = load_folder(style_dir(a.style))
    names = sorted(p.name for p in style_dir(a.style).iterdir())
    held_ims = [im for im, n in zip(all_ims, names, strict=True) if n in held]
    photos = load_folder(DATA / "content" / "train")
    val = list(load_val().values())
    critic = PaintingCritic(seed=a.seed)
    critic.fit(paint, photos, steps=a.steps, log_every=50, hard_neg=not a.no_hard_neg)
    RUNS.mkdir(parents=True, exist_ok=True)
    torch.save(critic.state_dict(), RUNS / f"critic_{a.style}_s{a.seed}{a.tag}.pt")
    ct = fit_colour_transform(sample_pixels(photos), sample_pixels(paint))
    p_photo = critic.score_many(val)
    p_held = critic.score_many(held_ims) if held_ims else float("nan")
    res = {"style": a.style, "seed": a.seed, "hard_neg": not a.no_hard_neg, "train_s": round(time.time() - t0, 1),
           "p_val_photos": p_photo, "p_heldout_paintings": p_held,
           "p_train_paintings": critic.score_many(paint)}
    for k, ims in known_cases(val, ct, np.random.default_rng(0)).items():
        p = critic.score_many(ims)
        res[f"p_{k}"] = p
        res[f"gain_{k}"] = gain(p, p_photo, p_held)
    for other in ("van_gogh", "monet", "ukiyo_e", "ink_sketch"):
        if other != a.style:
            res[f"p_other_{other}"] = critic.score_many(load_folder(style_dir(other)))
    print(json.dumps(res, indent=1))
    (RUNS / f"critic_{a.style}_s{a.seed}{a.tag}.json").write_text(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()

"""A deterministic, local painterly teacher and its score on the critic.

Per image, no search across the style images: (1) the style's global colour transform; (2) flat paint
regions by a Kuwahara filter; (3) strokes: line-integral convolution (LIC) of a source texture along the
edge tangent of the structure tensor, added to the luminance. The source texture is either the photo's
own detail (`--source input`: a deterministic function of the input, so a student can learn it) or a
fixed white noise (`--source noise`: what a real painter's canvas looks like, but not predictable).

    nice -n 5 .venv/bin/python -m research.experiments.texture_teacher --style van_gogh
"""

from __future__ import annotations

import argparse
import json

import cv2
import numpy as np
import torch

from research.texture import common as tc
from research.texture.critic import PaintingCritic, gain
from vst_desktop.training.texture.colour import fit_colour_transform, sample_pixels
from vst_desktop.training.texture.strokes import kuwahara, lic, tangent_field


def paint(img_u8: np.ndarray, ct, source: str = "input", r: int = 4, length: int = 10, amp: float = 0.12,
          seed: int = 0, detail_gain: float = 8.0, noise_map: np.ndarray | None = None,
          detail_from: str = "input", tau: float = 0.0, tan_sigma: float = 3.0, detail_sigma: float = 2.0) -> np.ndarray:
    x = ct.apply_np(img_u8.astype(np.float32) / 255)
    flat = kuwahara(x, r)
    tan = tangent_field(flat, tan_sigma)
    if source == "isophote":
        # bands along the iso-lines of the smoothed luminance: a deterministic, noise-free function of the
        # content that moves with it; a second band family on a chroma channel breaks them into strokes
        lab = cv2.cvtColor(flat, cv2.COLOR_RGB2LAB)
        lum = cv2.GaussianBlur(lab[..., 0] / 100.0, (0, 0), detail_sigma)
        chroma = cv2.GaussianBlur(lab[..., 1] / 128.0 + lab[..., 2] / 128.0, (0, 0), detail_sigma * 2)
        n = np.sin(2 * np.pi * detail_gain * lum) * (0.6 + 0.4 * np.sin(2 * np.pi * detail_gain * 0.7 * chroma))
    elif source == "noise" and noise_map is not None:
        n = noise_map
    elif source == "noise":
        rng = np.random.default_rng(seed)
        n = cv2.GaussianBlur(rng.standard_normal(x.shape[:2]).astype(np.float32), (0, 0), 1.0)
    else:
        g = cv2.cvtColor(flat if detail_from == "flat" else x, cv2.COLOR_RGB2GRAY)
        d = g - cv2.GaussianBlur(g, (0, 0), detail_sigma)
        if tau > 0:  # soft threshold: detail at the level of sensor noise / dithering makes no stroke
            d = np.sign(d) * np.maximum(np.abs(d) - tau, 0)
        n = np.tanh(detail_gain * d)
    s = lic(n, tan, length)
    if source == "isophote":
        s = s / 0.5
    elif source == "input" and tau > 0:
        s = s / 0.1  # fixed scale: a per-frame normalisation would pump the texture on video
    else:
        s = s / (s.std() + 1e-6) if noise_map is None else s / 0.13  # fixed scale (measured std): crops of one map agree
    out = flat + amp * s[..., None]
    return (np.clip(out, 0, 1) * 255).round().astype(np.uint8)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--style", default="van_gogh")
    a = ap.parse_args()
    torch.set_num_threads(1)
    cv2.setNumThreads(1)
    held = tc.HELD_OUT.get(a.style, ())
    ct = fit_colour_transform(sample_pixels(tc.load_folder(tc.DATA / "content" / "train", 256)),
                              sample_pixels(tc.load_folder(tc.style_dir(a.style), 256, exclude=held)))
    crit_path = tc.RUNS / f"critic_{a.style}_s0.pt"
    crit = None
    if crit_path.with_suffix(".json").is_file():
        crit = PaintingCritic()
        crit.load_state_dict(torch.load(crit_path, weights_only=True))
        ref = json.loads((tc.RUNS / f"critic_{a.style}_s0.json").read_text())
    from vst_desktop.evaluation.style_critic import train_critic
    from vst_desktop.evaluation.style_score import texture_gain
    ec = train_critic(tc.style_dir(a.style), tc.DATA / "content" / "train", cache_dir=tc.RUNS / "eval_cache")
    bgr = lambda ims: [im[..., ::-1].copy() for im in ims]  # noqa: E731
    val = tc.load_val()
    variants = {
        "kuwahara_only": dict(amp=0.0),
        "lic_input_a012": dict(source="input", amp=0.12),
        "lic_noise_a012": dict(source="noise", amp=0.12),
        "lic_noise_a020_r6": dict(source="noise", amp=0.20, r=6),
        "lic_input_a020_r6": dict(source="input", amp=0.20, r=6),
    }
    res = {}
    rows = []
    for name, kw in variants.items():
        outs = {k: paint(v, ct, **kw) for k, v in val.items()}
        res[name] = {"eval_texture_gain": texture_gain(ec, bgr(list(val.values())), bgr(list(outs.values())))["texture_gain"]}
        if crit is not None:
            p = crit.score_many(list(outs.values()))
            res[name].update({"p": p, "gain": gain(p, ref["p_val_photos"], ref["p_heldout_paintings"])})
        print(name, res[name], flush=True)
        rows.append([outs[n] for n in tc.SHEET_NAMES])
    tc.sheet([val[n] for n in tc.SHEET_NAMES], rows, tc.RUNS / f"teacher_{a.style}.jpg")
    (tc.RUNS / f"teacher_{a.style}.json").write_text(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()

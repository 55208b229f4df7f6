"""Style scores on a 0..1 scale: 0 = the photo unchanged toward the style, 1 = like the style itself.

- `texture_gain`: from the per-folder painting-vs-photo critic (`style_critic`), colour-blind, so a
  colour filter scores about 0; 1 = as painted as the folder's held-out paintings (the folder's ceiling,
  reported beside it). NaN, with a `reason`, when the ceiling is not clearly above the inputs' own score
  (`evaluate` prints it as null); callers that rank with it treat NaN as "cannot judge".
- `colour_gain`: sliced Wasserstein distance of Lab pixel colours to the style images, relative to the
  photos' own distance, so a palette moved toward the style is clearly positive.
"""

from __future__ import annotations

import cv2
import numpy as np

from vst_desktop.evaluation.style_critic import StyleCritic

MIN_CEILING_SEPARATION = 0.15  # below this the folder's held-out paintings barely beat photos: gain is noisy


def texture_gain(critic: StyleCritic, photos: list[np.ndarray], stylized: list[np.ndarray]) -> dict:
    """(P(stylized) - P(photo)) / (P(held-out painting) - P(photo)), every P averaged over the fold critics."""
    p_photo = float(np.mean(critic.fold_probas(photos)))
    p_styl = float(np.mean(critic.fold_probas(stylized)))
    p_held = critic.heldout_mean
    separation = p_held - p_photo
    reliable = separation >= MIN_CEILING_SEPARATION
    # An unreliable ceiling divides by almost nothing (ink-sketch once read 9.78): no number then, a reason.
    gain = round((p_styl - p_photo) / separation, 4) if reliable else float("nan")
    out = {
        "texture_gain": gain,
        "p_stylized": round(p_styl, 4),
        "p_photo": round(p_photo, 4),
        "p_heldout_painting": round(p_held, 4),
        "ceiling_separation": round(separation, 4),
        "reliable": bool(reliable),
        "method": critic.method,
        "heldout_per_piece": {n: round(p, 4) for n, p in zip(critic.piece_names, critic.heldout_proba, strict=True)},
    }
    if not reliable:
        out["reason"] = (f"unreliable ceiling: the folder's held-out paintings score P {p_held:.3f}, these inputs "
                         f"P {p_photo:.3f} (separation {separation:.3f} < {MIN_CEILING_SEPARATION}); a gain would "
                         "be noise divided by almost nothing")
    return out


def _lab_pixels(images: list[np.ndarray], n: int, seed: int) -> np.ndarray:
    """`n` Lab colours (L 0..100, a/b about -128..127) sampled evenly over the images. The same seed
    picks the same pixel positions in same-sized images, so photo and stylized samples are paired."""
    rng = np.random.default_rng(seed)
    per = max(1, n // len(images))
    out = []
    for img in images:
        lab = cv2.cvtColor(img.astype(np.float32) / 255.0, cv2.COLOR_BGR2LAB).reshape(-1, 3)
        out.append(lab[rng.integers(0, len(lab), per)])
    return np.concatenate(out)


def sliced_wasserstein(a: np.ndarray, b: np.ndarray, n_dirs: int = 64, seed: int = 0) -> float:
    """Mean over random unit directions of the 1-D Wasserstein-1 distance of the projections."""
    rng = np.random.default_rng(seed)
    dirs = rng.standard_normal((a.shape[1], n_dirs))
    dirs /= np.linalg.norm(dirs, axis=0, keepdims=True)
    q = np.linspace(0.0, 1.0, 257)[1:-1]
    pa = np.quantile(a @ dirs, q, axis=0)
    pb = np.quantile(b @ dirs, q, axis=0)
    return float(np.abs(pa - pb).mean())


def colour_gain(style_images: list[np.ndarray], photos: list[np.ndarray], stylized: list[np.ndarray],
                n_pixels: int = 60000, seed: int = 0) -> dict:
    """1 - d(stylized, style) / d(photo, style) on Lab colours, clipped below at -1."""
    style = _lab_pixels(style_images, n_pixels, seed + 1)
    d_photo = sliced_wasserstein(_lab_pixels(photos, n_pixels, seed), style, seed=seed)
    d_out = sliced_wasserstein(_lab_pixels(stylized, n_pixels, seed), style, seed=seed)
    gain = 1.0 - d_out / d_photo if d_photo > 1e-9 else 0.0
    return {"colour_gain": round(max(-1.0, gain), 4), "lab_swd_photo": round(d_photo, 3),
            "lab_swd_stylized": round(d_out, 3)}

"""Patch features for style identification: the critic's texture features, optional mark statistics, colour.

Grey mode must not see colour: every grey feature is computed on the grey patch and is a ratio (or a
fraction of pixels relative to the patch's own contrast), so a palette change, a tone curve or a colour
matrix leaves it nearly unchanged. Colour mode appends Lab statistics of the same patch.

Feature sets (the grey one used by default was chosen by leave-one-image-out on the paintings,
docs/research/identification.md):

- `critic`: the critic's 20 texture features (Gabor energy shape over scales and orientations,
  orientedness, peakedness, cross-scale alignment; `texture_features.py`).
- `marks`: `critic` plus how the patch's marks are laid out: the share of flat pixels and of strong
  edges relative to the patch contrast (ukiyo-e's flat fields with clean contours versus Monet's broken
  colour) and the coherence of the gradient orientation at two window sizes (van Gogh's parallel dashes).
"""

from __future__ import annotations

import cv2
import numpy as np

from vst_desktop.evaluation.texture_features import EPS, PATCH, _tiles, feature_count, grey, patch_features

GREY_SETS = ("critic", "marks")
FLAT_STD = 1.0 / 255  # a patch flatter than one grey level carries no marks at all: no evidence either way
N_MARKS = 5
N_COLOUR = 7


def _crop(img: np.ndarray, offset: tuple[int, int]) -> tuple[np.ndarray, int, int]:
    oy, ox = offset
    img = img[oy:, ox:]
    rows, cols = img.shape[0] // PATCH, img.shape[1] // PATCH
    return img[: rows * PATCH, : cols * PATCH], rows, cols


def _coherence(gx: np.ndarray, gy: np.ndarray, sigma: float) -> np.ndarray:
    """Structure-tensor coherence (0 = no dominant orientation, 1 = all gradients parallel) per pixel."""
    jxx = cv2.GaussianBlur(gx * gx, (0, 0), sigma)
    jyy = cv2.GaussianBlur(gy * gy, (0, 0), sigma)
    jxy = cv2.GaussianBlur(gx * gy, (0, 0), sigma)
    return np.sqrt((jxx - jyy) ** 2 + 4 * jxy**2) / (jxx + jyy + EPS)


def mark_features(img_bgr: np.ndarray, offset: tuple[int, int] = (0, 0)) -> np.ndarray:
    """(n_patches, N_MARKS) layout-of-marks statistics, contrast-invariant."""
    g, rows, cols = _crop(grey(img_bgr), offset)
    if rows == 0 or cols == 0:
        return np.zeros((0, N_MARKS), np.float32)
    gs = cv2.GaussianBlur(g, (0, 0), 0.8)  # sensor noise alone should not make every pixel an edge
    gx = cv2.Sobel(gs, cv2.CV_32F, 1, 0, ksize=3) / 8
    gy = cv2.Sobel(gs, cv2.CV_32F, 0, 1, ksize=3) / 8
    mag = np.sqrt(gx * gx + gy * gy)
    std = _tiles(g, PATCH, rows, cols).std(axis=-1)[:, None] + EPS
    m = _tiles(mag, PATCH, rows, cols) / std  # gradient relative to the patch's own contrast
    feats = [
        (m < 0.05).mean(-1),  # flat fields
        (m > 0.5).mean(-1),  # strong edges
        np.log((m**2).mean(-1) / (m.mean(-1) ** 2 + EPS) + EPS),  # edges concentrated or spread
    ]
    for sigma in (2.0, 6.0):
        coh = _tiles(_coherence(gx, gy, sigma), PATCH, rows, cols)
        w = _tiles(mag, PATCH, rows, cols) + EPS
        feats.append((coh * w).sum(-1) / w.sum(-1))  # weighted by gradient: where the marks are
    return np.stack(feats, axis=1).astype(np.float32)


def colour_features(img_bgr: np.ndarray, offset: tuple[int, int] = (0, 0)) -> np.ndarray:
    """(n_patches, N_COLOUR): Lab means, Lab spreads and mean chroma of each patch."""
    img, rows, cols = _crop(img_bgr, offset)
    if rows == 0 or cols == 0:
        return np.zeros((0, N_COLOUR), np.float32)
    lab = cv2.cvtColor(img.astype(np.float32) / 255.0, cv2.COLOR_BGR2LAB)
    t = _tiles(np.moveaxis(lab, 2, 0), PATCH, rows, cols)  # (n, 3, px)
    chroma = np.sqrt(t[:, 1] ** 2 + t[:, 2] ** 2).mean(-1)
    return np.concatenate([t.mean(-1), t.std(-1), chroma[:, None]], axis=1).astype(np.float32)


def flat_patches(img_bgr: np.ndarray, offset: tuple[int, int] = (0, 0)) -> np.ndarray:
    """Boolean per patch: flatter than FLAT_STD (a flat colour field, a blank wall with no noise)."""
    g, rows, cols = _crop(grey(img_bgr), offset)
    if rows == 0 or cols == 0:
        return np.zeros(0, bool)
    return _tiles(g, PATCH, rows, cols).std(axis=-1) < FLAT_STD


def features(img_bgr: np.ndarray, grey_set: str, colour: bool, offset: tuple[int, int] = (0, 0)) -> np.ndarray:
    """Feature rows (n_patches, n) for the PATCH tiles of an image: grey set, plus colour in colour mode."""
    if grey_set not in GREY_SETS:
        raise ValueError(f"unknown grey feature set {grey_set!r} (one of {GREY_SETS})")
    parts = [patch_features(img_bgr, offset)]
    if grey_set == "marks":
        parts.append(mark_features(img_bgr, offset))
    if colour:
        parts.append(colour_features(img_bgr, offset))
    return np.concatenate(parts, axis=1)


def count(grey_set: str, colour: bool) -> int:
    return feature_count() + (N_MARKS if grey_set == "marks" else 0) + (N_COLOUR if colour else 0)

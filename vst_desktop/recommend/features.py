"""Look statistics of one picture: colour (Lab and HSV histograms, colourfulness) and texture (gradient
orientation and energy at three scales, local contrast, and the critic's Gabor texture features).

The same function describes a style's outputs and a picture the user drops, so the two can be compared
directly. Every block is normalised on its own (histograms sum to one, energies are ratios), so an image's
size and overall brightness matter less than what its colours and marks look like.
"""

from __future__ import annotations

import cv2
import numpy as np

from vst_desktop.evaluation.media import resize_long_side
from vst_desktop.evaluation.texture_features import PATCH, patch_features

WORK_SIDE = 256  # long side every picture is measured at: strokes of a style output and a painting alike
EPS = 1e-6
AB_BINS = 6
L_BINS = 8
HUE_BINS = 12
ORI_BINS = 8
SCALES = 3


def _colour(bgr: np.ndarray) -> dict[str, np.ndarray]:
    lab = cv2.cvtColor(bgr, cv2.COLOR_BGR2LAB).reshape(-1, 3).astype(np.float32)
    light, a, b = lab[:, 0] / 255.0, (lab[:, 1] - 128) / 64.0, (lab[:, 2] - 128) / 64.0
    ab, _, _ = np.histogram2d(np.clip(a, -1, 0.999), np.clip(b, -1, 0.999), bins=AB_BINS,
                              range=((-1, 1), (-1, 1)))
    lh, _ = np.histogram(light, bins=L_BINS, range=(0, 1))
    hsv = cv2.cvtColor(bgr, cv2.COLOR_BGR2HSV).reshape(-1, 3).astype(np.float32)
    sat = hsv[:, 1] / 255.0
    # hue weighted by saturation: grey pixels have no hue worth counting
    hh, _ = np.histogram(hsv[:, 0], bins=HUE_BINS, range=(0, 180), weights=sat)
    sh, _ = np.histogram(sat, bins=6, range=(0, 1))
    f = bgr.reshape(-1, 3).astype(np.float32)
    rg, yb = f[:, 2] - f[:, 1], 0.5 * (f[:, 2] + f[:, 1]) - f[:, 0]
    colourful = (np.hypot(rg.std(), yb.std()) + 0.3 * np.hypot(rg.mean(), yb.mean())) / 255.0  # Hasler
    stats = np.array([light.mean(), light.std(), a.mean(), b.mean(), a.std(), b.std(), sat.mean(), colourful])
    return {"lab_ab": np.sqrt(ab.ravel() / max(ab.sum(), 1)),  # sqrt: Hellinger, small bins still count
            "lab_l": np.sqrt(lh / max(lh.sum(), 1)),
            "hue": np.sqrt(hh / max(hh.sum(), EPS)),
            "sat": np.sqrt(sh / max(sh.sum(), 1)),
            "colour_stats": stats}


def _texture(bgr: np.ndarray) -> dict[str, np.ndarray]:
    g = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY).astype(np.float32) / 255.0
    var = float(g.var()) + EPS
    ori, energy, edges = [], [], []
    level = g
    for _ in range(SCALES):
        hp = level - cv2.GaussianBlur(level, (0, 0), 2.0)  # high-pass: the marks, not the shading
        gx = cv2.Sobel(level, cv2.CV_32F, 1, 0, ksize=3)
        gy = cv2.Sobel(level, cv2.CV_32F, 0, 1, ksize=3)
        mag = np.hypot(gx, gy)
        angle = np.mod(np.arctan2(gy, gx), np.pi)  # orientation, not direction
        h, _ = np.histogram(angle, bins=ORI_BINS, range=(0, np.pi), weights=mag)
        ori.append(np.sqrt(h / max(h.sum(), EPS)))
        energy.append(np.log(float((hp * hp).mean()) / var + EPS))
        thr = mag.mean() + mag.std()
        edges.append(float((mag > thr).mean()))
        level = cv2.pyrDown(level)
    local_std = np.sqrt(np.maximum(cv2.blur(g * g, (9, 9)) - cv2.blur(g, (9, 9)) ** 2, 0))
    contrast = np.array([local_std.mean() / (np.sqrt(var) + EPS), local_std.std() / (local_std.mean() + EPS),
                         np.log(var)])
    out = {"orientation": np.concatenate(ori), "hp_energy": np.array(energy), "edges": np.array(edges),
           "local_contrast": contrast}
    if min(g.shape) >= PATCH:
        out["gabor"] = patch_features(bgr).mean(axis=0)
    else:  # too small for one critic patch: the block stays neutral
        out["gabor"] = np.zeros(20, np.float32)
    return out


def work_image(bgr: np.ndarray) -> np.ndarray:
    return resize_long_side(bgr, WORK_SIDE)


def blocks(bgr: np.ndarray) -> dict[str, np.ndarray]:
    """Named feature blocks of one BGR picture, measured at WORK_SIDE."""
    img = work_image(bgr)
    out = _colour(img)
    out.update(_texture(img))
    return {k: np.asarray(v, np.float64) for k, v in out.items()}


BLOCK_NAMES = ("lab_ab", "lab_l", "hue", "sat", "colour_stats", "orientation", "hp_energy", "edges",
               "local_contrast", "gabor")
COLOUR_BLOCKS = BLOCK_NAMES[:5]
TEXTURE_BLOCKS = BLOCK_NAMES[5:]

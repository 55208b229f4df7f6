"""Colour-invariant texture features of image patches, for the painting-vs-photo critic.

Each patch is described by how its contrast is spread over scales and orientations (quadrature Gabor
energy on a 3-level pyramid), how peaked that energy is (strokes and edges are sparse, noise is not),
how oriented it is (brush strokes are), and how energy at one scale lines up with the next (a stroke or
an edge is present at several scales, independent pixel noise is not). Every feature is a ratio, so a
tone curve, a colour matrix or a palette change (which mostly rescale the local luminance contrast)
leave it nearly unchanged: colour is measured separately by `colour_gain`.
"""

from __future__ import annotations

import functools

import cv2
import numpy as np

PATCH = 64  # patch side at the working resolution (pixels)
LEVELS = 3  # pyramid levels: strokes of about 2-16 px at the working resolution
ORIENTATIONS = 4
WORKING_LONG_SIDE = 512  # images are scored with this long side; paintings and photos alike
EPS = 1e-6


@functools.lru_cache(maxsize=1)
def _gabor_pairs() -> list[tuple[np.ndarray, np.ndarray]]:
    """Even/odd Gabor kernels (wavelength 4 px, one-octave bandwidth), one pair per orientation."""
    pairs = []
    for k in range(ORIENTATIONS):
        theta = np.pi * k / ORIENTATIONS
        even = cv2.getGaborKernel((15, 15), 2.2, theta, 4.0, 1.0, 0.0, ktype=cv2.CV_32F)
        odd = cv2.getGaborKernel((15, 15), 2.2, theta, 4.0, 1.0, np.pi / 2, ktype=cv2.CV_32F)
        even -= even.mean()  # zero DC: flat areas give no response whatever their brightness
        pairs.append((even, odd))
    return pairs


def grey(img_bgr: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(img_bgr, cv2.COLOR_BGR2GRAY).astype(np.float32) / 255.0


def energy_maps(g: np.ndarray) -> list[np.ndarray]:
    """Per pyramid level an array (ORIENTATIONS, h_l, w_l) of local Gabor energy."""
    out, level = [], g
    for _ in range(LEVELS):
        maps = []
        for even, odd in _gabor_pairs():
            e = cv2.filter2D(level, cv2.CV_32F, even, borderType=cv2.BORDER_REFLECT)
            o = cv2.filter2D(level, cv2.CV_32F, odd, borderType=cv2.BORDER_REFLECT)
            maps.append(e * e + o * o)
        out.append(np.stack(maps))
        level = cv2.pyrDown(level)
    return out


def _tiles(a: np.ndarray, tile: int, rows: int, cols: int) -> np.ndarray:
    """(..., H, W) -> (rows*cols, ..., tile*tile): non-overlapping tiles, row-major."""
    lead = a.shape[:-2]
    a = a[..., : rows * tile, : cols * tile]
    a = a.reshape(*lead, rows, tile, cols, tile)
    nd = len(lead)
    a = np.moveaxis(a, (nd, nd + 2), (0, 1))  # rows, cols, lead..., tile, tile
    return a.reshape(rows * cols, *lead, tile * tile)


def patch_features(img_bgr: np.ndarray, offset: tuple[int, int] = (0, 0)) -> np.ndarray:
    """Feature rows (n_patches, n_features) for the PATCH-sized tiles of an image (any size >= PATCH).

    `offset` shifts the tile grid (multiples of 4 keep it aligned with every pyramid level), which gives
    training more distinct patches from one image.
    """
    g = grey(img_bgr)
    oy, ox = offset
    g = g[oy:, ox:]
    h, w = g.shape
    rows, cols = h // PATCH, w // PATCH
    if rows == 0 or cols == 0:
        return np.zeros((0, feature_count()), np.float32)
    g = g[: rows * PATCH, : cols * PATCH]
    maps = energy_maps(g)
    # patch contrast: variance of the mean-removed grey patch; every energy is taken relative to it
    gt = _tiles(g, PATCH, rows, cols)
    var = gt.var(axis=-1) + EPS
    feats = []
    level_totals = []
    for lvl, m in enumerate(maps):
        t = _tiles(m, PATCH >> lvl, rows, cols)  # (n, ORI, px)
        mean_e = t.mean(axis=-1) + EPS  # (n, ORI)
        feats.append(np.log(mean_e / var[:, None]))  # spectral shape, contrast-invariant
        feats.append(np.log(mean_e.max(axis=1) / mean_e.mean(axis=1))[:, None])  # orientedness
        tot = t.sum(axis=1)  # (n, px) orientation-summed energy
        feats.append(np.log((tot**2).mean(axis=-1) / (tot.mean(axis=-1) ** 2 + EPS) + EPS)[:, None])  # peakedness
        level_totals.append(m.sum(axis=0))
    for lvl in range(LEVELS - 1):
        fine = cv2.pyrDown(level_totals[lvl])  # bring the finer level to the coarser one's grid
        coarse = level_totals[lvl + 1]
        hh, ww = min(fine.shape[0], coarse.shape[0]), min(fine.shape[1], coarse.shape[1])
        tile = PATCH >> (lvl + 1)
        a = _tiles(np.sqrt(fine[:hh, :ww]), tile, rows, cols)
        b = _tiles(np.sqrt(coarse[:hh, :ww]), tile, rows, cols)
        a = a - a.mean(axis=-1, keepdims=True)
        b = b - b.mean(axis=-1, keepdims=True)
        corr = (a * b).mean(-1) / (a.std(-1) * b.std(-1) + EPS)
        feats.append(corr[:, None])  # cross-scale alignment: strokes and edges yes, pixel noise no
    return np.concatenate(feats, axis=1).astype(np.float32)


def feature_count() -> int:
    return LEVELS * (ORIENTATIONS + 2) + (LEVELS - 1)

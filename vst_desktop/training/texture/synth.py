"""A periodic canvas made of a folder's marks: patch-based texture synthesis on the torus.

A crop of a painting, made periodic, repeats whatever it holds: a face, a hand, a sail, the Scream's
figure. On a plain wall behind a person the eye finds those objects at once, every tile. This tile is
built from the paintings' small patches instead (texture optimisation in the manner of Kwatra et al.,
2005, with plain averaging): every patch of the result is close to some patch of a painting, so the
painter's marks come back, while no object larger than a patch does. It is synthesized on the torus, so
it tiles without seams at any period.
"""

from __future__ import annotations

import cv2
import numpy as np

DETAIL_SIGMA = 8.0  # px: the low-pass the detail is taken above, as for the painting crop's canvas
# (patch side, iterations): coarse first, so the marks' layout settles before their fine form
SCALES = ((32, 4), (16, 4))
MAX_PATCHES = 20000  # source patches kept per scale (a random sample): bounds memory and the search


def _normed(a: np.ndarray) -> np.ndarray:
    return ((a - a.mean()) / (a.std() + 1e-8)).astype(np.float32)


def _source_patches(details: list[np.ndarray], patch: int, rng: np.random.Generator) -> np.ndarray:
    """(N, patch * patch) float32: the paintings' detail patches on a step of a quarter patch."""
    step = max(1, patch // 4)
    out = [np.lib.stride_tricks.sliding_window_view(d, (patch, patch))[::step, ::step].reshape(-1, patch * patch)
           for d in details if min(d.shape) >= patch]
    if not out:
        raise ValueError(f"the painting canvas needs a painting with a short side of {patch} px or more")
    patches = np.concatenate(out)
    if len(patches) > MAX_PATCHES:
        patches = patches[rng.choice(len(patches), MAX_PATCHES, replace=False)]
    return np.ascontiguousarray(patches, dtype=np.float32)


def _positions(period: int, patch: int) -> np.ndarray:
    return np.arange(0, period, patch // 2)


def _lay(chosen: np.ndarray, period: int, patch: int) -> np.ndarray:
    """The patches `chosen` (one per grid position, row-major) blended with a smooth window on the torus."""
    pos = _positions(period, patch)
    win = np.hanning(patch + 2)[1:-1].astype(np.float32)
    window = np.outer(win, win) ** 4  # peaked: each pixel mostly from the patch centred nearest, which keeps
    # the marks sharp (an even blend of four patches blurs them a little more every iteration)
    acc = np.zeros((period + patch, period + patch), np.float32)
    wsum = np.full_like(acc, 1e-6)
    k = 0
    for y in pos:
        for x in pos:
            acc[y:y + patch, x:x + patch] += window * chosen[k].reshape(patch, patch)
            wsum[y:y + patch, x:x + patch] += window
            k += 1
    for a in (acc, wsum):  # what fell past the far edges belongs to the near ones
        a[:patch] += a[period:period + patch]
        a[:, :patch] += a[:, period:period + patch]
    return acc[:period, :period] / wsum[:period, :period]


def _nearest(queries: np.ndarray, source: np.ndarray) -> np.ndarray:
    norms = (source ** 2).sum(1)
    return np.concatenate([np.argmin(norms[None, :] - 2.0 * queries[i:i + 256] @ source.T, 1)
                           for i in range(0, len(queries), 256)])


def synthesized_tile(greys: list[np.ndarray], period: int, seed: int = 1234) -> np.ndarray:
    """A (period, period) float32 tile, zero mean, unit std, periodic, whose every patch resembles a patch of
    the paintings' grey detail (`greys`: grey float images). The same for the same arguments."""
    rng = np.random.default_rng(seed)
    details = [g - cv2.GaussianBlur(g, (0, 0), DETAIL_SIGMA) for g in greys]
    tile = None
    for patch, iterations in SCALES:
        patch = min(patch, period)
        source = _source_patches(details, patch, rng)
        n = len(_positions(period, patch)) ** 2
        if tile is None:  # a random layout of the paintings' patches, which the iterations make coherent
            tile = _lay(source[rng.integers(0, len(source), n)], period, patch)
        for _ in range(iterations):
            # blending overlapping patches lowers the contrast, and the search would follow it down to the
            # paintings' flattest patches: match at the paintings' own contrast
            tile = tile * (source.std() / (tile.std() + 1e-8))
            # a fresh offset of the patch grid each time, so no grid's block borders stay in the result
            shift = tuple(rng.integers(0, patch // 2, 2))
            padded = np.pad(np.roll(tile, shift, (0, 1)), ((0, patch), (0, patch)), mode="wrap")
            pos = _positions(period, patch)
            windows = np.lib.stride_tricks.sliding_window_view(padded, (patch, patch))[pos][:, pos]
            laid = _lay(source[_nearest(windows.reshape(n, -1), source)], period, patch)
            tile = np.roll(laid, (-shift[0], -shift[1]), (0, 1))
    return _normed(tile)

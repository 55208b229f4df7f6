"""A periodic canvas made of a folder's marks: image quilting on the torus.

A crop of a painting, made periodic, repeats whatever it holds: a face, a hand, a sail, the Scream's
figure, five times across a 640 px frame at a 128 px period. A longer crop repeats less often but holds
whole objects. This tile is quilted instead (Efros and Freeman, 2001): blocks of the paintings' grey
detail, a few strokes across (32 px at the teacher's 512 px working size), are laid on a grid, each chosen
among the blocks that agree best with its neighbours where they overlap, and blended there. Inside a block
the painter's marks are intact (Munch's bands, the leading between glass cells, hatching); no object larger
than a block comes back whole (64 px blocks brought back bottles, doors and Mount Fuji). The grid wraps
around, so the tile repeats without a seam at any period.
"""

from __future__ import annotations

import cv2
import numpy as np

DETAIL_SIGMA = 8.0  # px: the low-pass the detail is taken above, as for the painting crop's canvas
BLOCK = 32  # px: a block's core (its step on the grid); a period is cut into as many as fit
OVERLAP = 8  # px: how far neighbouring blocks overlap, on each side
CANDIDATES = 4000  # source blocks sampled once; each grid position chooses among the textured half
BEST = 0.02  # a block is chosen at random among this share of the candidates that agree best


class CanvasSettingsError(ValueError):
    """The quilt's settings contradict each other (not the paintings' fault)."""


def _normed(a: np.ndarray) -> np.ndarray:
    return ((a - a.mean()) / (a.std() + 1e-8)).astype(np.float32)


def even_crop(details: list[np.ndarray], side: int, rng: np.random.Generator, candidates: int = 256) -> np.ndarray:
    """A (side, side) crop of the paintings' detail: the most even among the more textured half of
    `candidates` random crops, so that a single contour or a face does not dominate it, the painter's marks do."""
    usable = [d for d in details if min(d.shape[:2]) >= side]
    if not usable:
        raise ValueError(f"the painting canvas needs a painting with a short side of {side} px or more")
    areas = np.array([d.size for d in usable], np.float64)
    crops = []
    for i in rng.choice(len(usable), candidates, p=areas / areas.sum()):
        d = usable[i]
        y, x = rng.integers(0, d.shape[0] - side + 1), rng.integers(0, d.shape[1] - side + 1)
        crops.append(d[y:y + side, x:x + side])
    energy = np.array([c.std() for c in crops])
    q = side // 4
    blocks = [c[:4 * q, :4 * q].reshape(4, q, 4, q).std((1, 3)) for c in crops]
    unevenness = np.array([b.std() / (b.mean() + 1e-8) for b in blocks])
    textured = np.flatnonzero(energy >= np.median(energy))
    return crops[textured[np.argmin(unevenness[textured])]]


def _source_blocks(details: list[np.ndarray], side: int, rng: np.random.Generator) -> np.ndarray:
    """(CANDIDATES, side, side) float32: blocks of the paintings' detail at random places, in proportion to
    each painting's area."""
    usable = [d for d in details if min(d.shape) >= side]
    if not usable:
        raise ValueError(f"the painting canvas needs a painting with a short side of {side} px or more")
    areas = np.array([d.size for d in usable], np.float64)
    out = np.empty((CANDIDATES, side, side), np.float32)
    for k, i in enumerate(rng.choice(len(usable), CANDIDATES, p=areas / areas.sum())):
        d = usable[i]
        y, x = rng.integers(0, d.shape[0] - side + 1), rng.integers(0, d.shape[1] - side + 1)
        out[k] = d[y:y + side, x:x + side]
    # the more textured half: the overlap error favours flat blocks (any flat block agrees with its
    # neighbours), and a tile of them would be a blank wall with a mark here and there
    energy = out.std((1, 2))
    return out[energy >= np.median(energy)]


def _ramp(side: int, overlap: int) -> np.ndarray:
    """A block's blending weight along one axis: rising over the first overlap, flat, falling over the last."""
    w = np.ones(side, np.float32)
    rise = (np.arange(overlap, dtype=np.float32) + 0.5) / overlap
    w[:overlap], w[-overlap:] = rise, rise[::-1]
    return w


def synthesized_tile(greys: list[np.ndarray], period: int, seed: int = 1234, block: int = BLOCK,
                      exemplar: int = 0) -> np.ndarray:
    """A (period, period) float32 tile, zero mean, unit std, periodic, quilted from blocks of the paintings'
    grey detail (`greys`: grey float images) with a core of about `block` px. `exemplar` > 0: the blocks come
    from one exemplar x exemplar crop only, the one the "painting" canvas of that period cuts (`even_crop`),
    so the tile has that crop's marks without repeating at its period. The same for the same arguments."""
    n = max(1, round(period / block))  # blocks per side
    step = period / n
    overlap = min(OVERLAP, int(step) // 2)
    side = int(np.ceil(step)) + 2 * overlap  # each block reaches `overlap` past its core on every side
    if 0 < exemplar < side:
        raise CanvasSettingsError(f"the canvas exemplar ({exemplar} px) must hold a whole block with its overlaps "
                                  f"({side} px at a {block} px block): make it larger or the block smaller")
    details = [g - cv2.GaussianBlur(g, (0, 0), DETAIL_SIGMA) for g in greys]
    if exemplar > 0:
        details = [even_crop(details, exemplar, np.random.default_rng(seed))]
    rng = np.random.default_rng(seed)
    blocks = _source_blocks(details, side, rng)
    weight = np.outer(_ramp(side, overlap), _ramp(side, overlap))
    acc = np.zeros((period, period), np.float32)
    wsum = np.zeros((period, period), np.float32)
    for i in range(n):
        for j in range(n):
            y0, x0 = int(round(i * step)) - overlap, int(round(j * step)) - overlap
            rows = np.arange(y0, y0 + side) % period
            cols = np.arange(x0, x0 + side) % period
            laid = wsum[np.ix_(rows, cols)] > 0  # where earlier blocks (the wrap included) already lie
            if laid.any():
                current = acc[np.ix_(rows, cols)] / np.maximum(wsum[np.ix_(rows, cols)], 1e-6)
                errors = (((blocks - current) ** 2) * laid).sum((1, 2))
                near = np.argsort(errors)[:max(1, int(BEST * len(blocks)))]
                pick = blocks[rng.choice(near)]
            else:
                pick = blocks[rng.integers(len(blocks))]
            np.add.at(acc, np.ix_(rows, cols), weight * pick)
            np.add.at(wsum, np.ix_(rows, cols), weight)
    return _normed(acc / np.maximum(wsum, 1e-6))

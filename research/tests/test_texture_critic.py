"""The painting-vs-photo patch critic and its hard negatives."""

from __future__ import annotations

import numpy as np
import torch

from research.texture.critic import PaintingCritic, gain, hard_negatives, patches_grid


def _strokes(rng, size=128):
    """Synthetic 'paintings': short oriented stripes in patches of random orientation."""
    img = np.zeros((size, size, 3), np.float32)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    for y0 in range(0, size, 40):
        for x0 in range(0, size, 40):
            a = rng.uniform(0, np.pi)
            f = np.sin((np.cos(a) * xx + np.sin(a) * yy) * 0.9 + rng.uniform(0, 6))
            img[y0:y0 + 40, x0:x0 + 40] = (0.5 + 0.3 * f[y0:y0 + 40, x0:x0 + 40])[..., None] * rng.uniform(0.6, 1.0, 3)
    return (np.clip(img, 0, 1) * 255).astype(np.uint8)


def _photo(rng, size=128):
    import cv2
    base = cv2.GaussianBlur(rng.random((size, size, 3)).astype(np.float32), (0, 0), 8)
    base = (base - base.min()) / (np.ptp(base) + 1e-6)
    return (base * 255).astype(np.uint8)


def test_hard_negatives_change_half_the_batch_and_keep_range():
    g = torch.Generator().manual_seed(0)
    x = torch.rand(64, 3, 16, 16, generator=g) * 0.5 + 0.25
    y = hard_negatives(x, generator=g)
    changed = (y - x).abs().flatten(1).amax(1) > 1e-6
    assert 16 <= int(changed.sum()) <= 48
    assert y.min() >= 0 and y.max() <= 1


def test_critic_learns_strokes_vs_smooth_photos_quickly():
    rng = np.random.default_rng(0)
    paint = [_strokes(rng) for _ in range(4)]
    photos = [_photo(rng) for _ in range(4)]
    torch.set_num_threads(1)
    c = PaintingCritic(seed=0, ch=8)
    c.fit(paint, photos, steps=40, batch=8, long_side=128, lr=3e-3)
    p_paint = c.score_many([_strokes(rng) for _ in range(2)])
    p_photo = c.score_many([_photo(rng) for _ in range(2)])
    assert p_paint > p_photo + 0.3
    assert abs(gain(p_photo, p_photo, p_paint)) < 1e-9 and abs(gain(p_paint, p_photo, p_paint) - 1) < 1e-9
    assert patches_grid(paint[0]).shape == (9, 3, 64, 64)

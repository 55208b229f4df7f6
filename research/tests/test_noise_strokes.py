"""Noise-driven strokes: the noise painting is deterministic for a given map, and advection moves the
map with the content."""

from __future__ import annotations

import cv2
import numpy as np

from research.texture.noise_strokes import advect_noise, make_noise, paint, stroke_layer


def test_paint_is_deterministic_and_keeps_shape():
    rng = np.random.default_rng(0)
    img = (cv2.GaussianBlur(rng.random((48, 64, 3)).astype(np.float32), (0, 0), 4) * 255).astype(np.uint8)
    n = make_noise(64, 64, seed=3)
    a, b = paint(img, None, n), paint(img, None, n)
    assert a.shape == img.shape and a.dtype == np.uint8 and np.array_equal(a, b)
    assert stroke_layer(img.astype(np.float32) / 255, n[:48]).shape == (48, 64)
    d = paint(img, None, None, r=6, amp=0.2)  # no noise map: the photo's own detail, as the shipped teacher
    assert d.shape == img.shape and np.array_equal(d, paint(img, None, None, r=6, amp=0.2))


def test_advected_noise_follows_a_translation():
    rng = np.random.default_rng(0)
    base = (cv2.GaussianBlur(rng.random((72, 96, 3)).astype(np.float32), (0, 0), 2) * 255).astype(np.uint8)
    shift = 4
    prev, cur = base[:, :-shift], base[:, shift:]  # the content moves 4 px left
    n0 = make_noise(72, 96 - shift, seed=5)
    n1 = advect_noise(n0, np.ascontiguousarray(prev), np.ascontiguousarray(cur))
    # inside, the noise moved with the content: n1[:, x] ~ n0[:, x + shift]
    moved = np.corrcoef(n1[8:-8, 8:-16].ravel(), n0[8:-8, 8 + shift:-16 + shift].ravel())[0, 1]
    fixed = np.corrcoef(n1[8:-8, 8:-16].ravel(), n0[8:-8, 8:-16].ravel())[0, 1]
    assert moved > 0.6 and moved > fixed + 0.3


"""Texture recipe (issue 7): the deterministic painterly renderer (Kuwahara + LIC strokes) and advection."""

from __future__ import annotations

import cv2
import numpy as np

from vst_desktop.training.texture.strokes import (
    advect_noise,
    kuwahara,
    lic,
    make_noise,
    paint,
    stroke_layer,
    tangent_field,
)


def _stripes(h=64, w=80, vertical=True):
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    v = 0.5 + 0.3 * np.sin((xx if vertical else yy) * 0.5)
    return np.repeat(v[..., None], 3, 2).astype(np.float32)


def test_tangent_follows_stripes():
    t = tangent_field(_stripes(vertical=True), 2.0)  # intensity varies along x: edges run along y
    assert np.abs(t[16:-16, 16:-16, 1]).mean() > 0.95
    t = tangent_field(_stripes(vertical=False), 2.0)
    assert np.abs(t[16:-16, 16:-16, 0]).mean() > 0.95


def test_lic_smears_noise_along_the_tangent_only():
    n = make_noise(64, 80, seed=1)
    s = lic(n, tangent_field(_stripes(vertical=True), 2.0), length=8)[8:-8, 8:-8]
    along = np.abs(np.diff(s, axis=0)).mean()  # along y (the tangent): smooth
    across = np.abs(np.diff(s, axis=1)).mean()
    assert across > 2.0 * along


def test_kuwahara_flattens_noise_and_keeps_a_step_edge():
    rng = np.random.default_rng(0)
    img = np.zeros((40, 40, 3), np.float32)
    img[:, 20:] = 0.8
    noisy = np.clip(img + rng.normal(0, 0.05, img.shape), 0, 1).astype(np.float32)
    out = kuwahara(noisy, 4)
    assert out[:, 4:16].std() < 0.5 * noisy[:, 4:16].std()
    assert out[:, 24:36].mean() - out[:, 4:16].mean() > 0.7  # the edge stays sharp


def test_paint_is_deterministic_and_keeps_shape():
    rng = np.random.default_rng(0)
    img = (cv2.GaussianBlur(rng.random((48, 64, 3)).astype(np.float32), (0, 0), 4) * 255).astype(np.uint8)
    n = make_noise(64, 64, seed=3)
    a, b = paint(img, None, n), paint(img, None, n)
    assert a.shape == img.shape and a.dtype == np.uint8 and np.array_equal(a, b)
    assert stroke_layer(img.astype(np.float32) / 255, n[:48]).shape == (48, 64)
    d = paint(img, None, None, r=6, amp=0.2)  # detail-driven teacher (E2)
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

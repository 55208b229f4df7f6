"""The stroke teacher's building blocks: edge tangent, line-integral convolution, Kuwahara, the painting."""

from __future__ import annotations

import cv2
import numpy as np

from vst_desktop.training.texture.strokes import kuwahara, lic, paint_float, tangent_field


def _noise(h, w, seed):
    rng = np.random.default_rng(seed)
    return cv2.GaussianBlur(rng.standard_normal((h, w)).astype(np.float32), (0, 0), 1.0)


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
    n = _noise(64, 80, seed=1)
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


def test_paint_float_is_deterministic_and_keeps_shape_and_range():
    rng = np.random.default_rng(0)
    img = cv2.GaussianBlur(rng.random((48, 64, 3)).astype(np.float32), (0, 0), 4)
    a = paint_float(img, r=6, amp=0.2)
    assert a.shape == img.shape and a.dtype == np.float32 and np.array_equal(a, paint_float(img, r=6, amp=0.2))
    assert a.min() >= 0.0 and a.max() <= 1.0

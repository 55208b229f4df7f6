"""The painted recipe's colour transform and torch image views."""

from __future__ import annotations

import numpy as np
import torch

from vst_desktop.training.texture.colour import ColourTransform, fit_colour_transform
from vst_desktop.training.texture.views import gaussian_blur, grey, highpass


def _img(seed=0, n=2, size=64):
    g = torch.Generator().manual_seed(seed)
    base = gaussian_blur(torch.rand(n, 3, size, size, generator=g), 3.0)
    return (base + 0.1 * torch.rand(n, 3, size, size, generator=g)).clamp(0, 1)


def test_gaussian_blur_preserves_constants_and_highpass_kills_them():
    x = torch.full((1, 3, 32, 40), 0.4)
    assert torch.allclose(gaussian_blur(x, 2.0), x, atol=1e-6)
    assert highpass(x, 2.0).abs().max() < 1e-6
    assert grey(x).shape == (1, 1, 32, 40)


def test_colour_transform_maps_means_and_covariances():
    rng = np.random.default_rng(0)
    a = rng.normal([0.4, 0.5, 0.6], 0.1, (20000, 3))
    mix = np.array([[1.0, 0.3, 0.0], [0.0, 0.8, 0.2], [0.1, 0.0, 0.6]])
    b = (rng.normal(0, 0.1, (20000, 3)) @ mix.T) + [0.6, 0.5, 0.3]
    ct = fit_colour_transform(a, b)
    y = a @ ct.matrix.T + ct.bias
    assert np.allclose(y.mean(0), b.mean(0), atol=1e-3)
    assert np.allclose(np.cov(y.T), np.cov(b.T), atol=2e-3)
    ident = fit_colour_transform(a, b, strength=0.0)
    assert np.allclose(ident.matrix, np.eye(3)) and np.allclose(ident.bias, 0, atol=1e-9)
    # torch, numpy and the exported 1x1 conv agree
    img = rng.random((8, 8, 3)).astype(np.float32) * 0.5 + 0.2
    t = torch.from_numpy(img).permute(2, 0, 1)[None]
    ref = ct.apply_np(img)
    assert np.allclose(ct.apply_torch(t)[0].permute(1, 2, 0).numpy(), ref, atol=1e-5)
    conv = ct.as_conv()(t).clamp(0, 1)[0].permute(1, 2, 0).detach().numpy()
    assert np.allclose(conv, ref, atol=1e-5)
    assert np.allclose(ColourTransform.from_dict(ct.to_dict()).matrix, ct.matrix)

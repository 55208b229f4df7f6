"""Texture recipe (issue 7): colour-invariant views, colour transform, discriminator, losses."""

from __future__ import annotations

import numpy as np
import torch

from vst_desktop.training.texture.colour import ColourTransform, fit_colour_transform
from vst_desktop.training.texture.discriminator import (
    TextureDiscriminator,
    lsgan_d_loss,
    lsgan_g_loss,
    translate_cutout,
)
from vst_desktop.training.texture.losses import (
    chroma_detail_l1,
    edge_structure_l1,
    lowfreq_l1,
    random_smooth_flow,
    temporal_compound,
    warp,
)
from vst_desktop.training.texture.views import gaussian_blur, grey, highpass, texture_view


def _img(seed=0, n=2, size=64):
    g = torch.Generator().manual_seed(seed)
    base = gaussian_blur(torch.rand(n, 3, size, size, generator=g), 3.0)
    return (base + 0.1 * torch.rand(n, 3, size, size, generator=g)).clamp(0, 1)


def test_texture_view_ignores_colour_casts_and_tone_offsets():
    x = _img()
    cast = (x * torch.tensor([1.0, 0.9, 0.7]).view(1, 3, 1, 1))
    # a cast changes luma by a per-channel gain: after contrast normalisation the view barely moves
    v, vc = texture_view(x), texture_view(cast)
    assert torch.allclose(texture_view(x + 0.1), v, atol=1e-4)  # a global tone offset is invisible
    rel = (v - vc).abs().mean() / v.abs().mean()
    assert rel < 0.25
    # and the view does react to texture
    stripes = x.clone()
    stripes[..., ::4, :] += 0.2
    assert (texture_view(stripes) - v).abs().mean() > 0.3 * v.abs().mean()


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


def test_texture_discriminator_shapes_and_losses_backprop():
    torch.manual_seed(0)
    d = TextureDiscriminator(ch=8)
    x = _img(size=96).requires_grad_(True)
    outs = d(translate_cutout(x, 4, cutout=0.25))
    assert [o.shape[1] for o in outs] == [1, 1]
    assert outs[0].shape[-1] == 12 and outs[1].shape[-1] == 6
    ld = lsgan_d_loss(d(_img(1, size=96)), [o.detach() for o in outs])
    lg = lsgan_g_loss(outs)
    assert ld.ndim == 0 and lg.ndim == 0
    lg.backward()
    assert x.grad is not None and torch.isfinite(x.grad).all()


def test_texture_discriminator_is_blind_to_colour_casts():
    torch.manual_seed(0)
    d = TextureDiscriminator(ch=8)
    x = _img(size=64)
    with torch.no_grad():
        for _ in range(5):  # let spectral norm's power iteration settle
            d(x)
        d.eval()
        a = d(x)[0]
        b = d(x + 0.15)[0]  # pure tone offset
    assert torch.allclose(a, b, rtol=1e-3, atol=1e-3)


def test_content_losses_leave_texture_free():
    x = _img(size=64)
    tex = x + 0.1 * torch.sign(torch.randn(1, 1, 64, 64))  # grey, zero-mean, fine texture
    assert lowfreq_l1(tex, x, 4.0) < 0.01
    assert chroma_detail_l1(tex, x) < 1e-5  # grey texture has no chroma
    fringe = x.clone()
    fringe[:, 0] += 0.1 * torch.sign(torch.randn(64, 64))
    assert chroma_detail_l1(fringe, x) > 0.02
    assert lowfreq_l1(x * 0.7, x) > 0.05  # a tone change is not free
    assert edge_structure_l1(x, x) < 1e-6


def test_temporal_compound_zero_for_pointwise_generator_and_positive_for_fixed_pattern():
    g = torch.Generator().manual_seed(0)
    x = _img(size=64)
    pointwise = lambda z: z * 0.8 + 0.1  # noqa: E731  (commutes with any warp)
    assert temporal_compound(pointwise, x, pointwise(x), noise=0.0, generator=g) < 1e-5
    pattern = torch.sign(torch.randn(1, 3, 64, 64, generator=g)) * 0.1
    screen_fixed = lambda z: z + pattern  # noqa: E731  (texture glued to the screen: flickers under motion)
    assert temporal_compound(screen_fixed, x, screen_fixed(x), noise=0.0, generator=g) > 0.02
    grid = random_smooth_flow(2, 64, 64, generator=g)
    assert grid.shape == (2, 64, 64, 2) and warp(x, grid).shape == x.shape

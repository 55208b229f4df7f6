"""The texture-GAN pieces of the experiments: colour-blind texture view and discriminator, content and
temporal terms that leave texture free."""

from __future__ import annotations

import torch

from research.texture.discriminator import (
    TextureDiscriminator,
    lsgan_d_loss,
    lsgan_g_loss,
    texture_view,
    translate_cutout,
)
from research.texture.losses import (
    chroma_detail_l1,
    edge_structure_l1,
    lowfreq_l1,
    random_smooth_flow,
    temporal_compound,
    warp,
)
from vst_desktop.training.texture.views import gaussian_blur


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


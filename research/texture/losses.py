"""Content and temporal terms that leave texture free (torch, NCHW in [0, 1])."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from vst_desktop.training.texture.views import gaussian_blur, grey, highpass


def lowfreq_l1(out: torch.Tensor, ref: torch.Tensor, sigma: float = 4.0) -> torch.Tensor:
    """L1 between the blurred images (all three channels): pins tone, colour and layout, not texture."""
    return (gaussian_blur(out, sigma) - gaussian_blur(ref, sigma)).abs().mean()


def chroma_detail_l1(out: torch.Tensor, ref: torch.Tensor, sigma: float = 2.0) -> torch.Tensor:
    """L1 on the high-pass of the chroma (RGB minus grey): no colour fringes, no rainbow speckle."""
    co = out - grey(out)
    cr = ref - grey(ref)
    return (highpass(co, sigma) - highpass(cr, sigma)).abs().mean()


def edge_structure_l1(out: torch.Tensor, ref: torch.Tensor, sigma: float = 1.5) -> torch.Tensor:
    """L1 between blurred gradient magnitudes of the grey images: outlines stay where the photo has them."""

    def gmag(x: torch.Tensor) -> torch.Tensor:
        g = gaussian_blur(grey(x), 1.0)
        gx = g[..., :, 1:] - g[..., :, :-1]
        gy = g[..., 1:, :] - g[..., :-1, :]
        return torch.sqrt(gx[..., :-1, :] ** 2 + gy[..., :, :-1] ** 2 + 1e-6)

    return (gaussian_blur(gmag(out), sigma) - gaussian_blur(gmag(ref), sigma)).abs().mean()


def random_smooth_flow(n: int, h: int, w: int, max_shift: float = 4.0, max_rot_deg: float = 2.0,
                       max_scale: float = 0.03, local: float = 2.0,
                       generator: torch.Generator | None = None) -> torch.Tensor:
    """A sampling grid (N, H, W, 2) for grid_sample: random small similarity transform + smooth local jitter."""
    def u(*shape):
        return torch.rand(*shape, generator=generator) * 2 - 1

    ang = u(n) * max_rot_deg * torch.pi / 180
    sc = 1 + u(n) * max_scale
    tx, ty = u(n) * max_shift * 2 / w, u(n) * max_shift * 2 / h
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0] = sc * torch.cos(ang)
    theta[:, 0, 1] = -sc * torch.sin(ang)
    theta[:, 1, 0] = sc * torch.sin(ang)
    theta[:, 1, 1] = sc * torch.cos(ang)
    theta[:, 0, 2], theta[:, 1, 2] = tx, ty
    grid = F.affine_grid(theta, (n, 1, h, w), align_corners=False)
    if local > 0:
        coarse = u(n, 2, 4, 4) * local
        coarse[:, 0] *= 2 / w
        coarse[:, 1] *= 2 / h
        grid = grid + F.interpolate(coarse, (h, w), mode="bicubic", align_corners=False).permute(0, 2, 3, 1)
    return grid


def warp(x: torch.Tensor, grid: torch.Tensor) -> torch.Tensor:
    return F.grid_sample(x, grid.to(x.dtype), mode="bilinear", padding_mode="border", align_corners=False)


def temporal_compound(gen, x: torch.Tensor, out: torch.Tensor, noise: float = 0.02, border: int = 8,
                      generator: torch.Generator | None = None) -> torch.Tensor:
    """|G(warp(x) + n) - warp(G(x))| (compound regularisation, Wang et al. 2020), borders ignored.

    `gen` maps an input batch to the output batch (include the colour transform if the generator's
    output is compared after it); `out` is gen(x), already computed by the caller.
    """
    n, _, h, w = x.shape
    grid = random_smooth_flow(n, h, w, generator=generator).to(x.device)
    xw = warp(x, grid)
    if noise > 0:
        xw = (xw + noise * torch.randn(xw.shape, generator=generator).to(x.device)).clamp(0, 1)
    diff = (gen(xw) - warp(out, grid)).abs()
    return diff[..., border:h - border, border:w - border].mean()

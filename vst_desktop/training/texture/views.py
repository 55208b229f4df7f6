"""Grey, Gaussian blur and high-pass of an image batch (differentiable, torch, NCHW in [0, 1]): the
views the painted recipe's high-pass loss term compares."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

LUMA = (0.299, 0.587, 0.114)


def grey(x: torch.Tensor) -> torch.Tensor:
    """(N, 3, H, W) RGB -> (N, 1, H, W) luma."""
    w = x.new_tensor(LUMA).view(1, 3, 1, 1)
    return (x * w).sum(1, keepdim=True)


def _kernel1d(sigma: float, device, dtype) -> torch.Tensor:
    r = max(1, int(math.ceil(3.0 * sigma)))
    t = torch.arange(-r, r + 1, device=device, dtype=dtype)
    k = torch.exp(-(t * t) / (2.0 * sigma * sigma))
    return k / k.sum()


def gaussian_blur(x: torch.Tensor, sigma: float) -> torch.Tensor:
    """Separable Gaussian blur with reflect padding, per channel."""
    if sigma <= 0:
        return x
    c = x.shape[1]
    k = _kernel1d(sigma, x.device, x.dtype)
    r = (k.numel() - 1) // 2
    mode = "reflect" if min(x.shape[-2:]) > r else "replicate"
    kx = k.view(1, 1, 1, -1).expand(c, 1, 1, -1)
    ky = k.view(1, 1, -1, 1).expand(c, 1, -1, 1)
    x = F.conv2d(F.pad(x, (r, r, 0, 0), mode=mode), kx, groups=c)
    return F.conv2d(F.pad(x, (0, 0, r, r), mode=mode), ky, groups=c)


def highpass(x: torch.Tensor, sigma: float) -> torch.Tensor:
    return x - gaussian_blur(x, sigma)

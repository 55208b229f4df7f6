"""A patch discriminator that only sees colour-invariant texture."""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils import spectral_norm

from vst_desktop.training.texture.views import gaussian_blur, grey, highpass


def texture_view(x: torch.Tensor, sigma: float = 4.0, norm_sigma: float | None = 8.0,
                 eps: float = 0.03) -> torch.Tensor:
    """What the texture discriminator sees: grey high-pass, divided by the local contrast.

    Colour and the low frequencies are gone, so a colour cast or a tone shift cannot fool a
    discriminator on this view; contrast normalisation (with the floor `eps`, so flat areas are not
    blown up into noise) removes "just sharpen it" as a way to fool it. What is left is the shape of the
    texture: stroke orientation, length, density.
    """
    hp = highpass(grey(x), sigma)
    if norm_sigma is None:
        return hp / 0.1
    local = torch.sqrt(gaussian_blur(hp * hp, norm_sigma) + eps * eps)
    return hp / local


def _patch_d(in_ch: int, ch: int, n_down: int) -> nn.Sequential:
    layers: list[nn.Module] = []
    c_in = in_ch
    for i in range(n_down):
        c_out = ch * (2 ** i)
        layers += [spectral_norm(nn.Conv2d(c_in, c_out, 4, 2, 1)), nn.LeakyReLU(0.2, True)]
        c_in = c_out
    layers += [spectral_norm(nn.Conv2d(c_in, c_in, 3, 1, 1)), nn.LeakyReLU(0.2, True),
               spectral_norm(nn.Conv2d(c_in, 1, 3, 1, 1))]
    return nn.Sequential(*layers)


class TextureDiscriminator(nn.Module):
    """Two-scale spectral-norm patch discriminator on `texture_view` (grey, high-pass, contrast-normalised).

    Scale 1 looks at the full-resolution texture (receptive field about 46 px with 3 downsamplings),
    scale 2 at the texture of the 2x-downsampled image (about 92 px of the original). Returns a list of
    patch logit maps, one per scale.
    """

    def __init__(self, ch: int = 32, n_down: int = 3, scales: int = 2, hp_sigma: float = 4.0,
                 norm_sigma: float | None = 8.0, eps: float = 0.03):
        super().__init__()
        self.hp_sigma, self.norm_sigma, self.eps = hp_sigma, norm_sigma, eps
        self.nets = nn.ModuleList([_patch_d(1, ch, n_down) for _ in range(scales)])

    def view(self, x: torch.Tensor, scale: int) -> torch.Tensor:
        if scale:
            x = F.avg_pool2d(x, 2 ** scale)
        return texture_view(x, self.hp_sigma, self.norm_sigma, self.eps)

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        return [net(self.view(x, s)) for s, net in enumerate(self.nets)]


def lsgan_d_loss(real_out: list[torch.Tensor], fake_out: list[torch.Tensor]) -> torch.Tensor:
    loss = real_out[0].new_zeros(())
    for r, f in zip(real_out, fake_out, strict=True):
        loss = loss + ((r - 1) ** 2).mean() + (f ** 2).mean()
    return loss / (2 * len(real_out))


def lsgan_g_loss(fake_out: list[torch.Tensor]) -> torch.Tensor:
    return sum(((f - 1) ** 2).mean() for f in fake_out) / len(fake_out)


def translate_cutout(x: torch.Tensor, max_shift: int = 8, cutout: float = 0.0,
                     generator: torch.Generator | None = None) -> torch.Tensor:
    """DiffAugment-style translation (and optional cutout): geometric only, never colour."""
    n, _, h, w = x.shape
    if max_shift > 0:
        dy, dx = torch.randint(-max_shift, max_shift + 1, (2,), generator=generator).tolist()
        x = torch.roll(x, shifts=(dy, dx), dims=(2, 3))
    if cutout > 0:
        ch, cw = int(h * cutout), int(w * cutout)
        y0 = int(torch.randint(0, h - ch + 1, (1,), generator=generator))
        x0 = int(torch.randint(0, w - cw + 1, (1,), generator=generator))
        x = x.clone()
        x[:, :, y0:y0 + ch, x0:x0 + cw] = x[:, :, y0:y0 + ch, x0:x0 + cw].mean(dim=(2, 3), keepdim=True)
    return x

"""Loss terms. Each generator term is a function of the step's tensors; the loop sums
the terms whose config weight `w_<name>` is non-zero. Adding a term = one function + one config weight.

Images are float RGB in [0, 1], NCHW.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from vst_desktop.training.texture.views import gaussian_blur, grey, highpass

# ---- adversarial (LSGAN: least squares is stabler than the log loss for small patch discriminators) ----


def lsgan_d(real_outs: list[torch.Tensor], fake_outs: list[torch.Tensor]) -> torch.Tensor:
    loss = sum(((r - 1.0) ** 2).mean() + (f ** 2).mean() for r, f in zip(real_outs, fake_outs, strict=True))
    return 0.5 * loss / len(real_outs)


def lsgan_g(fake_outs: list[torch.Tensor]) -> torch.Tensor:
    return sum(((f - 1.0) ** 2).mean() for f in fake_outs) / len(fake_outs)


# ---- DiffAugment: the same random translation + cutout on real and fake; no colour (colour is the style) ----


def diff_augment(x: torch.Tensor, translation: float, cutout: float) -> torch.Tensor:
    n, _, h, w = x.shape
    if translation > 0:
        sy, sx = int(h * translation + 0.5), int(w * translation + 0.5)
        dy = torch.randint(-sy, sy + 1, (n,), device=x.device)
        dx = torch.randint(-sx, sx + 1, (n,), device=x.device)
        gy = (torch.arange(h, device=x.device).view(1, h, 1) - dy.view(n, 1, 1)).clamp(-1, h)
        gx = (torch.arange(w, device=x.device).view(1, 1, w) - dx.view(n, 1, 1)).clamp(-1, w)
        padded = F.pad(x, (1, 1, 1, 1))  # pixels moved in from outside are zero
        idx = ((gy + 1) * (w + 2) + (gx + 1)).view(n, 1, h * w).expand(-1, x.shape[1], -1)
        x = padded.flatten(2).gather(2, idx).view_as(x)
    if cutout > 0:
        ch, cw = int(h * cutout + 0.5), int(w * cutout + 0.5)
        cy = torch.randint(0, h + (1 - ch % 2), (n, 1, 1), device=x.device)
        cx = torch.randint(0, w + (1 - cw % 2), (n, 1, 1), device=x.device)
        yy = torch.arange(h, device=x.device).view(1, h, 1)
        xx = torch.arange(w, device=x.device).view(1, 1, w)
        inside = ((yy - cy).abs() <= ch // 2) & ((xx - cx).abs() <= cw // 2)
        x = x * (~inside).unsqueeze(1).to(x.dtype)
    return x


# ---- content ----


# d_input="highpass": the grey detail below this blur, amplified to fill the discriminator's input range
D_HIGHPASS_SIGMA = 3.0
D_HIGHPASS_GAIN = 4.0


def discriminator_view(y: torch.Tensor, d_input: str) -> torch.Tensor:
    """What the discriminator judges of an image batch: the image ("rgb"), or its grey high-pass around
    mid-grey on all 3 channels ("highpass": the marks alone, blind to colour and shading)."""
    if d_input == "highpass":
        return (0.5 + D_HIGHPASS_GAIN * highpass(grey(y), D_HIGHPASS_SIGMA)).expand(-1, 3, -1, -1)
    return y


def patch_nce(q: list[torch.Tensor], k: list[torch.Tensor], batch: int, temperature: float) -> torch.Tensor:
    """CUT's PatchNCE: a patch of the output must match the input's patch at the same place (positive)
    rather than the input's other patches (negatives). q, k: per layer, (batch * patches, dim) unit vectors.
    """
    total = 0.0
    for qi, ki in zip(q, k, strict=True):
        qi = qi.view(batch, -1, qi.shape[-1])
        ki = ki.view(batch, -1, ki.shape[-1]).detach()
        logits = torch.bmm(qi, ki.transpose(1, 2)) / temperature  # B, P, P; the diagonal is the positive
        target = torch.arange(logits.shape[1], device=logits.device).repeat(batch)
        total = total + F.cross_entropy(logits.flatten(0, 1), target)
    return total / len(q)


def luminance(x: torch.Tensor) -> torch.Tensor:
    return 0.299 * x[:, 0:1] + 0.587 * x[:, 1:2] + 0.114 * x[:, 2:3]


def lowfreq_luma_l1(fake: torch.Tensor, content: torch.Tensor, factor: int) -> torch.Tensor:
    """L1 between blurred luminances: keeps the photo's shapes and shading, leaves colour and texture free."""
    return F.l1_loss(F.avg_pool2d(luminance(fake), factor), F.avg_pool2d(luminance(content), factor))


def total_variation(x: torch.Tensor) -> torch.Tensor:
    return (x[..., 1:, :] - x[..., :-1, :]).abs().mean() + (x[..., :, 1:] - x[..., :, :-1]).abs().mean()


# ---- temporal: compound regularisation (a random smooth flow stands in for motion between frames) ----


def random_smooth_flow(n: int, h: int, w: int, max_shift: float, device: torch.device) -> torch.Tensor:
    """A dense flow (n, h, w, 2) in grid_sample's normalised units: a global shift plus a smooth field."""
    coarse = torch.rand(n, 2, 4, 4, device=device) * 2 - 1
    shift = (torch.rand(n, 2, 1, 1, device=device) * 2 - 1)
    field_px = F.interpolate(0.5 * coarse + 0.5 * shift, size=(h, w), mode="bicubic", align_corners=True)
    field_px = field_px * max_shift
    scale = torch.tensor([2.0 / max(w - 1, 1), 2.0 / max(h - 1, 1)], device=device).view(1, 2, 1, 1)
    return (field_px * scale).permute(0, 2, 3, 1)


def warp(x: torch.Tensor, flow: torch.Tensor) -> torch.Tensor:
    n, _, h, w = x.shape
    ys = torch.linspace(-1, 1, h, device=x.device)
    xs = torch.linspace(-1, 1, w, device=x.device)
    base = torch.stack(torch.meshgrid(xs, ys, indexing="xy"), dim=-1).unsqueeze(0)
    return F.grid_sample(x, base + flow, mode="bilinear", padding_mode="border", align_corners=True)


# ---- the generator objective: named terms over one step's tensors ----


@dataclass
class StepTensors:
    """What one generator step produced; terms read what they need."""

    content: torch.Tensor
    fake: torch.Tensor
    extras: dict[str, torch.Tensor | list[torch.Tensor]] = field(default_factory=dict)
    disc_fake: list[torch.Tensor] | None = None  # D's outputs on the fake batch
    target: torch.Tensor | None = None  # paired mode


GeneratorTerm = Callable[[StepTensors, "TermSettings"], torch.Tensor]


@dataclass(frozen=True)
class TermSettings:
    nce_temperature: float
    lowfreq_factor: int


def _adv(t: StepTensors, s: TermSettings) -> torch.Tensor:
    return lsgan_g(t.disc_fake)


def _nce(t: StepTensors, s: TermSettings) -> torch.Tensor:
    return patch_nce(t.extras["nce_q"], t.extras["nce_k"], t.content.shape[0], s.nce_temperature)


def _lowfreq(t: StepTensors, s: TermSettings) -> torch.Tensor:
    return lowfreq_luma_l1(t.fake, t.content, s.lowfreq_factor)


def _identity(t: StepTensors, s: TermSettings) -> torch.Tensor:
    return F.l1_loss(t.extras["identity_out"], t.extras["identity_in"])


def _tv(t: StepTensors, s: TermSettings) -> torch.Tensor:
    return total_variation(t.fake)


def _temporal(t: StepTensors, s: TermSettings) -> torch.Tensor:
    return F.l1_loss(t.extras["temporal_out"], t.extras["temporal_ref"])


def _paired_l1(t: StepTensors, s: TermSettings) -> torch.Tensor:
    return F.l1_loss(t.fake, t.target)


HIGHPASS_SIGMA = 3.0  # px: what is finer than this is stroke texture


def grey_highpass(x: torch.Tensor) -> torch.Tensor:
    y = luminance(x)
    return y - gaussian_blur(y, HIGHPASS_SIGMA)


def _highpass(t: StepTensors, s: TermSettings) -> torch.Tensor:
    # Plain L1 lets a small generator trade the strokes for a slightly better average colour; this term
    # charges for the missing strokes on their own.
    return F.l1_loss(grey_highpass(t.fake), grey_highpass(t.target))


def edge_magnitude(x: torch.Tensor) -> torch.Tensor:
    """(N, 1, H-2, W-2) gradient magnitude of the blurred luma: edges of structure, not of pixel noise."""
    g = gaussian_blur(grey(x), 1.0)
    gx = g[..., :, 2:] - g[..., :, :-2]
    gy = g[..., 2:, :] - g[..., :-2, :]
    return gaussian_blur(torch.sqrt(gx[..., 1:-1, :] ** 2 + gy[..., :, 1:-1] ** 2 + 1e-8), 1.0)


def _edges_over_strongest(x: torch.Tensor) -> torch.Tensor:
    mag = edge_magnitude(x)
    return mag / (torch.quantile(mag.flatten(1), 0.99, dim=1).view(-1, 1, 1, 1) + 1e-6)


def edge_strength(x: torch.Tensor) -> torch.Tensor:
    """Edge map in [0, 1], 1 = the picture's strongest edges: the map that the evaluation's content edge
    SSIM compares (evaluation/metrics.py `edge_map`), made differentiable."""
    return _edges_over_strongest(x).clamp(0.0, 1.0)


EDGE_MASK_SIGMA = 3.0  # px: the photo's contours and a margin around them (the eyes, not the cheeks)


def _edges(t: StepTensors, s: TermSettings) -> torch.Tensor:
    # Marks may cover flat areas (a wall, a cheek) but not the photo's contours: L1 between the edge maps,
    # only where the photo has edges, so a face keeps its outlines under the painter term's marks. The
    # output's edges are scaled to the photo's on the contours, not by their own strongest: strong marks on
    # the wall then cost nothing here.
    with torch.no_grad():
        ref = _edges_over_strongest(t.content)
        mask = gaussian_blur(ref.clamp(0.0, 1.0), EDGE_MASK_SIGMA) ** 2  # squared: near zero on a plain wall
    mag = edge_magnitude(t.fake)
    gain = ((mask * ref).sum(dim=(1, 2, 3), keepdim=True)
            / ((mask * mag).sum(dim=(1, 2, 3), keepdim=True) + 1e-6)).detach()
    diff = (mag * gain).clamp(0.0, 1.0) - ref.clamp(0.0, 1.0)
    return (mask * diff.abs()).sum() / (mask.sum() + 1e-6)


def _painter(t: StepTensors, s: TermSettings) -> torch.Tensor:
    return t.extras["painter"]  # the recipe's frozen painter classifier computed it (training/painter.py)


GENERATOR_TERMS: dict[str, GeneratorTerm] = {
    "adv": _adv,
    "nce": _nce,
    "lowfreq": _lowfreq,
    "identity": _identity,
    "tv": _tv,
    "temporal": _temporal,
    "paired_l1": _paired_l1,
    "highpass": _highpass,
    "painter": _painter,
    "edges": _edges,
}

# Terms that make no sense in one of the modes: identity needs style images (unpaired only), paired_l1
# and highpass need targets (paired mode, or the painted recipe's teacher).
UNPAIRED_ONLY = {"identity"}
PAIRED_ONLY = {"paired_l1", "highpass"}


def active_terms(weights: dict[str, float], paired: bool) -> dict[str, float]:
    """`paired`: the step has a target for every content crop."""
    unknown = set(weights) - set(GENERATOR_TERMS)
    if unknown:
        raise ValueError(f"no loss term named {sorted(unknown)}")
    skip = UNPAIRED_ONLY if paired else PAIRED_ONLY
    return {name: w for name, w in weights.items() if w != 0 and name not in skip}


def generator_objective(t: StepTensors, weights: dict[str, float], settings: TermSettings
                        ) -> tuple[torch.Tensor, dict[str, float]]:
    """Weighted sum of the active terms, and each term's (unweighted) value for the log."""
    total = torch.zeros((), device=t.fake.device)
    parts = {}
    for name, w in weights.items():
        value = GENERATOR_TERMS[name](t, settings)
        total = total + w * value
        parts[name] = float(value.detach())
    return total, parts

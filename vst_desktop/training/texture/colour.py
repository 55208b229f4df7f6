"""Closed-form global colour transform fitted to a style palette.

Monge-Kantorovich linear transfer (Pitie & Kokaram 2007) between the RGB distributions of the content
photos and of the style images: the affine map that sends one Gaussian onto the other with the least
displacement. It is a 3x3 matrix plus a bias, so it is exact, temporally stable (a per-pixel function of
the input) and can be baked into the generator as a fixed 1x1 convolution for ONNX export.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch


def _sqrtm_psd(a: np.ndarray) -> np.ndarray:
    w, v = np.linalg.eigh((a + a.T) / 2)
    return (v * np.sqrt(np.clip(w, 1e-8, None))) @ v.T


def _inv_sqrtm_psd(a: np.ndarray) -> np.ndarray:
    w, v = np.linalg.eigh((a + a.T) / 2)
    return (v / np.sqrt(np.clip(w, 1e-8, None))) @ v.T


@dataclass
class ColourTransform:
    """y = matrix @ x + bias on RGB in [0, 1] (pixel rows)."""

    matrix: np.ndarray  # (3, 3)
    bias: np.ndarray  # (3,)

    def apply_np(self, img: np.ndarray) -> np.ndarray:
        """float RGB (..., 3) in [0, 1] -> same, clipped."""
        out = img.reshape(-1, 3) @ self.matrix.T + self.bias
        return np.clip(out, 0.0, 1.0).reshape(img.shape).astype(np.float32)

    def apply_torch(self, x: torch.Tensor) -> torch.Tensor:
        """(N, 3, H, W) -> same, clamped to [0, 1]."""
        m = x.new_tensor(self.matrix)
        b = x.new_tensor(self.bias).view(1, 3, 1, 1)
        return (torch.einsum("ij,njhw->nihw", m, x) + b).clamp(0.0, 1.0)

    def as_conv(self) -> torch.nn.Conv2d:
        """A fixed 1x1 convolution (no clamp) for export in front of the generator."""
        conv = torch.nn.Conv2d(3, 3, 1, bias=True)
        with torch.no_grad():
            conv.weight.copy_(torch.from_numpy(self.matrix.astype(np.float32)).view(3, 3, 1, 1))
            conv.bias.copy_(torch.from_numpy(self.bias.astype(np.float32)))
        conv.requires_grad_(False)
        return conv

    def to_dict(self) -> dict:
        return {"matrix": self.matrix.tolist(), "bias": self.bias.tolist()}

    @classmethod
    def from_dict(cls, d: dict) -> ColourTransform:
        return cls(np.asarray(d["matrix"], np.float64), np.asarray(d["bias"], np.float64))


def fit_colour_transform(content_pixels: np.ndarray, style_pixels: np.ndarray,
                         strength: float = 1.0, max_gain: float = 2.5) -> ColourTransform:
    """Fit the MKL affine map from content colours to style colours.

    content_pixels, style_pixels: (N, 3) float RGB in [0, 1] (a few hundred thousand sampled pixels is
    plenty). `strength` in [0, 1] blends with the identity. `max_gain` caps the singular values of the
    matrix so that a low-contrast style folder (one sketch) cannot blow up noise in dark photos.
    """
    xc = np.asarray(content_pixels, np.float64).reshape(-1, 3)
    xs = np.asarray(style_pixels, np.float64).reshape(-1, 3)
    mc, ms = xc.mean(0), xs.mean(0)
    ca = np.cov((xc - mc).T) + 1e-5 * np.eye(3)
    cb = np.cov((xs - ms).T) + 1e-5 * np.eye(3)
    ca_h = _sqrtm_psd(ca)
    ca_ih = _inv_sqrtm_psd(ca)
    t = ca_ih @ _sqrtm_psd(ca_h @ cb @ ca_h) @ ca_ih
    u, s, vt = np.linalg.svd(t)
    t = (u * np.clip(s, 1.0 / max_gain, max_gain)) @ vt
    t = (1.0 - strength) * np.eye(3) + strength * t
    bias = (strength * ms + (1.0 - strength) * mc) - t @ mc
    return ColourTransform(t, bias)


def sample_pixels(images: list[np.ndarray], n: int = 200_000, seed: int = 0) -> np.ndarray:
    """Uniformly sample up to n RGB pixels (float [0, 1]) from a list of uint8 or float RGB images."""
    rng = np.random.default_rng(seed)
    per = max(1, n // max(1, len(images)))
    out = []
    for im in images:
        px = im.reshape(-1, 3)
        idx = rng.integers(0, len(px), min(per, len(px)))
        v = px[idx].astype(np.float64)
        out.append(v / 255.0 if im.dtype == np.uint8 else v)
    return np.concatenate(out, 0)

"""A tone stage for the teacher (issue 16 round 15, not adopted): the photo's grey redrawn in the folder's band statistics.

The colour stage gives a photo the folder's palette but keeps its shading, and the analogy teacher adds
marks on top of it, so an ink sketch stays a toned photo with lines on it. Here the grey is split into
difference-of-Gaussians bands (fine to coarse) plus a residual, and every band goes through a monotone
quantile map from the content photos' values of that band to the paintings' (the idea of Heeger and
Bergen's pyramid histogram matching, applied to the photo instead of to noise). On a sketch the residual
maps to paper and the fine bands' dark tail to ink; on a woodcut the mid bands flatten. The map is a fixed
per-pixel function of fixed filters: a still scene stays still, and a network can learn it.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

SIGMAS = (1.0, 2.0, 4.0, 8.0, 16.0)  # px at the working size; the residual is the 16 px low-pass
QUANTILES = 257
LONG_SIDE = 512  # paintings and photos are measured at the size the teacher works at


def _grey(x: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(x, cv2.COLOR_RGB2GRAY)


def bands(grey: np.ndarray) -> list[np.ndarray]:
    """Difference-of-Gaussians bands of a grey image, finest first, then the residual low-pass; they sum to it."""
    out, prev = [], grey
    for s in SIGMAS:
        low = cv2.GaussianBlur(grey, (0, 0), s)
        out.append(prev - low)
        prev = low
    out.append(prev)
    return out


def _working(img: np.ndarray) -> np.ndarray:
    f = img.astype(np.float32) / 255.0 if img.dtype == np.uint8 else img.astype(np.float32)
    k = min(1.0, LONG_SIDE / max(f.shape[:2]))
    return cv2.resize(f, None, fx=k, fy=k, interpolation=cv2.INTER_AREA) if k < 1.0 else f


def _quantiles(images: list[np.ndarray], max_values: int, rng: np.random.Generator) -> np.ndarray:
    """(len(SIGMAS) + 1, QUANTILES): per band the quantiles of its values over all the images."""
    per_band: list[list[np.ndarray]] = [[] for _ in range(len(SIGMAS) + 1)]
    per_image = max(1, max_values // max(1, len(images)))
    for img in images:
        for k, b in enumerate(bands(_grey(_working(img)))):
            v = b.ravel()
            per_band[k].append(v if v.size <= per_image else rng.choice(v, per_image, replace=False))
    q = (np.arange(QUANTILES) + 0.5) / QUANTILES
    return np.stack([np.quantile(np.concatenate(v), q) for v in per_band]).astype(np.float32)


@dataclass
class BandTone:
    """Per band, source (photo) quantiles mapped to target (painting) quantiles; `strength` blends each band's
    map with the identity (0: the photo unchanged)."""

    source: np.ndarray  # (bands, QUANTILES), non-decreasing per row
    target: np.ndarray
    strength: float = 1.0

    @classmethod
    def fit(cls, photos: list[np.ndarray], paintings: list[np.ndarray], strength: float = 1.0,
            max_values: int = 400_000, seed: int = 0) -> BandTone:
        """photos: colour-mapped content images, paintings: the folder's (RGB, uint8 or float in [0, 1])."""
        if not photos or not paintings:
            raise ValueError("the tone stage needs photos and paintings")
        rng = np.random.default_rng(seed)
        source = _quantiles(photos, max_values, rng)
        # strictly increasing, so that np.interp's map is a function (ties: a flat band's zeros)
        source = source + np.arange(QUANTILES, dtype=np.float32)[None] * 1e-7
        return cls(source, _quantiles(paintings, max_values, rng), strength)

    def apply_grey(self, grey: np.ndarray) -> np.ndarray:
        out = np.zeros_like(grey)
        for k, b in enumerate(bands(grey)):
            mapped = np.interp(b, self.source[k], self.target[k]).astype(np.float32)
            out += b + self.strength * (mapped - b)
        return out

    def apply(self, x: np.ndarray) -> np.ndarray:
        """float RGB (H, W, 3) in [0, 1]: the grey's change added to every channel (the palette stays)."""
        grey = _grey(x)
        return np.clip(x + (self.apply_grey(grey) - grey)[..., None], 0.0, 1.0).astype(np.float32)

    def to_dict(self) -> dict:
        return {"source": self.source.tolist(), "target": self.target.tolist(), "strength": self.strength}

    @classmethod
    def from_dict(cls, d: dict) -> BandTone:
        return cls(np.asarray(d["source"], np.float32), np.asarray(d["target"], np.float32), float(d["strength"]))

"""Stylizers with a known answer, used to validate the metrics before trusting them on real styles.

Each factory returns a `stylize(bgr uint8) -> bgr uint8` callable. What each one should score:
- `identity`: no change at all (ewarp_ratio 1, every gain 0).
- `tone_curve`, `colour_matrix`, `histogram_curve`, `palette_transfer`: colour-only changes
  (texture_gain about 0; the last two move colours toward the style, so colour_gain is clearly above 0).
- `pixel_noise`: fresh random noise on every call (flickers: a much higher ewarp_ratio; not a painting).
- `painterly`: a non-neural painted rendering (flat paint regions + oriented brush strokes + outlines),
  which a person calls painted, so the texture score must rank it above the photo.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

Stylizer = Callable[[np.ndarray], np.ndarray]


def identity() -> Stylizer:
    return lambda bgr: bgr.copy()


def tone_curve(gamma: float = 0.6, warm: float = 1.15) -> Stylizer:
    """A strong S-free tone curve per channel (gamma) with a warm cast: a classic photo filter."""
    gains = np.array([1.0 / warm, 1.0, warm])  # B, G, R
    lut = np.stack([np.clip(255.0 * (np.arange(256) / 255.0) ** gamma * g, 0, 255) for g in gains], axis=1)
    lut = lut.astype(np.uint8)

    def run(bgr: np.ndarray) -> np.ndarray:
        return np.stack([cv2.LUT(bgr[..., c], lut[:, c]) for c in range(3)], axis=2)

    return run


def colour_matrix() -> Stylizer:
    """A sepia-like 3x3 colour matrix (mixes channels, changes saturation and hue)."""
    m = np.array([[0.272, 0.534, 0.131], [0.349, 0.686, 0.168], [0.393, 0.769, 0.189]], np.float32)  # BGR rows

    def run(bgr: np.ndarray) -> np.ndarray:
        return np.clip(cv2.transform(bgr.astype(np.float32), m), 0, 255).astype(np.uint8)

    return run


def palette_transfer(style_images: list[np.ndarray]) -> Stylizer:
    """Reinhard colour transfer in Lab toward the style images' mean and spread (colour only)."""
    lab = np.concatenate([cv2.cvtColor(s, cv2.COLOR_BGR2LAB).reshape(-1, 3).astype(np.float32)
                          for s in style_images])
    t_mean, t_std = lab.mean(0), lab.std(0) + 1e-3

    def run(bgr: np.ndarray) -> np.ndarray:
        src = cv2.cvtColor(bgr, cv2.COLOR_BGR2LAB).astype(np.float32)
        flat = src.reshape(-1, 3)
        out = (src - flat.mean(0)) / (flat.std(0) + 1e-3) * t_std + t_mean
        return cv2.cvtColor(np.clip(out, 0, 255).astype(np.uint8), cv2.COLOR_LAB2BGR)

    return run


def histogram_curve(style_images: list[np.ndarray], reference: list[np.ndarray]) -> Stylizer:
    """A pure per-channel tone curve (one fixed LUT per channel) that maps the `reference` photos'
    channel histograms onto the style's: colour moves toward the style, texture does not."""
    luts = []
    for c in range(3):
        src = np.concatenate([r[..., c].ravel() for r in reference])
        dst = np.concatenate([s[..., c].ravel() for s in style_images])
        src_cdf = np.cumsum(np.bincount(src, minlength=256)) / src.size
        dst_cdf = np.cumsum(np.bincount(dst, minlength=256)) / dst.size
        luts.append(np.clip(np.searchsorted(dst_cdf, src_cdf), 0, 255).astype(np.uint8))

    def run(bgr: np.ndarray) -> np.ndarray:
        return np.stack([cv2.LUT(bgr[..., c], luts[c]) for c in range(3)], axis=2)

    return run


def pixel_noise(sigma: float = 20.0, seed: int = 0) -> Stylizer:
    """Fresh Gaussian noise on every call: the worst flicker and a texture no painter made."""
    rng = np.random.default_rng(seed)

    def run(bgr: np.ndarray) -> np.ndarray:
        return np.clip(bgr + rng.normal(0.0, sigma, bgr.shape), 0, 255).astype(np.uint8)

    return run


def blur(sigma: float = 2.0) -> Stylizer:
    return lambda bgr: cv2.GaussianBlur(bgr, (0, 0), sigma)


def _stroke_field(grey: np.ndarray, stroke_len: int, width: float, seed: int) -> np.ndarray:
    """Line-integral convolution of coarse noise along the image's edge tangents: brush strokes that
    follow the forms, the way a painter lays them."""
    rng = np.random.default_rng(seed)
    h, w = grey.shape
    small = rng.standard_normal((max(2, int(h / width)), max(2, int(w / width)))).astype(np.float32)
    noise = cv2.resize(small, (w, h), interpolation=cv2.INTER_NEAREST)
    noise = cv2.GaussianBlur(noise, (0, 0), width * 0.3)
    # structure tensor: the tangent is perpendicular to the dominant gradient
    g = cv2.GaussianBlur(grey, (0, 0), 1.5)
    gx = cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=3)
    jxx = cv2.GaussianBlur(gx * gx, (0, 0), 6)
    jyy = cv2.GaussianBlur(gy * gy, (0, 0), 6)
    jxy = cv2.GaussianBlur(gx * gy, (0, 0), 6)
    angle = 0.5 * np.arctan2(2 * jxy, jxx - jyy) + np.pi / 2
    tx, ty = np.cos(angle).astype(np.float32), np.sin(angle).astype(np.float32)
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    acc = noise.copy()
    for sign in (1.0, -1.0):
        px, py = xs.copy(), ys.copy()
        for _ in range(stroke_len):
            px += sign * cv2.remap(tx, px, py, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
            py += sign * cv2.remap(ty, px, py, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
            acc += cv2.remap(noise, px, py, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    acc /= 2 * stroke_len + 1
    return (acc - acc.mean()) / (acc.std() + 1e-6)


def painterly(stroke_len: int = 8, stroke_width: float = 4.0, stroke_amount: float = 0.18,
              seed: int = 0) -> Stylizer:
    """A simple non-neural painting: flat paint regions (mean-shift + edge-preserving smoothing),
    oriented brush strokes modulating the paint (LIC along edge tangents), and dark outlines."""

    def run(bgr: np.ndarray) -> np.ndarray:
        base = cv2.pyrMeanShiftFiltering(bgr, sp=6, sr=24)
        base = cv2.edgePreservingFilter(base, flags=cv2.RECURS_FILTER, sigma_s=30, sigma_r=0.3)
        grey = cv2.cvtColor(base, cv2.COLOR_BGR2GRAY).astype(np.float32) / 255.0
        strokes = _stroke_field(grey, stroke_len, stroke_width, seed)
        out = base.astype(np.float32) * (1.0 + stroke_amount * strokes[..., None])
        edges = cv2.Canny(cv2.GaussianBlur(base, (0, 0), 1.0), 60, 140)
        edges = cv2.GaussianBlur(edges.astype(np.float32) / 255.0, (0, 0), 0.8)
        out *= (1.0 - 0.5 * np.clip(edges * 2, 0, 1))[..., None]
        return np.clip(out, 0, 255).astype(np.uint8)

    return run

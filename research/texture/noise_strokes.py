"""Noise-driven strokes: LIC of a white-noise map instead of the photo's own detail, and its advection
along optical flow between video frames.

They score like the held-out paintings on a single image but flicker on video (the stroke direction, not
the noise position, moves), and a student cannot learn them; the shipped teacher
(`vst_desktop.training.texture.strokes.paint_float`) draws from the photo's own detail instead.
"""

from __future__ import annotations

import cv2
import numpy as np

from vst_desktop.training.texture.colour import ColourTransform
from vst_desktop.training.texture.strokes import kuwahara, lic, paint_float, tangent_field

NOISE_STD = 0.284  # std of unit white noise blurred with sigma 1 (the stroke source)
LIC_STD = 0.13  # typical std of its LIC along a coherent tangent field (fixed scale: no per-frame pumping)


def make_noise(h: int, w: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return cv2.GaussianBlur(rng.standard_normal((h, w)).astype(np.float32), (0, 0), 1.0)


def stroke_layer(flat: np.ndarray, noise: np.ndarray, length: int = 10, tan_sigma: float = 3.0) -> np.ndarray:
    """Unit-scale stroke texture (H, W): the noise smeared along the edge tangent of `flat`."""
    return lic(noise, tangent_field(flat, tan_sigma), length) / LIC_STD


def paint(img_u8: np.ndarray, colour: ColourTransform | None, noise: np.ndarray | None = None, r: int = 4,
          amp: float = 0.12, length: int = 10, tan_sigma: float = 3.0) -> np.ndarray:
    """uint8 RGB photo -> uint8 RGB painted rendering.

    `noise`: (H, W) float32 stroke source (e.g. `make_noise`): LIC of noise, scaled by a fixed constant.
    None: the shipped teacher (`paint_float`: the photo's own detail, its LIC normalised per image).
    """
    x = img_u8.astype(np.float32) / 255.0
    if colour is not None:
        x = colour.apply_np(x)
    if noise is None:
        out = paint_float(x, r, amp, length, tan_sigma=tan_sigma)
    else:
        flat = kuwahara(x, r)
        s = stroke_layer(flat, noise[:x.shape[0], :x.shape[1]], length, tan_sigma)
        out = flat + amp * s[..., None]
    return (np.clip(out, 0, 1) * 255).round().astype(np.uint8)


def advect_noise(noise: np.ndarray, prev_rgb: np.ndarray, cur_rgb: np.ndarray, dis=None, refresh: float = 0.0,
                 rng: np.random.Generator | None = None) -> np.ndarray:
    """The previous frame's stroke noise moved onto the current frame with optical flow (DIS, half res).

    `refresh` in [0, 1) mixes in fresh noise (variance-preserving) so the pattern does not smear over a
    long shot; 0 keeps it purely advected. The std is reset to `NOISE_STD` (resampling lowers it).
    """
    h, w = cur_rgb.shape[:2]
    dis = dis or cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_ULTRAFAST)
    small = (max(8, w // 2), max(8, h // 2))
    g0 = cv2.cvtColor(cv2.resize(prev_rgb, small, interpolation=cv2.INTER_AREA), cv2.COLOR_RGB2GRAY)
    g1 = cv2.cvtColor(cv2.resize(cur_rgb, small, interpolation=cv2.INTER_AREA), cv2.COLOR_RGB2GRAY)
    flow = cv2.resize(dis.calc(g1, g0, None), (w, h)) * np.float32(w / small[0])
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    n = cv2.remap(noise, gx + flow[..., 0], gy + flow[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    if refresh > 0:
        rng = rng or np.random.default_rng()
        fresh = cv2.GaussianBlur(rng.standard_normal((h, w)).astype(np.float32), (0, 0), 1.0)
        n = np.sqrt(1 - refresh) * n + np.sqrt(refresh) * fresh
    return (n * (NOISE_STD / (n.std() + 1e-6))).astype(np.float32)



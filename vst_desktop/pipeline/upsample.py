"""Bring a style's low-resolution output up to the frame's resolution, guided by the full-resolution frame.

On a CPU a generator costs about 7x more at 1280x720 than at 640x360 (cache misses on top of 4x the
pixels), so HD runs the network small and enlarges its answer. A plain resize gives a soft picture: the
face and every contour at half sharpness. Here the enlargement adds back the frame's own fine detail (what
the small input lost: luminance above its Nyquist limit), scaled per pixel by how much the style follows
the input's luminance there. That gain is the slope of a local linear fit of the style's luminance on the
input's, in small windows of the low-resolution pair, as in the guided filter (He, Sun and Tang; "Fast
Guided Filter", 2015): about 1 where the style keeps the photo's edges, about 0 where it repaints (a
stroke across a flat wall), negative where it inverts them (an ink drawing's dark lines on bright edges).

All full-resolution work is a handful of 8/16-bit OpenCV passes: ~4 ms for 1280x720 on one core.
"""

from __future__ import annotations

import cv2
import numpy as np

RADIUS = 8  # window radius of the fit at the low resolution, pixels
EPS = 0.01 ** 2  # regularisation in (luma/255)^2: below ~1% local contrast the gain falls toward 0
# The detail band is added at this multiple of the fitted gain, and the gain is capped at 1: more detail
# than the frame's own flickers more than the 360p picture on a pan or zoom. Chosen on train-photo clips,
# weighing flicker against sharpness (research/experiments/hd_detail_flicker.py, docs/research/hd_fast_path.md).
DETAIL = 0.75
MAX_GAIN = 1.0


def detail_gain(luma_low: np.ndarray, styled_luma_low: np.ndarray, radius: int = RADIUS,
                eps: float = EPS) -> np.ndarray:
    """Per-pixel slope of styled luminance against input luminance (float32, low resolution)."""
    ksize = (2 * radius + 1, 2 * radius + 1)
    i = luma_low.astype(np.float32) * np.float32(1 / 255)
    p = styled_luma_low.astype(np.float32) * np.float32(1 / 255)
    # The four window means in one 4-channel pass: one box filter instead of four.
    mean_i, mean_p, mean_ii, mean_ip = cv2.split(cv2.boxFilter(cv2.merge([i, p, i * i, i * p]), -1, ksize,
                                                                 borderType=cv2.BORDER_REFLECT))
    gain = (mean_ip - mean_i * mean_p) / (mean_ii - mean_i * mean_i + np.float32(eps))
    # Averaging the slopes of the windows that cover a pixel, as the guided filter does, removes the blocks.
    gain = cv2.boxFilter(gain, -1, ksize, borderType=cv2.BORDER_REFLECT)
    return np.clip(gain, -MAX_GAIN, MAX_GAIN, out=gain)


class GuidedUpsampler:
    """Stateless; callable on any frame of any stream."""

    def __init__(self, radius: int = RADIUS, eps: float = EPS, detail: float = DETAIL) -> None:
        self.radius = int(radius)
        self.eps = float(eps)
        self.detail = float(detail)

    def __call__(self, frame_full: np.ndarray, frame_low: np.ndarray, styled_low: np.ndarray) -> np.ndarray:
        """frame_full: the frame at the output size (uint8 BGR); frame_low: the network's input; styled_low:
        the network's output (frame_low's size). Returns uint8 BGR at frame_full's size."""
        h, w = frame_full.shape[:2]
        if styled_low.shape[:2] == (h, w):
            return styled_low
        luma_low = cv2.cvtColor(frame_low, cv2.COLOR_BGR2GRAY)
        gain = detail_gain(luma_low, cv2.cvtColor(styled_low, cv2.COLOR_BGR2GRAY), self.radius, self.eps)
        base = cv2.resize(styled_low, (w, h), interpolation=cv2.INTER_LINEAR)
        if frame_full.shape[0] <= frame_low.shape[0]:
            return base  # shrinking: there is no finer detail to add
        luma = cv2.cvtColor(frame_full, cv2.COLOR_BGR2GRAY)
        # The detail the small input lacks: the frame minus the small input brought back to full size.
        detail = cv2.subtract(luma, cv2.resize(luma_low, (w, h), interpolation=cv2.INTER_LINEAR),
                              dtype=cv2.CV_16S)
        gain_full = cv2.resize(gain, (w, h), interpolation=cv2.INTER_LINEAR)
        if self.detail != 1.0:
            gain_full *= np.float32(self.detail)
        detail = cv2.multiply(detail, gain_full, dtype=cv2.CV_16S)
        return cv2.add(base, cv2.merge([detail, detail, detail]), dtype=cv2.CV_8U)

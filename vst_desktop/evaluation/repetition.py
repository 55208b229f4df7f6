"""How visibly a style repeats itself on the plain wall of a webcam frame: a wallpaper, not a painting.

A canvas style paints the wall from a periodic tile, and the eye finds the repeat when the same marks come
back a tile's width away. On a frame at the live size (640x360) the output's grey detail (above a Gaussian
low-pass, sigma 4 px) is correlated with itself shifted by every offset of 24-320 px across and up to half
the frame's height, over the part of the frame the two overlap; the largest normalised correlation is the
repetition: near 1 when a tile repeats cleanly, near 0 for marks that never come back. For scale: webcam
frames 0.08, the shared folders' paintings 0.04-0.15 (docs/research/painter_round18.md).
"""

from __future__ import annotations

import cv2
import numpy as np

SIZE = (640, 360)  # the live view's network size on a CPU
MIN_SHIFT, MAX_SHIFT = 24, 320  # px: nearer shifts are one mark's own extent; farther ones leave no overlap
DETAIL_SIGMA = 4.0


def repetition(bgr: np.ndarray) -> tuple[float, tuple[int, int]]:
    """(largest normalised autocorrelation of the grey detail at a shift of 24-320 px, that shift (dy, dx))."""
    grey = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY).astype(np.float32) / 255
    detail = grey - cv2.GaussianBlur(grey, (0, 0), DETAIL_SIGMA)
    h, w = detail.shape
    d = detail - detail.mean()
    padded = np.zeros((2 * h, 2 * w), np.float32)  # zero padding: a linear, not circular, correlation
    padded[:h, :w] = d
    f = np.fft.rfft2(padded)
    corr = np.fft.irfft2(f * np.conj(f), s=padded.shape)
    # normalise each shift by the energy of the overlap it compares, so a far shift is not favoured or penalised
    e = np.fft.rfft2(np.pad(d * d, ((0, h), (0, w))))
    ones = np.fft.rfft2(np.pad(np.ones_like(d), ((0, h), (0, w))))
    overlap_energy = np.fft.irfft2(e * np.conj(ones), s=padded.shape)
    overlap_energy_back = np.fft.irfft2(ones * np.conj(e), s=padded.shape)
    norm = np.sqrt(np.maximum(overlap_energy * overlap_energy_back, 1e-12))
    ys = np.fft.fftfreq(2 * h, 1 / (2 * h)).round().astype(int)[:, None]
    xs = np.fft.fftfreq(2 * w, 1 / (2 * w)).round().astype(int)[None, :]
    dist = np.maximum(np.abs(ys), np.abs(xs))
    ok = (dist >= MIN_SHIFT) & (dist <= MAX_SHIFT) & (np.abs(ys) <= h // 2) & (np.abs(xs) <= w // 2)
    score = np.where(ok, corr / norm, -np.inf)
    i = np.unravel_index(np.argmax(score), score.shape)
    return float(score[i]), (int(ys[i[0], 0]), int(xs[0, i[1]]))


def live_sized(img: np.ndarray) -> np.ndarray:
    """The frame brought to the live size, cropped to 16:9 from the centre."""
    h, w = img.shape[:2]
    target = SIZE[0] / SIZE[1]
    if w / h > target:
        cw = round(h * target)
        img = img[:, (w - cw) // 2:(w - cw) // 2 + cw]
    else:
        ch = round(w / target)
        img = img[(h - ch) // 2:(h - ch) // 2 + ch]
    return cv2.resize(img, SIZE, interpolation=cv2.INTER_AREA)

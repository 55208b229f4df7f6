"""The stroke teacher of the painted recipe: a deterministic, local painterly renderer (numpy/OpenCV, no
torch, a few tens of ms per 512 px frame on one core).

- `kuwahara`: flat paint regions that keep edges (4-quadrant Kuwahara);
- `tangent_field`: the edge tangent from the smoothed structure tensor (the direction a stroke follows);
- `lic`: line-integral convolution of a stroke source along that tangent;
- `paint_float`: the teacher itself: flat regions, strokes of the photo's own detail, ink outlines, and
  the other marks (`direction`: one fixed angle, Monet's dabs; `contrast_floor`: detail at a unit local
  contrast; `passes`: repeated Kuwahara, flat colour planes);
- `BatchTeacher`: any per-crop painter over a training batch, optionally on a thread pool;
  `StrokeTeacher`: `paint_float` as one.

The source is the photo's own detail, never noise: the same crop always gets the same painting, so a small
generator can learn the mapping (noise-driven strokes score higher but cannot be learned and flicker).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import cv2
import numpy as np


def kuwahara(img: np.ndarray, r: int) -> np.ndarray:
    """4-quadrant Kuwahara filter of float32 RGB (H, W, 3) in [0, 1]; r = quadrant size - 1."""
    if r <= 0:
        return img.copy()
    k = r + 1
    g = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    mean = cv2.blur(img, (k, k), borderType=cv2.BORDER_REFLECT)
    gm = cv2.blur(g, (k, k), borderType=cv2.BORDER_REFLECT)
    gv = cv2.blur(g * g, (k, k), borderType=cv2.BORDER_REFLECT) - gm * gm
    h, w = g.shape
    best = np.full((h, w), np.inf, np.float32)
    out = np.zeros_like(img)
    mp = cv2.copyMakeBorder(mean, r, r, r, r, cv2.BORDER_REFLECT)
    vp = cv2.copyMakeBorder(gv, r, r, r, r, cv2.BORDER_REFLECT)
    for dy in (-(r // 2), r // 2):
        for dx in (-(r // 2), r // 2):
            v = vp[r + dy:r + dy + h, r + dx:r + dx + w]
            m = mp[r + dy:r + dy + h, r + dx:r + dx + w]
            sel = v < best
            best = np.where(sel, v, best)
            out[sel] = m[sel]
    return out


def tangent_field(img: np.ndarray, sigma: float = 3.0) -> np.ndarray:
    """Unit edge-tangent vectors (H, W, 2) = (dx, dy) from the structure tensor smoothed with `sigma`."""
    g = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY) if img.ndim == 3 else img
    gx = cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=3)
    jxx = cv2.GaussianBlur(gx * gx, (0, 0), sigma)
    jyy = cv2.GaussianBlur(gy * gy, (0, 0), sigma)
    jxy = cv2.GaussianBlur(gx * gy, (0, 0), sigma)
    ang = 0.5 * np.arctan2(2 * jxy, jxx - jyy) + np.pi / 2
    return np.stack([np.cos(ang), np.sin(ang)], -1).astype(np.float32)


def lic(src: np.ndarray, tan: np.ndarray, length: int = 10) -> np.ndarray:
    """Line-integral convolution of `src` (H, W) along the streamlines of `tan`, Gaussian-weighted."""
    h, w = src.shape
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    acc = src.astype(np.float32).copy()
    wsum = np.ones_like(acc)
    for sign in (1.0, -1.0):
        px, py = gx.copy(), gy.copy()
        prev = None
        for i in range(1, length + 1):
            t = cv2.remap(tan, px, py, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
            if prev is None:
                t = t * sign
            else:  # tangents have no sign: keep going the way we came
                t = np.where((t * prev).sum(-1, keepdims=True) < 0, -t, t)
            prev = t
            px, py = px + t[..., 0], py + t[..., 1]
            wgt = np.float32(np.exp(-2.0 * (i / length) ** 2))
            acc += wgt * cv2.remap(src, px, py, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
            wsum += wgt
    return acc / wsum


def detail_source(x: np.ndarray, gain: float = 8.0, sigma: float = 2.0) -> np.ndarray:
    """The photo's own detail as the stroke source: tanh(gain * grey high-pass). Deterministic and local,
    so a student generator can learn the strokes it makes (no fixed noise map needed)."""
    g = cv2.cvtColor(x, cv2.COLOR_RGB2GRAY)
    return np.tanh(gain * (g - cv2.GaussianBlur(g, (0, 0), sigma))).astype(np.float32)


def local_detail_source(x: np.ndarray, sigma: float = 2.0, floor: float = 0.025, gain: float = 1.5,
                        window: float = 6.0) -> np.ndarray:
    """The photo's own detail at a unit local contrast: tanh(gain * hp / sqrt(blur(hp^2) + floor^2)), hp the
    grey high-pass at `sigma`, its local RMS taken over a Gaussian `window`. Unlike `detail_source` (whose
    strokes live on the edges) every textured area, however faint, gets strokes of the same strength;
    `floor` (grey level 0..1) keeps sensor noise in truly flat areas from being amplified into strokes."""
    g = cv2.cvtColor(x, cv2.COLOR_RGB2GRAY)
    hp = g - cv2.GaussianBlur(g, (0, 0), sigma)
    rms = np.sqrt(cv2.GaussianBlur(hp * hp, (0, 0), window) + np.float32(floor * floor))
    return np.tanh(gain * hp / rms).astype(np.float32)


def constant_direction(h: int, w: int, degrees: float) -> np.ndarray:
    """A uniform stroke-direction field (H, W, 2) = (dx, dy); 0 degrees = horizontal, 90 = vertical."""
    a = np.deg2rad(degrees)
    return np.broadcast_to(np.array([np.cos(a), np.sin(a)], np.float32), (h, w, 2)).copy()


def ink_lines(x: np.ndarray, sigma: float = 1.0, gain: float = 25.0) -> np.ndarray:
    """Dark outline strength (H, W) in [0, 1): where a difference of Gaussians of the grey image dips below
    zero (the dark side of an edge), as an ink drawing or a woodblock print outlines its shapes."""
    g = cv2.cvtColor(x, cv2.COLOR_RGB2GRAY)
    dog = cv2.GaussianBlur(g, (0, 0), sigma) - cv2.GaussianBlur(g, (0, 0), 1.6 * sigma)
    return np.tanh(gain * np.maximum(-dog, 0.0)).astype(np.float32)


LOCAL_LIC_STD = 0.23  # typical std of a length-4 LIC of `local_detail_source` (10 training photos, 512 px)


def paint_float(x: np.ndarray, r: int = 6, amp: float = 0.2, length: int = 10, lines: float = 0.0,
                width: float = 1.0, tan_sigma: float = 3.0, direction: float | None = None,
                contrast_floor: float | None = None, passes: int = 1) -> np.ndarray:
    """The teacher's painting, with the photo's own detail as the stroke source, on float32 RGB (H, W, 3) in [0, 1] that is
    already colour-transformed; returns float32 in [0, 1]. The teacher of the painted training recipe:
    flat paint areas (Kuwahara radius `r`), strokes along the edges (`amp`, `length`), ink outlines
    (`lines`: 0 none, 1 black); `width` scales the strokes' breadth (the detail they are drawn from).

    Optional marks (the defaults give the original teacher, bit for bit):
    `direction`: None = strokes follow the edge tangent; an angle in degrees = every stroke along it
    (0 = horizontal dabs). `contrast_floor`: None = the detail source scaled per image to unit std; a
    number = `local_detail_source` with that floor, at the fixed scale `LOCAL_LIC_STD` (strokes in every
    textured area, not only on edges). `passes`: Kuwahara applied this many times (flat colour planes).
    `amp` 0 skips the strokes altogether."""
    flat = x
    for _ in range(max(1, passes)):
        flat = kuwahara(flat, r)
    out = flat
    if amp != 0:
        field = tangent_field(flat, tan_sigma) if direction is None else constant_direction(*x.shape[:2], direction)
        if contrast_floor is None:
            s = lic(detail_source(x, sigma=2.0 * width), field, length)
            s = s / (s.std() + 1e-6)
        else:
            s = lic(local_detail_source(x, sigma=2.0 * width, floor=contrast_floor), field, length) / LOCAL_LIC_STD
        out = flat + amp * s[..., None]
    if lines > 0:
        out = out * (1.0 - lines * ink_lines(x))[..., None]
    return np.clip(out, 0.0, 1.0).astype(np.float32)


class BatchTeacher:
    """A teacher over a training batch: crops (N, 3, H, W) float32 in [0, 1] -> targets, same layout, each
    crop painted by `paint` (H, W, 3). OpenCV releases the GIL: on a many-core machine (a GPU box) the crops
    are painted on `workers` threads, so the teacher does not starve the GPU; each crop is independent."""

    def __init__(self, workers: int = 1) -> None:
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="teacher") if workers > 1 else None

    def paint(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _paint_chw(self, x: np.ndarray) -> np.ndarray:
        return self.paint(np.ascontiguousarray(x.transpose(1, 2, 0)))

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        out = list(self._pool.map(self._paint_chw, batch)) if self._pool else [self._paint_chw(x) for x in batch]
        return np.ascontiguousarray(np.stack(out).transpose(0, 3, 1, 2))


class StrokeTeacher(BatchTeacher):
    """Paired targets for the painted recipe: each colour-transformed crop's `paint_float` rendering.
    Deterministic: the same crop always gets the same target, so a small generator can learn the mapping
    instead of averaging it away."""

    def __init__(self, r: int = 6, amp: float = 0.2, length: int = 10, lines: float = 0.0,
                 width: float = 1.0, workers: int = 1, direction: float | None = None,
                 contrast_floor: float | None = None, passes: int = 1) -> None:
        super().__init__(workers)
        self.settings = dict(r=r, amp=amp, length=length, lines=lines, width=width, direction=direction,
                             contrast_floor=contrast_floor, passes=passes)  # paint_float's keywords

    def paint(self, x: np.ndarray) -> np.ndarray:
        return paint_float(x, **self.settings)

"""The analogy teacher: marks copied from the folder's own paintings (texture transfer, numpy only).

The stroke teacher (strokes.py) paints every folder with the same hand-written marks, so a classifier
cannot tell the styles apart. This teacher takes the marks from the paintings themselves, as image
analogies do: every small patch of the (colour-mapped) photo is matched, by its blurred grey structure and
brightness, to a patch of a painting, and the painting's own detail (the patch minus its low-pass) is laid
over the photo's low-pass. Overlapping patches are blended with a smooth window.

Flat areas (a plain wall, skin, sky) have no structure to match, so every flat painting patch would tie and
the choice would be noise a network cannot learn. The matching therefore also sees a fixed `canvas`: a
texture tied to pixel position (a periodic tile of blobs, oriented dashes, bands or cells, so it covers any
frame). The generator sees the same canvas (fixed_stages.CanvasStage), so the marks in flat areas are a learnable
function of position that holds still while the camera does. Measured in docs/research/analogy_marks.md.
"""

from __future__ import annotations

import cv2
import numpy as np

from vst_desktop.training.texture.strokes import BatchTeacher
from vst_desktop.training.texture.synth import BLOCK, even_crop, synthesized_tile
from vst_desktop.trainspec.config import CANVAS_FORMS

POOLED = 4  # a patch's structure is matched at 4 x 4 cells
CANVAS_PERIOD = 128  # px: the canvas tile; the teacher's crops and the generator share it
# Canvases cut from the folder's paintings: a crop of one ("painting"), or a texture synthesized from their
# small patches ("painting_marks": the marks repeat, not the objects a crop holds)
PAINTING_FORMS = ("painting", "painting_marks")


def _periodic_lowpass_noise(rng: np.random.Generator, period: int, sigma: float) -> np.ndarray:
    """White noise low-passed in the Fourier domain (so it tiles without seams), zero mean, unit std."""
    spec = np.fft.fft2(rng.standard_normal((period, period)))
    f = np.fft.fftfreq(period)
    fy, fx = np.meshgrid(f, f, indexing="ij")
    spec *= np.exp(-2.0 * (np.pi * sigma) ** 2 * (fx ** 2 + fy ** 2))
    tile = np.real(np.fft.ifft2(spec))
    return ((tile - tile.mean()) / (tile.std() + 1e-8)).astype(np.float32)


def _normed(a: np.ndarray) -> np.ndarray:
    return ((a - a.mean()) / (a.std() + 1e-8)).astype(np.float32)


def _smear(noise: np.ndarray, angle: np.ndarray, steps: int, step: float = 1.0) -> np.ndarray:
    """`noise` summed along the direction field `angle` (a line-integral convolution on the torus, `steps`
    of `step` px each way): dashes `2 * steps * step` px long."""
    period = noise.shape[0]
    dx, dy = (step * np.cos(angle)).astype(np.float32), (step * np.sin(angle)).astype(np.float32)
    gy, gx = np.mgrid[0:period, 0:period].astype(np.float32)
    acc = noise.copy()
    for sign in (1.0, -1.0):
        px, py = gx.copy(), gy.copy()
        for _ in range(steps):
            step_x = cv2.remap(dx, px, py, cv2.INTER_LINEAR, borderMode=cv2.BORDER_WRAP)
            step_y = cv2.remap(dy, px, py, cv2.INTER_LINEAR, borderMode=cv2.BORDER_WRAP)
            px, py = px + sign * step_x, py + sign * step_y
            acc += cv2.remap(noise, px, py, cv2.INTER_LINEAR, borderMode=cv2.BORDER_WRAP)
    return _normed(acc)


def _cells(rng: np.random.Generator, period: int, per_128: int = 96) -> np.ndarray:
    """Voronoi cells on the torus (distances wrap), each one flat grey: about 13 px across (`per_128` cells per
    128 px square, whatever the period), sharp borders."""
    n = max(1, round(per_128 * (period / 128) ** 2))
    seeds, values = rng.uniform(0, period, (n, 2)), rng.standard_normal(n)
    gy, gx = np.mgrid[0:period, 0:period].astype(np.float64)
    best, label = np.full((period, period), np.inf), np.zeros((period, period), np.int64)
    for i, (sy, sx) in enumerate(seeds):
        dy, dx = np.abs(gy - sy), np.abs(gx - sx)
        d = np.minimum(dy, period - dy) ** 2 + np.minimum(dx, period - dx) ** 2
        closer = d < best
        best[closer], label[closer] = d[closer], i
    return _normed(values[label])


def _periodic_component(u: np.ndarray) -> np.ndarray:
    """The periodic part of an image (Moisan's periodic-plus-smooth decomposition): the image minus the smooth
    field that its border jumps imply, so that it tiles without seams and keeps its inner detail."""
    h, w = u.shape
    v = np.zeros_like(u, dtype=np.float64)
    v[0, :] += u[-1, :] - u[0, :]
    v[-1, :] += u[0, :] - u[-1, :]
    v[:, 0] += u[:, -1] - u[:, 0]
    v[:, -1] += u[:, 0] - u[:, -1]
    q, r = np.arange(h)[:, None], np.arange(w)[None, :]
    den = 2.0 * np.cos(2 * np.pi * q / h) + 2.0 * np.cos(2 * np.pi * r / w) - 4.0
    den[0, 0] = 1.0
    smooth_hat = np.fft.fft2(v) / den
    smooth_hat[0, 0] = 0.0
    return (u - np.real(np.fft.ifft2(smooth_hat))).astype(np.float32)


def _hatching(rng: np.random.Generator, period: int, spacing: float = 10.0, length: float = 60.0,
              angle: float = 45.0) -> np.ndarray:
    """Thin dark pen lines on white paper, on the torus: segments about `length` px long (0.5-1.5x), near
    `angle` degrees (6 degrees of scatter), as many as cover the tile about 1.5 times at `spacing` px apart.
    Each is drawn once on a 3 x 3 tiled sheet and the nine tiles are folded onto one, so a line that leaves
    the tile comes back on the other side."""
    sheet = np.zeros((3 * period, 3 * period), np.uint8)
    for _ in range(max(1, round(1.5 * period * period / (spacing * length)))):
        y, x = rng.uniform(period, 2 * period, 2)
        a, half = np.deg2rad(angle + rng.normal(0.0, 6.0)), 0.5 * length * rng.uniform(0.5, 1.5)
        dx, dy = half * np.cos(a), half * np.sin(a)
        cv2.line(sheet, (round(x - dx), round(y - dy)), (round(x + dx), round(y + dy)), 255, 1, cv2.LINE_AA)
    ink = sheet.reshape(3, period, 3, period).max((0, 2)).astype(np.float32) / 255.0
    return _normed(-ink)


def painting_tile(paintings: list[np.ndarray], period: int = CANVAS_PERIOD, seed: int = 1234,
                  candidates: int = 256) -> np.ndarray:
    """A canvas cut from the paintings themselves (grey float images, any size >= period): the grey detail
    (minus an 8 px low-pass) of one period x period crop, made periodic. The crop is the most even one among
    the more textured half of `candidates` random crops, so a single contour or a face does not repeat over the
    wall: the painter's marks do."""
    crop = even_crop([g - cv2.GaussianBlur(g, (0, 0), 8.0) for g in paintings], period,
                     np.random.default_rng(seed), candidates)
    return _normed(_periodic_component(crop))


def canvas_tile(form: str = "blobs", period: int = CANVAS_PERIOD, seed: int = 1234) -> np.ndarray:
    """A periodic tile (period, period) float32, zero mean, unit std, the same for the same arguments.
    "blobs": band-limited noise (sigma 1.5 px). "strokes": white noise smeared along a slowly turning
    direction field (6 px each way): short oriented dashes, the form of a brush mark. "strokes_multi": those
    dashes plus wider, longer ones (5 px wide, 24 px long) along the same field: marks at two scales.
    "hatching": thin straight pen lines about 60 px long, mostly along one diagonal, on a blank ground (a
    drawing's shading; `_hatching`).
    "bands": long parallel wavy bands about 9 px apart (a diagonal cosine whose phase a slow noise bends;
    Munch's swirls). "cells": flat Voronoi patches with sharp borders (stained glass, Kandinsky's planes).
    "painting" and "painting_marks" need the paintings (`painting_tile`, `synth.synthesized_tile`): here they are
    a zero tile that a checkpoint's buffer or the teacher's tile replaces."""
    if form in PAINTING_FORMS:
        return np.zeros((period, period), np.float32)
    rng = np.random.default_rng(seed)
    if form == "blobs":
        return _periodic_lowpass_noise(rng, period, 1.5)
    if form == "cells":
        return _cells(rng, period)
    if form == "hatching":
        return _hatching(rng, period)
    if form == "bands":
        gy, gx = np.mgrid[0:period, 0:period].astype(np.float64)
        phase = 2 * np.pi * round(period / 12.8) * (gx + gy) / period  # integer frequency: the tile wraps
        return _normed(np.cos(phase + 4.0 * _periodic_lowpass_noise(rng, period, 10.0)))
    if form not in ("strokes", "strokes_multi"):
        raise ValueError(f"unknown canvas form {form!r} (one of {CANVAS_FORMS})")
    noise = _periodic_lowpass_noise(rng, period, 0.8)  # dashes about 2 px wide
    angle = 0.5 * np.pi * _periodic_lowpass_noise(rng, period, 20.0)  # turning slowly over the tile
    fine = _smear(noise, angle, 6)
    if form == "strokes":
        return fine
    return _normed(fine + _smear(_periodic_lowpass_noise(rng, period, 2.0), angle, 8, 1.5))


def canvas_for(h: int, w: int, tile: np.ndarray) -> np.ndarray:
    """The canvas over an (h, w) picture: the tile repeated from its top-left pixel."""
    p = tile.shape[0]
    return tile[np.ix_(np.arange(h) % p, np.arange(w) % p)]


def wall_for(h: int, w: int, wall: np.ndarray) -> np.ndarray:
    """A (period, period, 3) wall tile over an (h, w) picture, as `canvas_for` lays the canvas."""
    return np.stack([canvas_for(h, w, wall[..., c]) for c in range(wall.shape[2])], -1)


def _grey(x: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(x, cv2.COLOR_RGB2GRAY)


class AnalogyTeacher(BatchTeacher):
    """Texture transfer from `paintings` (uint8 or float RGB) onto colour-mapped crops (float RGB in [0, 1]).

    patch: patch side in px; stride: step between the crop's patches (patch / 2 gives a 4-fold blend);
    guide_sigma: the blur before structure matching (marks finer than it are free to come from the
    painting); low_sigma: the low-pass that the photo keeps (colour and shading); detail: how much of the
    painting's detail is laid on; keep: how much of the photo's own detail stays; canvas: weight of the
    canvas in flat areas' matching, relative to the paintings' typical structure; level: weight of the
    patch brightness in the match; canvas_form: the canvas tile's form (`canvas_tile`); canvas_flat: how far
    the canvas gives way to the photo's own structure (its weight is divided by 1 + (canvas_flat * s / r)^2,
    s the photo's local structure, r the paintings' typical one), so a strong canvas marks the wall and the
    cheeks without writing over the eyes and the mouth; canvas_wall: where the canvas keeps its weight, lay
    the teacher's own painting of a flat wall (`painted_wall_tile`, fixed) instead of the matched detail, so
    the marks there are a function of the canvas alone, which a network can learn (the match itself turns on
    the photo's faint structure and brightness, which makes them noise to a student); wall_gain: the painted
    wall's contrast (dense marks on a plain wall are what content edge SSIM counts against a style);
    flat_window: the window (sigma, in patches) over which canvas_flat measures the photo's structure: wider
    than a face, the cheeks count as structured (eyes and mouth are near) while a plain wall stays flat;
    canvas_period: the canvas tile's side; canvas_block: the blocks the "painting_marks" tile is quilted from;
    canvas_exemplar: > 0, they come from one crop of that side (`synth.synthesized_tile`)."""

    def __init__(self, paintings: list[np.ndarray], patch: int = 16, stride: int = 8, guide_sigma: float = 1.0,
                 low_sigma: float = 4.0, detail: float = 1.0, keep: float = 0.6, canvas: float = 0.5,
                 level: float = 1.0, canvas_form: str = "blobs", canvas_flat: float = 0.0, max_patches: int = 20000,
                 scales: tuple[float, ...] = (1.0, 0.7), long_side: int = 512, seed: int = 0,
                 canvas_wall: bool = False, wall_gain: float = 1.0, flat_window: float = 0.25,
                 workers: int = 1, canvas_period: int = CANVAS_PERIOD, canvas_block: int = BLOCK,
                 canvas_exemplar: int = 0) -> None:
        super().__init__(workers)
        self.patch, self.stride = patch, stride
        self.guide_sigma, self.low_sigma = guide_sigma, low_sigma
        self.detail, self.keep, self.canvas_w, self.level = detail, keep, canvas, level
        self.canvas_flat, self.flat_window = canvas_flat, flat_window
        rng = np.random.default_rng(seed)
        keys, payloads, greys = [], [], []
        for img in paintings:
            f = img.astype(np.float32) / 255.0 if img.dtype == np.uint8 else img.astype(np.float32)
            for s in scales:
                k = min(1.0, long_side / max(f.shape[:2])) * s
                g = cv2.resize(f, None, fx=k, fy=k, interpolation=cv2.INTER_AREA) if k != 1.0 else f
                if s == scales[0]:
                    greys.append(_grey(g))
                if min(g.shape[:2]) < 4 * patch:
                    continue
                kk, pp = self._extract(g, max(2, patch // 4))
                keys.append(kk)
                payloads.append(pp)
        if not keys:
            raise ValueError(f"no painting has a short side of {4 * patch} px or more")
        # The generator's CanvasStage takes this tile (recipes.PaintedRecipe.prepare), so both see one canvas.
        if canvas_form == "painting":
            self.tile = painting_tile(greys, canvas_period)
        elif canvas_form == "painting_marks":
            self.tile = synthesized_tile(greys, canvas_period, block=canvas_block, exemplar=canvas_exemplar)
        else:
            self.tile = canvas_tile(canvas_form, canvas_period)
        keys_a, pay_a = np.concatenate(keys), np.concatenate(payloads)
        if len(keys_a) > max_patches:
            pick = rng.choice(len(keys_a), max_patches, replace=False)
            keys_a, pay_a = keys_a[pick], pay_a[pick]
        # The canvas is scaled to the paintings' typical structure, so in a flat area it picks a patch as
        # textured as an average painting patch.
        n_struct = POOLED ** 2
        self.structure_rms = float(np.sqrt(np.mean(keys_a[:, :n_struct] ** 2)))
        self.keys = keys_a.astype(np.float32)
        self.key_norms = (self.keys ** 2).sum(1)
        self.payload = pay_a.astype(np.float32)
        win = np.hanning(patch + 2)[1:-1].astype(np.float32)
        self.window = np.outer(win, win)
        self.wall: np.ndarray | None = None
        if canvas_wall:
            if canvas <= 0:
                raise ValueError("the painted wall needs a canvas (canvas > 0)")
            self.wall = (wall_gain * painted_wall_tile(self)).astype(np.float32)

    def _features(self, grey: np.ndarray, step: int) -> tuple[np.ndarray, np.ndarray]:
        """Per patch position (on a grid of `step`): the structure (blurred grey pooled to POOLED x POOLED
        cells, minus its mean) and the brightness; (N, POOLED**2 + 1), and the positions (N, 2)."""
        p = self.patch
        gb = cv2.GaussianBlur(grey, (0, 0), self.guide_sigma)
        h, w = grey.shape
        ys = np.arange(0, h - p + 1, step)
        xs = np.arange(0, w - p + 1, step)
        win = np.lib.stride_tricks.sliding_window_view(gb, (p, p))[ys][:, xs]  # (ny, nx, p, p)
        q = p // POOLED
        pooled = win.reshape(len(ys), len(xs), POOLED, q, POOLED, q).mean((3, 5)).reshape(len(ys) * len(xs), -1)
        mean = pooled.mean(1, keepdims=True)
        pos = np.stack(np.meshgrid(ys, xs, indexing="ij"), -1).reshape(-1, 2)
        return np.concatenate([pooled - mean, self.level * mean], 1), pos

    def _extract(self, f: np.ndarray, step: int) -> tuple[np.ndarray, np.ndarray]:
        grey = _grey(f)
        keys, pos = self._features(grey, step)
        detail = f - cv2.GaussianBlur(f, (0, 0), self.low_sigma)
        p = self.patch
        pay = np.stack([detail[y:y + p, x:x + p] for y, x in pos])
        return keys, pay

    def canvas_share(self, grey: np.ndarray) -> np.ndarray:
        """The share of its weight that the canvas keeps at each pixel (H, W): 1 where the photo is flat over
        the window, falling where it has structure of its own (canvas_flat)."""
        if self.canvas_flat <= 0:
            return np.ones(grey.shape, np.float32)
        gb = cv2.GaussianBlur(grey, (0, 0), self.guide_sigma)
        sigma = self.flat_window * self.patch
        mean = cv2.GaussianBlur(gb, (0, 0), sigma)
        local = np.sqrt(np.maximum(cv2.GaussianBlur(gb * gb, (0, 0), sigma) - mean * mean, 0.0))  # local std
        return (1.0 / (1.0 + (self.canvas_flat * local / self.structure_rms) ** 2)).astype(np.float32)

    def paint(self, x: np.ndarray) -> np.ndarray:
        """The painting of one colour-mapped image or crop (H, W, 3) float32 in [0, 1]. The canvas starts at
        its top-left pixel, as the generator's does on every crop and frame."""
        p, s = self.patch, self.stride
        h, w = x.shape[:2]
        grey = _grey(x)
        keep_canvas = self.canvas_share(grey)
        if self.canvas_w > 0:  # the canvas enters the match only, never the picture
            grey = grey + self.canvas_w * self.structure_rms * keep_canvas * canvas_for(h, w, self.tile)
        pad_y, pad_x = (-(h - p) % s), (-(w - p) % s)
        grey_p = cv2.copyMakeBorder(grey, 0, pad_y, 0, pad_x, cv2.BORDER_REFLECT)
        q, pos = self._features(grey_p, s)
        best = np.concatenate([np.argmin(self.key_norms[None, :] - 2.0 * q[i:i + 512] @ self.keys.T, 1)
                               for i in range(0, len(q), 512)])
        acc = np.zeros((h + pad_y, w + pad_x, 3), np.float32)
        wsum = np.full((h + pad_y, w + pad_x, 1), 1e-6, np.float32)
        wdet = self.window[..., None]
        for (yy, xx), b in zip(pos, best, strict=True):
            acc[yy:yy + p, xx:xx + p] += wdet * self.payload[b]
            wsum[yy:yy + p, xx:xx + p] += wdet
        painted_detail = (acc / wsum)[:h, :w]
        if self.wall is not None:
            f = keep_canvas[..., None]
            painted_detail = (1.0 - f) * painted_detail + f * wall_for(h, w, self.wall)
        low = cv2.GaussianBlur(x, (0, 0), self.low_sigma)
        out = low + self.detail * painted_detail + self.keep * (x - low)
        return np.clip(out, 0.0, 1.0).astype(np.float32)


def painted_wall_tile(teacher: AnalogyTeacher, level: float = 0.5) -> np.ndarray:
    """The teacher's painted detail on a flat wall of grey `level`, in the canvas tile's coordinates:
    (period, period, 3) float32, periodic. On a plain wall the teacher's marks are a function of the canvas
    alone, so this tile is what a generator has to reproduce there."""
    p, m = teacher.tile.shape[0], teacher.patch
    wall = np.full((p + 2 * m, p + 2 * m, 3), level, np.float32)
    detail = (teacher.paint(wall) - wall)[m:m + p, m:m + p] / max(teacher.detail, 1e-6)
    detail = np.roll(detail, (m, m), (0, 1))  # row i of the crop is canvas row (m + i) mod p
    return np.stack([_periodic_component(detail[..., c]) for c in range(3)], -1)

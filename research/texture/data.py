"""Crops of style paintings at their stroke scale and of content photos at the frame scale."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import torch

from vst_desktop.core.images import IMAGE_SUFFIXES


def list_images(folder: str | Path) -> list[Path]:
    return sorted(p for p in Path(folder).iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)


def read_rgb(path: str | Path) -> np.ndarray:
    im = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if im is None:
        raise OSError(f"cannot read {path}")
    return cv2.cvtColor(im, cv2.COLOR_BGR2RGB)


def resize_long(im: np.ndarray, long_side: int) -> np.ndarray:
    h, w = im.shape[:2]
    r = long_side / max(h, w)
    interp = cv2.INTER_AREA if r < 1 else cv2.INTER_CUBIC
    return cv2.resize(im, (max(1, round(w * r)), max(1, round(h * r))), interpolation=interp)


class RandomCrops:
    """Random square crops with scale jitter and flips from images held at a reference long side.

    Paintings are held at `long_side` (the stroke scale: a painting fitted to a frame of that long side
    has strokes of the size they should have in the stylized frame); photos at the frame's long side.
    """

    def __init__(self, images: list[np.ndarray], long_side: int = 512, scale: tuple[float, float] = (0.8, 1.25),
                 seed: int = 0):
        self.hi = scale[1]
        self.scale = scale
        self.images = [resize_long(im, int(long_side * self.hi)) for im in images]
        self.rng = np.random.default_rng(seed)

    @classmethod
    def from_folder(cls, folder: str | Path, exclude: tuple[str, ...] = (), **kw) -> RandomCrops:
        ims = [read_rgb(p) for p in list_images(folder) if p.name not in exclude]
        return cls(ims, **kw)

    def crop(self, size: int) -> np.ndarray:
        im = self.images[self.rng.integers(len(self.images))]
        s = self.rng.uniform(*self.scale) / self.hi  # < 1: take a bigger window and shrink it
        win = min(int(round(size / s)), *im.shape[:2])
        h, w = im.shape[:2]
        y, x = self.rng.integers(0, h - win + 1), self.rng.integers(0, w - win + 1)
        c = im[y:y + win, x:x + win]
        if win != size:
            c = cv2.resize(c, (size, size), interpolation=cv2.INTER_AREA if win > size else cv2.INTER_CUBIC)
        if self.rng.random() < 0.5:
            c = c[:, ::-1]
        return c

    def batch(self, n: int, size: int) -> torch.Tensor:
        b = np.stack([self.crop(size) for _ in range(n)]).astype(np.float32) / 255.0
        return torch.from_numpy(b).permute(0, 3, 1, 2).contiguous()

"""Training data: style folders (or input/target pairs) and content photos, checked before any work starts,
loaded once into memory, and sampled as random crops with flips and scale jitter.

Sampling uses one `numpy.random.Generator` whose state goes into every checkpoint, so a resumed run
draws exactly the crops the uninterrupted run would have drawn.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from vst_desktop.core import paths
from vst_desktop.core.errors import TrainingDataError
from vst_desktop.core.images import MIN_SIDE, scan_image_folder, scan_paired_folder


@dataclass
class FolderScan:
    """The usable images of a folder and what was skipped (with the reason), for the user to see."""

    folder: Path
    images: list[Path] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)


@dataclass
class PairScan:
    folder: Path
    pairs: list[tuple[Path, Path]] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)


def read_rgb(path: Path) -> np.ndarray | None:
    """uint8 RGB HxWx3, or None when OpenCV cannot decode the file."""
    data = np.fromfile(str(path), dtype=np.uint8)  # fromfile+imdecode: works with non-ASCII paths on Windows
    img = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
    return None if img is None else cv2.cvtColor(img, cv2.COLOR_BGR2RGB)


def scan_images(folder: Path | str, role: str = "style") -> FolderScan:
    """Every readable image of at least MIN_SIDE px in `folder`; raises TrainingDataError when none is.

    The rules live in core.images so that the training dialog (which may not import torch) shows the very
    messages this raises.
    """
    scan = scan_image_folder(folder, role=role, min_side=MIN_SIDE)
    if scan.problem:
        raise TrainingDataError(scan.problem, scan.hint)
    return FolderScan(scan.folder, list(scan.images), list(scan.skipped))


def scan_pairs(folder: Path | str) -> PairScan:
    """(input, target) files with the same name stem; raises TrainingDataError when there are none."""
    scan = scan_paired_folder(folder, MIN_SIDE)
    if scan.problem:
        raise TrainingDataError(scan.problem, scan.hint)
    return PairScan(scan.folder, list(scan.pairs), list(scan.skipped))


def bundled_content_dir() -> Path:
    return paths.resources_dir() / "content"


def downsize(img: np.ndarray, max_side: int) -> np.ndarray:
    h, w = img.shape[:2]
    scale = max_side / max(h, w)
    if scale >= 1.0:
        return img
    return cv2.resize(img, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)


def load_images(files: list[Path], max_side: int) -> list[np.ndarray]:
    out = []
    for f in files:
        img = read_rgb(f)
        if img is None:  # scanned as readable a moment ago: the file changed under us
            raise TrainingDataError(f"{f} can no longer be read.", "Check that the folder is not being modified.")
        out.append(downsize(img, max_side))
    return out


class CropSampler:
    """Random square crops with scale jitter and horizontal flips, as float32 RGB NCHW in [0, 1].

    Each crop covers a square window whose side is a random fraction (`scale_range`) of the image's short
    side, resized to `crop` px: a small fraction zooms in (large strokes), a large one shows more context.
    With `pixel_scale` the window side is instead `crop` times that factor: images stay near their own
    pixel scale. Paired mode uses that and cuts the same window from the input and the target, because an
    edit (edges, grain, sharpening) is tied to the pixel scale it was made at.
    """

    def __init__(self, images: list[np.ndarray], crop: int, scale_range: tuple[float, float],
                 targets: list[np.ndarray] | None = None, pixel_scale: bool = False) -> None:
        self.images = images
        self.targets = targets
        self.crop = crop
        self.scale_range = scale_range
        self.pixel_scale = pixel_scale

    def _window(self, rng: np.random.Generator, h: int, w: int) -> tuple[int, int, int]:
        lo, hi = self.scale_range
        base = self.crop if self.pixel_scale else min(h, w)
        side = int(round(base * rng.uniform(lo, hi)))
        side = max(min(side, h, w), 8)
        y = int(rng.integers(0, h - side + 1))
        x = int(rng.integers(0, w - side + 1))
        return y, x, side

    def _cut(self, img: np.ndarray, y: int, x: int, side: int, flip: bool) -> np.ndarray:
        patch = img[y:y + side, x:x + side]
        interp = cv2.INTER_AREA if side > self.crop else cv2.INTER_LINEAR
        patch = cv2.resize(patch, (self.crop, self.crop), interpolation=interp)
        return patch[:, ::-1] if flip else patch

    def sample(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray | None]:
        xs, ys = [], []
        for _ in range(n):
            i = int(rng.integers(0, len(self.images)))
            img = self.images[i]
            y, x, side = self._window(rng, *img.shape[:2])
            flip = bool(rng.integers(0, 2))
            xs.append(self._cut(img, y, x, side, flip))
            if self.targets is not None:
                ys.append(self._cut(self.targets[i], y, x, side, flip))
        return _to_nchw(xs), (_to_nchw(ys) if self.targets is not None else None)


def _to_nchw(batch: list[np.ndarray]) -> np.ndarray:
    return np.ascontiguousarray(np.stack(batch).transpose(0, 3, 1, 2), dtype=np.float32) / 255.0


def center_square(img: np.ndarray, size: int) -> np.ndarray:
    """The largest centred square of `img`, resized to `size` px (validation photos, thumbnails)."""
    h, w = img.shape[:2]
    s = min(h, w)
    y, x = (h - s) // 2, (w - s) // 2
    return cv2.resize(img[y:y + s, x:x + s], (size, size), interpolation=cv2.INTER_AREA)


def pick_evenly(items: list, k: int) -> list:
    """k items spread over the list: a fixed, varied validation set without randomness."""
    if len(items) <= k:
        return list(items)
    idx = np.linspace(0, len(items) - 1, k).round().astype(int)
    return [items[i] for i in idx]


@dataclass
class TrainingData:
    """Everything the loop samples from, plus the fixed validation photos for sample grids."""

    style: CropSampler | None  # unpaired mode: crops of the style images
    content: CropSampler  # unpaired: content photos; paired: input images with their targets
    val_inputs: np.ndarray  # float32 NCHW, fixed for the whole run
    val_targets: np.ndarray | None
    style_files: list[Path]
    content_files: list[Path]
    skipped: list[tuple[Path, str]]


def scan_training_folders(styles_dir: str, content_dir: str, paired: bool) -> tuple[list, list, list]:
    """Validate the folders (raising TrainingDataError) and return (style files, content files, skipped).

    In paired mode the "style files" are (input, target) pairs and content files are unused.
    """
    if paired:
        pairs = scan_pairs(styles_dir)
        return pairs.pairs, [], pairs.skipped
    style = scan_images(styles_dir, role="style")
    content = scan_images(content_dir or bundled_content_dir(), role="content")
    # The bundled set's LICENSES.md is expected there: only a user's own folder gets its junk listed.
    content_skipped = content.skipped if content_dir else []
    return style.images, content.images, style.skipped + content_skipped


def load_training_data(styles_dir: str, content_dir: str, paired: bool, crop: int,
                       scale_range: tuple[float, float], max_side: int, val_photos: int,
                       val_size: int = 192, paired_scale_range: tuple[float, float] = (0.8, 1.25),
                       content_pixel_scale: bool = False) -> TrainingData:
    """`content_pixel_scale`: content crops near the photos' own pixel scale (`paired_scale_range`), as in
    paired mode, and style crops likewise; the painted recipe's strokes have a size in pixels, like an edit."""
    style_files, content_files, skipped = scan_training_folders(styles_dir, content_dir, paired)
    if paired:
        inputs = load_images([p for p, _ in style_files], max_side)
        targets = load_images([t for _, t in style_files], max_side)
        val_idx = pick_evenly(list(range(len(inputs))), val_photos)
        return TrainingData(
            style=None,
            content=CropSampler(inputs, crop, paired_scale_range, targets=targets, pixel_scale=True),
            val_inputs=_to_nchw([center_square(inputs[i], val_size) for i in val_idx]),
            val_targets=_to_nchw([center_square(targets[i], val_size) for i in val_idx]),
            style_files=[p for pair in style_files for p in pair], content_files=[], skipped=skipped)
    styles = load_images(style_files, max_side)
    contents = load_images(content_files, max_side)
    # At the pixel scale the content is cut at, the discriminator compares marks of the same size.
    return TrainingData(
        style=(CropSampler(styles, crop, paired_scale_range, pixel_scale=True) if content_pixel_scale
               else CropSampler(styles, crop, scale_range)),
        content=(CropSampler(contents, crop, paired_scale_range, pixel_scale=True) if content_pixel_scale
                 else CropSampler(contents, crop, scale_range)),
        val_inputs=_to_nchw([center_square(c, val_size) for c in pick_evenly(contents, val_photos)]),
        val_targets=None, style_files=list(style_files), content_files=list(content_files), skipped=skipped)

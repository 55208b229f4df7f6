"""Listing and checking folders of images with OpenCV (no torch, no Qt): what a folder offers for training.

The training engine does its own check before any work; this module lets the GUI tell the person the same
things while they pick a folder (how many usable images, which files are skipped and why), without
importing the engine. The rules match the engine's: the same extensions, the same minimum side.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

# The image files the app reads and writes: what OpenCV decodes and encodes in every build it ships with.
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff")
MIN_SIDE = 64  # smaller images cannot give a useful training crop


@dataclass
class ImageFolderScan:
    """The usable images of a folder, what was skipped (with the reason) and, when none is usable, why.

    `paired` folders hold `input/` and `target/` with matching file names; `images` then lists the inputs
    that have a matching target, and `pairs` the (input, target) files.
    """

    folder: Path
    images: list[Path] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    problem: str = ""  # "" when the folder can be used
    hint: str = ""
    paired: bool = False
    pairs: list[tuple[Path, Path]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problem and bool(self.images)


def read_bgr(path: Path | str, flags: int = cv2.IMREAD_COLOR) -> np.ndarray | None:
    """uint8 BGR image, or None when OpenCV cannot decode it (works with non-ASCII paths on Windows)."""
    try:
        data = np.fromfile(str(path), dtype=np.uint8)
    except OSError:
        return None
    img = cv2.imdecode(data, flags) if data.size else None
    if img is None or img.ndim != 3:
        return None if img is None else cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
    return img


def thumbnail_bgr(path: Path | str, size: int = 96) -> np.ndarray | None:
    """A small centred square of the image for a thumbnail strip (decoded at reduced size when large)."""
    img = read_bgr(path, cv2.IMREAD_REDUCED_COLOR_4)
    if img is None or min(img.shape[:2]) < size // 2:
        img = read_bgr(path)
    if img is None:
        return None
    h, w = img.shape[:2]
    s = min(h, w)
    y, x = (h - s) // 2, (w - s) // 2
    return cv2.resize(img[y:y + s, x:x + s], (size, size), interpolation=cv2.INTER_AREA)


def _image_size(path: Path) -> tuple[int, int] | None:
    img = read_bgr(path)
    return None if img is None else (img.shape[1], img.shape[0])


def scan_image_folder(folder: Path | str, role: str = "style", min_side: int = MIN_SIDE) -> ImageFolderScan:
    """Check every file of `folder` (not recursive); never raises for a bad folder: see `problem`."""
    folder = Path(folder)
    scan = ImageFolderScan(folder)
    if not folder.exists():
        scan.problem, scan.hint = (f"The {role} folder {folder} does not exist.",
                                   "Check the path, or choose the folder again.")
        return scan
    if not folder.is_dir():
        scan.problem, scan.hint = (f"{folder} is a file, not a folder of {role} images.",
                                   "Give the folder that holds the images.")
        return scan
    try:
        files = sorted(p for p in folder.iterdir() if p.is_file())
    except OSError as exc:
        scan.problem, scan.hint = f"The {role} folder {folder} cannot be read ({exc}).", "Check its permissions."
        return scan
    if not files:
        scan.problem, scan.hint = (f"The {role} folder {folder} is empty.",
                                   "Put a few images (jpg, png, webp, bmp) in it.")
        return scan
    for path in files:
        if path.suffix.lower() not in IMAGE_SUFFIXES:
            scan.skipped.append((path, "not an image file"))
            continue
        size = _image_size(path)
        if size is None:
            scan.skipped.append((path, "cannot be read as an image"))
        elif min(size) < min_side:
            scan.skipped.append((path, f"too small ({size[0]}x{size[1]} px, needs {min_side} px or more)"))
        else:
            scan.images.append(path)
    if not scan.images:
        reasons = "; ".join(f"{p.name}: {why}" for p, why in scan.skipped[:5])
        scan.problem = f"The {role} folder {folder} holds no usable images ({reasons})."
        scan.hint = f"Add jpg, png, webp or bmp images of at least {min_side}x{min_side} px."
    return scan


def is_paired_folder(folder: Path | str) -> bool:
    folder = Path(folder)
    return (folder / "input").is_dir() and (folder / "target").is_dir()


def scan_training_folder(folder: Path | str, min_side: int = MIN_SIDE) -> ImageFolderScan:
    """A style folder, or a before/after folder (`input/` + `target/` with matching names)."""
    folder = Path(folder)
    if not is_paired_folder(folder):
        return scan_image_folder(folder, "style", min_side)
    return scan_paired_folder(folder, min_side)


def scan_paired_folder(folder: Path | str, min_side: int = MIN_SIDE) -> ImageFolderScan:
    """`input/` and `target/` images matched by file name (any extension), of equal sizes."""
    folder = Path(folder)
    inputs = scan_image_folder(folder / "input", "input", min_side)
    targets = scan_image_folder(folder / "target", "target", min_side)
    scan = ImageFolderScan(folder, paired=True, skipped=inputs.skipped + targets.skipped)
    for part in (inputs, targets):
        if part.problem:
            scan.problem, scan.hint = part.problem, part.hint
            return scan
    by_stem = {p.stem: p for p in targets.images}
    for src in inputs.images:
        dst = by_stem.pop(src.stem, None)
        if dst is None:
            scan.skipped.append((src, "no target image with the same name"))
        elif _image_size(src) != _image_size(dst):
            scan.skipped.append((src, "input and target sizes differ"))
        else:
            scan.images.append(src)
            scan.pairs.append((src, dst))
    scan.skipped += [(p, "no input image with the same name") for p in by_stem.values()]
    if not scan.images:
        scan.problem = f"{folder} has input/ and target/ folders but no matching pairs."
        scan.hint = "Give each edited image in target/ the same file name as its original in input/."
    return scan

"""Reading the material that evaluation measures: video clips, photo folders, style folders.

Decoding goes through PyAV directly (it reads mp4 and gif alike) so that evaluation does not depend on
the live capture classes. Everything is downscaled on the way in: the metrics are about statistics of
the picture, and small frames keep a full evaluation to seconds on two CPU cores.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import av
import cv2
import numpy as np

from vst_desktop.core.errors import SourceError
from vst_desktop.core.images import IMAGE_SUFFIXES

VIDEO_SUFFIXES = {".mp4", ".gif", ".mov", ".mkv", ".avi", ".webm", ".m4v"}


def resize_to_width(img: np.ndarray, width: int) -> np.ndarray:
    """Resize keeping the aspect ratio; sizes are rounded to multiples of 8 (the style graphs need them)."""
    h, w = img.shape[:2]
    new_w = max(8, int(round(width / 8)) * 8)
    new_h = max(8, int(round(h * new_w / w / 8)) * 8)
    interp = cv2.INTER_AREA if new_w < w else cv2.INTER_CUBIC
    return cv2.resize(img, (new_w, new_h), interpolation=interp)


def resize_long_side(img: np.ndarray, long_side: int) -> np.ndarray:
    h, w = img.shape[:2]
    if w >= h:
        return resize_to_width(img, long_side)
    return resize_to_width(img, long_side * w / h)


def read_clip(path: str | Path, max_frames: int = 24, step: int = 2, width: int = 320) -> list[np.ndarray]:
    """Up to `max_frames` BGR frames of a video, every `step`-th one, `width` pixels wide.

    Consecutive returned frames are the pairs that the warping error compares, so `step` should stay
    small (the flow must still be estimable); 2 keeps 30 fps clips close to a 15 fps camera.
    """
    path = Path(path)
    if not path.is_file():
        raise SourceError(f"The video {path} does not exist.", "Check the path given with --video.")
    frames: list[np.ndarray] = []
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise SourceError(f"{path} holds no video stream.", "Give an mp4, gif or other video file.")
            for i, frame in enumerate(container.decode(video=0)):
                if i % step:
                    continue
                frames.append(resize_to_width(frame.to_ndarray(format="bgr24"), width))
                if len(frames) >= max_frames:
                    break
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise SourceError(f"The video {path} could not be read ({exc}).",
                          "Give a video file FFmpeg can decode (mp4, gif, ...).") from exc
    if len(frames) < 2:
        raise SourceError(f"The video {path} has fewer than 2 readable frames.",
                          "Give a longer video clip.")
    return frames


def image_files(folder: str | Path) -> list[Path]:
    folder = Path(folder)
    if not folder.is_dir():
        raise SourceError(f"The folder {folder} does not exist.", "Check the folder path.")
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())


def read_image(path: str | Path) -> np.ndarray:
    # imdecode instead of imread: it also handles non-ASCII paths on Windows
    data = np.fromfile(str(path), dtype=np.uint8)
    img = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
    if img is None:
        raise SourceError(f"The image {path} could not be read.", "Remove or replace the file.")
    return img


def read_images(paths: Iterable[str | Path], long_side: int | None = None) -> list[np.ndarray]:
    out = []
    for p in paths:
        img = read_image(p)
        out.append(resize_long_side(img, long_side) if long_side else img)
    return out


def read_folder(folder: str | Path, long_side: int | None = None, limit: int | None = None) -> list[np.ndarray]:
    files = image_files(folder)[:limit]
    if not files:
        raise SourceError(f"The folder {folder} holds no readable images.", "Give a folder of photos.")
    return read_images(files, long_side)

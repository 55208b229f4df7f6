"""The webcam case as its own evaluation set: a person before a plain background.

It is what the live view mostly shows, and the hardest case for a style: a plain wall and skin leave a
style nothing to hang marks on, so a style that looks painted on detailed photos can look like a tint
there. Evaluation reports it apart from the detailed photos, for every metric.

The set: frames spread over the shared face clip and the bundled demo clip (the same kind of scene), and
the validation portraits whose background is plain (chosen by eye and named below; the other portraits
stand before streets, foliage or bokeh and stay with the detailed photos).
"""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np

from vst_desktop.core import paths
from vst_desktop.core.errors import SourceError
from vst_desktop.evaluation.media import image_files, read_image, resize_long_side

SHARED_CLIPS = ("head-pose-face-detection-male.gif",)
PLAIN_PORTRAITS = ("faces_cc0_057.jpg", "faces_cc0_064.jpg", "faces_cc0_072.jpg", "faces_cc0_087.jpg",
                   "faces_cc0_094.jpg")
LONG_SIDE = 512  # as the photos: at most this, sides multiples of 8, never upscaled


def webcam_clips() -> list[Path]:
    """The shared face clip (when the shared data is there) and the bundled demo clip."""
    shared = paths.shared_data_dir()
    clips = [shared / "video" / c for c in SHARED_CLIPS] if shared else []
    clips.append(paths.demo_clip())
    return [c for c in clips if c.is_file()]


def sized(img: np.ndarray) -> np.ndarray:
    return resize_long_side(img, min(LONG_SIDE, max(img.shape[:2])))


def clip_frames(path: str | Path, count: int = 6) -> list[np.ndarray]:
    """`count` frames spread evenly over a clip (the whole clip is decoded: the clips are short)."""
    try:
        with av.open(str(path)) as container:
            frames = [f.to_ndarray(format="bgr24") for f in container.decode(video=0)]
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise SourceError(f"The video {path} could not be read ({exc}).", "Give a video FFmpeg can decode.") from exc
    if not frames:
        raise SourceError(f"The video {path} holds no frames.", "Give another clip.")
    idx = np.linspace(0, len(frames) - 1, min(count, len(frames))).round().astype(int)
    return [sized(frames[i]) for i in idx]


def split_photos(photos_dir: str | Path) -> tuple[list[Path], list[Path]]:
    """(detailed photos, plain-background portraits) of a photo folder."""
    files = image_files(photos_dir)
    portraits = [f for f in files if f.name in PLAIN_PORTRAITS]
    return [f for f in files if f.name not in PLAIN_PORTRAITS], portraits


def webcam_set(photos_dir: str | Path | None = None, frames_per_clip: int = 6,
               clips: list[Path] | None = None) -> tuple[list[np.ndarray], dict]:
    """The webcam frames and portraits, and a description of where they came from."""
    clips = webcam_clips() if clips is None else clips
    images, sources = [], {}
    for c in clips:
        frames = clip_frames(c, frames_per_clip)
        images += frames
        sources[c.name] = len(frames)
    if photos_dir is not None:
        for f in split_photos(photos_dir)[1]:
            images.append(sized(read_image(f)))
            sources[f.name] = 1
    return images, {"count": len(images), "sources": sources}

"""A clip set for temporal stability under motion: camera pans, zooms and rotations of still photos, and the
shared clips (a hand at work, a person walking, a face turning, people in a room), at 640x360.

Two parts, fixed by the data, not by chance, so that a stabiliser can be tuned on one and judged on the other:

* TUNE: photos from `content/train` and the shared clips `bottle-detection.mp4` (a hand placing bottles)
  and `one-by-one-person-detection.mp4` (a person walking across a room).
* HELD-OUT: photos from `content/val` (webcam-like `faces_*` portraits among them) and the shared clips
  `head-pose-face-detection-male.gif` (a face turning, webcam-like) and `classroom.gif` (people in a room).
  Its photo motions are of the same kinds but with other speeds and directions: motion nobody tuned on.

A photo clip is a window of the photo moved by a known smooth motion, 1-3 px per frame (sub-pixel steps
included), 16 frames. `pan` is the camera's move: the picture's content moves the opposite way. Each
clip is small (16-24 frames at 640x360), so a style is measured on the whole set in about a minute.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from vst_desktop.core import paths
from vst_desktop.evaluation.media import image_files, read_clip, read_image

FRAME_SIZE = (640, 360)  # (w, h): the live inference size on a CPU
PHOTO_FRAMES = 16
PHOTOS_PER_PART = 12
TUNE, HELD_OUT = "tune", "held_out"
PARTS = (TUNE, HELD_OUT)


@dataclass(frozen=True)
class Motion:
    """A camera move per frame, in output pixels: pan (dx, dy), zoom factor, rotation in degrees."""

    name: str
    pan: tuple[float, float] = (0.0, 0.0)
    zoom: float = 1.0  # > 1: zooming in (content grows)
    degrees: float = 0.0

    def at(self, t: int) -> np.ndarray:
        """2x3 affine map from output pixel coordinates of frame t to canvas coordinates (canvas = the photo
        at output scale, origin at its centre)."""
        z = self.zoom ** t
        a = math.radians(self.degrees * t)
        c, s = math.cos(a) / z, math.sin(a) / z
        cx, cy = (FRAME_SIZE[0] - 1) / 2.0, (FRAME_SIZE[1] - 1) / 2.0
        tx, ty = self.pan[0] * t, self.pan[1] * t
        return np.array([[c, -s, tx - c * cx + s * cy], [s, c, ty - s * cx - c * cy]], dtype=np.float64)


IDENTITY = Motion("still")
# Corners of a 640x360 frame are ~367 px from its centre: 0.6 %/frame zoom or 0.3 deg/frame moves them ~2 px.
MOTIONS = {
    TUNE: (Motion("pan_right", pan=(1.5, 0.0)), Motion("zoom_in", zoom=1.006),
           Motion("pan_diagonal", pan=(1.25, -0.75)), Motion("rotate", degrees=0.3),
           Motion("zoom_out", zoom=1 / 1.005), Motion("pan_zoom", pan=(1.0, 0.5), zoom=1.004)),
    HELD_OUT: (Motion("pan_left", pan=(-2.5, 0.0)), Motion("zoom_in", zoom=1.008),
               Motion("pan_diagonal", pan=(-1.6, 1.2)), Motion("rotate", degrees=-0.4),
               Motion("zoom_out", zoom=1 / 1.007), Motion("pan_zoom", pan=(-1.75, -0.5), zoom=1 / 1.005)),
}


@dataclass(frozen=True)
class VideoExcerpt:
    """A stretch of a shared clip with motion in it: `count` frames from `start`, every `step`-th one
    (steps chosen so that each runs at 10-15 frames per second, like a webcam)."""

    file: str
    start: int
    step: int
    count: int = 24


VIDEOS = {
    TUNE: (VideoExcerpt("bottle-detection.mp4", start=160, step=2),  # a hand places a bottle (30 fps)
           VideoExcerpt("one-by-one-person-detection.mp4", start=56, step=1)),  # a person walks through (10 fps)
    HELD_OUT: (VideoExcerpt("head-pose-face-detection-male.gif", start=0, step=1),  # 12.5 fps
               VideoExcerpt("classroom.gif", start=0, step=1)),  # 16.7 fps
}
PHOTO_FOLDERS = {TUNE: "train", HELD_OUT: "val"}


@dataclass(frozen=True)
class ClipSpec:
    """What a clip is made of, before any pixel is read: `source` is the photo or video file."""

    name: str
    part: str
    source: Path
    motion: Motion | None = None  # photo clips
    excerpt: VideoExcerpt | None = None  # video clips
    frames: int = PHOTO_FRAMES


def _family(path: Path) -> str:
    return path.stem.split("_")[0]  # faces, kodak, intel, skimage, whitehouse, ...


def pick_photos(files: list[Path], count: int) -> list[Path]:
    """`count` photos spread over the sources (faces, kodak, ...): round-robin across families in sorted
    order, each family's picks spread evenly over its sorted files. Deterministic."""
    families: dict[str, list[Path]] = {}
    for f in sorted(files):
        families.setdefault(_family(f), []).append(f)
    per_family = {k: 0 for k in families}
    while sum(per_family.values()) < min(count, len(files)):
        for k, members in families.items():
            if per_family[k] < len(members) and sum(per_family.values()) < count:
                per_family[k] += 1
    picked = []
    for k, members in families.items():
        n = per_family[k]
        picked += [members[int((i + 0.5) * len(members) / n)] for i in range(n)]
    return sorted(picked)


def clip_specs(part: str, data_dir: str | Path | None = None, photos: int = PHOTOS_PER_PART) -> list[ClipSpec]:
    """The clips of one part, in a fixed order: photo clips first, then the video excerpts."""
    if part not in PARTS:
        raise ValueError(f"part must be one of {PARTS}, not {part!r}")
    root = Path(data_dir) if data_dir else paths.shared_data_dir()
    if root is None:
        raise FileNotFoundError("../shared/data is needed beside the checkout (or VST_SHARED_DATA)")
    motions = MOTIONS[part]
    specs = []
    for i, photo in enumerate(pick_photos(image_files(root / "content" / PHOTO_FOLDERS[part]), photos)):
        motion = motions[i % len(motions)]
        specs.append(ClipSpec(f"{photo.stem}:{motion.name}", part, photo, motion=motion))
    for ex in VIDEOS[part]:
        specs.append(ClipSpec(Path(ex.file).stem, part, root / "video" / ex.file, excerpt=ex, frames=ex.count))
    return specs


def _canvas(photo: np.ndarray, motion: Motion, frames: int) -> tuple[np.ndarray, float, float]:
    """The photo scaled to cover every frame's window with a margin (cropping its longer side, as a camera
    would), and the canvas centre."""
    w, h = FRAME_SIZE
    corners = np.array([[0, 0, 1], [w - 1, 0, 1], [0, h - 1, 1], [w - 1, h - 1, 1]], dtype=np.float64).T
    reach = np.concatenate([np.abs(motion.at(t) @ corners) for t in range(frames)], axis=1).max(axis=1)
    need_w, need_h = 2 * reach[0] + 8, 2 * reach[1] + 8  # + 4 px a side: cubic interpolation reads 2 beyond
    ph, pw = photo.shape[:2]
    scale = max(need_w / pw, need_h / ph)
    # Multiples of 8, so that a style network can paint the whole canvas (anchored_clip).
    size = (int(math.ceil(pw * scale / 8)) * 8, int(math.ceil(ph * scale / 8)) * 8)
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    canvas = cv2.resize(photo, size, interpolation=interp)
    return canvas, (size[0] - 1) / 2.0, (size[1] - 1) / 2.0


def photo_clip(photo: np.ndarray, motion: Motion, frames: int = PHOTO_FRAMES,
               paint: Callable[[np.ndarray], np.ndarray] | None = None) -> list[np.ndarray]:
    """`frames` BGR uint8 frames of 640x360: the photo seen by a camera that moves by `motion`.

    `paint` (e.g. a style) is applied once to the whole canvas before the camera moves over it: a
    stylisation anchored to the scene, as steady as a stylised clip can be. Its warping error is the floor
    that per-frame stylisation plus any stabiliser is measured against (its finer texture loses more to the
    metric's bilinear resampling than the photo does, so that floor is above 1)."""
    canvas, cx, cy = _canvas(photo, motion, frames)
    if paint is not None:
        painted = paint(canvas)
        canvas = painted if painted.shape == canvas.shape else cv2.resize(painted, canvas.shape[1::-1])
    out = []
    for t in range(frames):
        m = motion.at(t)
        m[0, 2] += cx
        m[1, 2] += cy
        # WARP_INVERSE_MAP: m maps output pixels to canvas pixels. Cubic: less blur that varies with the
        # sub-pixel phase, which would itself read as flicker.
        out.append(cv2.warpAffine(canvas, m, FRAME_SIZE, flags=cv2.INTER_CUBIC | cv2.WARP_INVERSE_MAP,
                                  borderMode=cv2.BORDER_REFLECT))
    return out


def newly_visible(motion: Motion, t: int) -> np.ndarray:
    """(h, w) bool: the pixels of frame t + 1 that frame t did not show (the strip a pan or zoom-out brings
    in). Exact, from the motion: on a still photo nothing else can be occluded or revealed."""
    w, h = FRAME_SIZE
    xs, ys = np.meshgrid(np.arange(w, dtype=np.float64), np.arange(h, dtype=np.float64))
    m_next, m_prev = motion.at(t + 1), motion.at(t)
    qx = m_next[0, 0] * xs + m_next[0, 1] * ys + m_next[0, 2]  # canvas coordinates of frame t + 1's pixels
    qy = m_next[1, 0] * xs + m_next[1, 1] * ys + m_next[1, 2]
    inv = cv2.invertAffineTransform(m_prev)  # canvas -> frame t
    px = inv[0, 0] * qx + inv[0, 1] * qy + inv[0, 2]
    py = inv[1, 0] * qx + inv[1, 1] * qy + inv[1, 2]
    return (px < 0) | (px > w - 1) | (py < 0) | (py > h - 1)


def video_clip(path: Path, excerpt: VideoExcerpt) -> list[np.ndarray]:
    frames = read_clip(path, max_frames=(excerpt.start + excerpt.count * excerpt.step) // excerpt.step + 1,
                       step=excerpt.step, width=FRAME_SIZE[0])
    frames = frames[excerpt.start // excerpt.step:][:excerpt.count]
    # All four clips are 16:9; a resize only guards against rounding of the height.
    return [f if f.shape[1::-1] == FRAME_SIZE else cv2.resize(f, FRAME_SIZE, interpolation=cv2.INTER_AREA)
            for f in frames]


def render(spec: ClipSpec, paint: Callable[[np.ndarray], np.ndarray] | None = None) -> list[np.ndarray]:
    """The clip's frames; `paint` (photo clips only) as in `photo_clip`."""
    if spec.excerpt is not None:
        return video_clip(spec.source, spec.excerpt)
    return photo_clip(read_image(spec.source), spec.motion, spec.frames, paint)


def motion_set(part: str, data_dir: str | Path | None = None) -> dict[str, list[np.ndarray]]:
    """{clip name: frames} for one part (about 240 frames, 170 MB)."""
    return {s.name: render(s) for s in clip_specs(part, data_dir)}

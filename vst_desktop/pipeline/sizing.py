"""Inference sizes: presets by height, widths that keep the frame's aspect, multiples of 8."""

from __future__ import annotations

# Name -> target height. The width follows the source aspect ratio.
PRESETS: dict[str, int] = {
    "Fast 360p": 360,
    "Balanced 540p": 540,
    "Quality 720p": 720,
    "Max 1080p": 1080,
}


def round8(v: float) -> int:
    """Generators downsample by 8 in total; other sizes would be padded or cropped inside the graph."""
    return max(8, int(round(v / 8.0)) * 8)


def fit_height(frame_size: tuple[int, int], height: int) -> tuple[int, int]:
    """The inference size with `height` rows (never upscaling the frame) and the frame's aspect ratio."""
    w, h = frame_size
    height = min(height, h)
    return round8(w * height / h), round8(height)


def parse_size(text: str) -> tuple[int, int]:
    """'640x360' -> (640, 360); raises ValueError with the expected format."""
    try:
        w, h = (int(p) for p in text.lower().split("x"))
    except ValueError as exc:
        raise ValueError(f"size must look like 640x360, got {text!r}") from exc
    if w <= 0 or h <= 0:
        raise ValueError(f"size must be positive, got {text!r}")
    return w, h

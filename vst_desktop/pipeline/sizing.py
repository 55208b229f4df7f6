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


# Sizes a user may ask for: below 32 px a generator has nothing left to paint, above 8K (7680x4320) one
# frame's buffers alone pass a gigabyte.
MIN_SIDE, MAX_WIDTH, MAX_HEIGHT = 32, 7680, 4320


def parse_size(text: str) -> tuple[int, int]:
    """'640x360' -> (640, 360); raises ValueError saying the expected format and range."""
    try:
        w, h = (int(p) for p in text.strip().lower().split("x"))
    except ValueError as exc:
        raise ValueError(f"size must look like 640x360 (width x height in pixels), got {text!r}") from exc
    if not (MIN_SIDE <= w <= MAX_WIDTH and MIN_SIDE <= h <= MAX_HEIGHT):
        raise ValueError(f"size {w}x{h} is out of range: width {MIN_SIDE}-{MAX_WIDTH} and height "
                         f"{MIN_SIDE}-{MAX_HEIGHT} pixels")
    return w, h


# On a CPU the network runs at most this tall (its cost grows ~7x from 360p to 720p: cache misses on top of
# the pixels); taller outputs are enlarged guided by the frame (pipeline/upsample.py). A GPU runs the
# network at the output size.
CPU_NETWORK_HEIGHT = 360


def network_size(output_size: tuple[int, int], on_gpu: bool = False) -> tuple[int, int]:
    """The size the network runs at for frames shown, recorded and sent at `output_size`."""
    return fit_height(output_size, output_size[1] if on_gpu else CPU_NETWORK_HEIGHT)


def is_gpu(provider: str) -> bool:
    return bool(provider) and provider != "CPUExecutionProvider"

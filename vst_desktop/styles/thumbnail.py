"""A style's thumbnail (`<id>.png`, a 256x256 PNG, docs/architecture.md), checked without trusting it.

A PNG of a few kilobytes can declare 20000x20000 pixels and take gigabytes to decode, so the size in its
header is read (24 bytes) and checked before any decoder sees the file: at install, and again whenever
the library lists a style (the gallery decodes the thumbnails it lists).
"""

from __future__ import annotations

import struct
from pathlib import Path

import cv2
import numpy as np

from vst_desktop.core.errors import StyleError

SIZE = 256  # what the exporter writes
MAX_SIDE = 1024  # accepted from packages made by hand; anything bigger is refused unread
MAX_BYTES = 8 * 1024 * 1024
_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_HINT = f"Re-export the style; the thumbnail is a {SIZE}x{SIZE} PNG."


def header_size(path: Path, label: str | None = None) -> tuple[int, int]:
    """(width, height) from the PNG header of `path`; StyleError if it is not a PNG of a sane size."""
    name = label or Path(path).name
    try:
        with open(path, "rb") as f:
            head = f.read(24)
    except OSError as e:
        raise StyleError(f"Cannot read the thumbnail {name}: {e}.", _HINT) from e
    # The signature, then the IHDR chunk: length (13), type, width, height (big-endian).
    if len(head) < 24 or head[:8] != _SIGNATURE or head[12:16] != b"IHDR":
        raise StyleError(f"The thumbnail {name} is not a PNG image.", _HINT)
    width, height = struct.unpack(">II", head[16:24])
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
        raise StyleError(f"The thumbnail {name} is {width}x{height} pixels; a style's thumbnail is "
                         f"{SIZE}x{SIZE} (at most {MAX_SIDE}x{MAX_SIDE} is accepted).", _HINT)
    return width, height


def check_thumbnail(path: Path, label: str | None = None) -> None:
    """Header first, then a real decode (only once the header promised a small image)."""
    name = label or Path(path).name
    header_size(path, label)
    data = np.fromfile(str(path), dtype=np.uint8)
    if data.size > MAX_BYTES or cv2.imdecode(data, cv2.IMREAD_COLOR) is None:
        raise StyleError(f"The thumbnail {name} is not a readable PNG image.", _HINT)

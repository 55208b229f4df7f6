"""Free disk space, probed through this module so tests can monkeypatch `free_bytes`."""

from __future__ import annotations

import shutil
from pathlib import Path


def free_bytes(path: str | Path) -> int:
    """Bytes available on the volume holding `path` (or its nearest existing parent)."""
    p = Path(path).absolute()
    while not p.exists() and p != p.parent:
        p = p.parent
    return shutil.disk_usage(p).free


def format_bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if abs(n) < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"

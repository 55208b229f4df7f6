"""File names for recordings and snapshots: timestamped, and never an existing file."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path


def unique_path(folder: str | Path, prefix: str, ext: str, now: datetime | None = None) -> Path:
    """Reserve and return `folder/<prefix>-YYYYmmdd-HHMMSS<ext>`, adding -1, -2... when taken.

    The file is created empty here (exclusive create), so two recorders started in the same second
    cannot pick the same name; the caller then overwrites its own empty file.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    ext = ext if ext.startswith(".") else f".{ext}"
    stem = f"{prefix}-{(now or datetime.now()).strftime('%Y%m%d-%H%M%S')}"
    n = 0
    while True:
        candidate = folder / (f"{stem}{ext}" if n == 0 else f"{stem}-{n}{ext}")
        try:
            with open(candidate, "x"):
                return candidate
        except FileExistsError:
            n += 1

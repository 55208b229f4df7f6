"""Save the current (stylized) frame as a PNG."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from vst_desktop.core.errors import RecordingError
from vst_desktop.recording.naming import unique_path


def save_snapshot(pixels: np.ndarray, folder: str | Path, prefix: str = "snapshot") -> Path:
    """Write BGR `pixels` to a new PNG in `folder` (never overwrites) and return its path."""
    ok, data = cv2.imencode(".png", pixels)
    if not ok:
        raise RecordingError("Could not encode the snapshot as PNG.", "Try again; this is a bug if it repeats.")
    try:
        path = unique_path(folder, prefix, ".png")
        # Bytes via Python rather than cv2.imwrite: works for non-ASCII paths on Windows too.
        path.write_bytes(data.tobytes())
    except OSError as exc:
        raise RecordingError(f"Could not save the snapshot in {folder}: {exc}",
                             "Check that the folder is writable, or choose another one in Settings.") from exc
    return path

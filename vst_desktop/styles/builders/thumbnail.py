"""Thumbnails: a style applied to a fixed reference photo, 256x256 PNG."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import onnxruntime as ort

SIZE = 256


def center_square(img: np.ndarray, size: int = SIZE) -> np.ndarray:
    """Scale the short side to `size` and crop the middle: no distortion, no borders."""
    h, w = img.shape[:2]
    scale = size / min(h, w)
    resized = cv2.resize(img, (max(size, round(w * scale)), max(size, round(h * scale))),
                         interpolation=cv2.INTER_AREA)
    y = (resized.shape[0] - size) // 2
    x = (resized.shape[1] - size) // 2
    return np.ascontiguousarray(resized[y:y + size, x:x + size])


def synthetic_photo(size: int = SIZE) -> np.ndarray:
    """A smooth colour test card for when no reference photo is at hand (e.g. the reference network)."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / (size - 1)
    b = 255 * (0.5 + 0.5 * np.sin(6.0 * xx + 1.0))
    g = 255 * yy
    r = 255 * (0.5 + 0.5 * np.cos(5.0 * (xx + yy)))
    return np.clip(np.stack([b, g, r], axis=-1), 0, 255).astype(np.uint8)


def render_thumbnail(onnx_path: Path, photo: np.ndarray, png_path: Path) -> Path:
    """Run the style once at full strength on `photo` (BGR) cropped to 256x256 and write a PNG."""
    so = ort.SessionOptions()
    so.log_severity_level = 3
    session = ort.InferenceSession(str(onnx_path), so, providers=["CPUExecutionProvider"])
    square = center_square(photo)
    out = session.run(["stylized"], {"frame": square[np.newaxis], "strength": np.array([1.0], np.float32)})[0]
    png_path = Path(png_path)
    png_path.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(png_path), out[0]):
        raise OSError(f"could not write {png_path}")
    return png_path

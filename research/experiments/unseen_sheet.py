"""A before/after contact sheet of one style on material it never saw: validation photos and clip frames.

    .venv/bin/python -m research.experiments.unseen_sheet STYLE.onnx OUT.jpg [--photos 3] [--height 300]

Top row the inputs, bottom row the style (with the app's stabiliser off: single frames).
"""

from __future__ import annotations

import argparse

import cv2
import numpy as np

from vst_desktop.evaluation.media import read_clip
from vst_desktop.evaluation.run import default_photos_dir, default_videos, load_photos
from vst_desktop.evaluation.stylizers import as_stylizer


def fit_height(img: np.ndarray, h: int) -> np.ndarray:
    w = int(round(img.shape[1] * h / img.shape[0])) // 4 * 4
    return cv2.resize(img, (w, h), interpolation=cv2.INTER_AREA)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("onnx")
    ap.add_argument("out")
    ap.add_argument("--photos", type=int, default=3)
    ap.add_argument("--height", type=int, default=300)
    a = ap.parse_args()
    stylize, _ = as_stylizer(a.onnx, prefer_gpu=False)
    photos = load_photos(default_photos_dir())
    inputs = [fit_height(p, a.height) for p in photos[:: max(1, len(photos) // a.photos)][:a.photos]]
    for clip in default_videos()[:2]:
        inputs.append(fit_height(read_clip(clip, max_frames=8)[4], a.height))
    top = np.hstack(inputs)
    bottom = np.hstack([stylize(x) for x in inputs])
    cv2.imwrite(a.out, np.vstack([top, bottom]), [cv2.IMWRITE_JPEG_QUALITY, 88])


if __name__ == "__main__":
    main()

"""A sheet of each folder's canvas as the teacher builds it: the painting crop at 128 and 256 px, and the
texture synthesized from the paintings' patches at 256 px (`analogy_canvas_form=painting_marks`).

Each row shows a 640 x 256 strip of the canvas repeated as it lies over a 640 px frame, so the repeats show
as they do on a plain wall behind a person. The paintings are read as training reads them (at most 640 px,
verified images only), then brought to the teacher's 512 px long side.

    python -m research.experiments.canvas_tiles --out docs/research/painter/round18/canvas_tiles.jpg
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import cv2
import numpy as np

from vst_desktop.core import paths
from vst_desktop.evaluation.media import image_files
from vst_desktop.training.texture.analogy import canvas_for, painting_tile
from vst_desktop.training.texture.synth import synthesized_tile

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import build_styles  # noqa: E402

WIDTH, HEIGHT = 640, 256


def greys(folder: str) -> list[np.ndarray]:
    excluded = build_styles.unverified_files()
    out = []
    for f in image_files(paths.shared_data_dir() / "styles" / folder):
        if f"styles/{folder}/{f.name}" in excluded:
            continue
        g = cv2.imread(str(f), cv2.IMREAD_GRAYSCALE).astype(np.float32) / 255.0
        for side in (640, 512):  # training's load size, then the teacher's working size
            k = min(1.0, side / max(g.shape))
            g = cv2.resize(g, None, fx=k, fy=k, interpolation=cv2.INTER_AREA) if k < 1 else g
        out.append(g)
    return out


def strip(tile: np.ndarray, label: str) -> np.ndarray:
    img = np.clip(128 + 40 * canvas_for(HEIGHT, WIDTH, tile), 0, 255).astype(np.uint8)
    img = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
    cv2.rectangle(img, (0, 0), (8 + 9 * len(label), 20), (0, 0, 0), -1)
    cv2.putText(img, label, (4, 15), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (255, 255, 255), 1, cv2.LINE_AA)
    return img


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    rows = []
    for style in build_styles.STYLES:
        g = greys(style.folder)
        t0 = time.time()
        marks = synthesized_tile(g, 256)
        print(f"{style.folder}: synthesized in {time.time() - t0:.1f} s", flush=True)
        gap = np.full((HEIGHT, 6, 3), 255, np.uint8)
        rows.append(np.hstack([strip(painting_tile(g, 128), f"{style.folder}: crop 128"), gap,
                               strip(painting_tile(g, 256), "crop 256"), gap,
                               strip(marks, "marks 256")]))
        rows.append(np.full((6, rows[-1].shape[1], 3), 255, np.uint8))
    sheet = np.vstack(rows[:-1])
    sheet = cv2.resize(sheet, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(args.out, sheet, [cv2.IMWRITE_JPEG_QUALITY, 88])
    return 0


if __name__ == "__main__":
    sys.exit(main())

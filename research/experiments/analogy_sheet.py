"""A sheet for docs/research/analogy_marks.md: per style, one of its paintings, then a held-out webcam frame and a
held-out photo painted by today's shipped style and by the analogy students without and with the discriminator.

    python -m research.experiments.analogy_sheet --grid build/analogy_grid --out docs/research/analogy/sheet.jpg
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np

from research.experiments.analogy_teacher import STYLES
from vst_desktop.evaluation.media import image_files, read_image
from vst_desktop.evaluation.parts import heldout_sets
from vst_desktop.evaluation.stylizers import open_session

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = {"van_gogh": "van-gogh", "monet": "monet", "ukiyo_e": "ukiyo-e", "picabia_udnie": "udnie",
           "munch_scream": "the-scream", "kandinsky": "kandinsky", "stained_glass_mosaic": "stained-glass",
           "ink_sketch": "ink-sketch", "cartoon_lithograph": "lithograph"}
CELL = 240


def cell(img: np.ndarray, label: str = "") -> np.ndarray:
    h = int(round(CELL * img.shape[0] / img.shape[1]))
    c = cv2.resize(img, (CELL, h), interpolation=cv2.INTER_AREA)
    c = cv2.copyMakeBorder(c, 0, max(0, 180 - h), 0, 0, cv2.BORDER_CONSTANT)[:180]
    if label:
        cv2.putText(c, label, (4, 14), cv2.FONT_HERSHEY_SIMPLEX, 0.42, (0, 0, 0), 3)
        cv2.putText(c, label, (4, 14), cv2.FONT_HERSHEY_SIMPLEX, 0.42, (255, 255, 255), 1)
    return c


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--grid", default=str(ROOT / "build" / "analogy_grid"))
    ap.add_argument("--variants", default="analogy_noD,analogy_D")
    ap.add_argument("--folders", default="van_gogh,monet,ukiyo_e,picabia_udnie")
    ap.add_argument("--webcam-only", action="store_true", help="the webcam frame only (every style on one frame)")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    detailed, webcam = heldout_sets()
    frame, photo = webcam[2], detailed[3]
    rows = []
    for folder in args.folders.split(","):
        sid = SHIPPED[folder]
        painting = read_image(image_files(STYLES / folder)[0])
        models = [("shipped", ROOT / "resources" / "styles" / f"{sid}.onnx")]
        models += [(v, next((Path(args.grid) / v / folder / "package").glob("*.onnx"))) for v in args.variants.split(",")]
        sessions = [(label, open_session(p, prefer_gpu=False)) for label, p in models]
        cells = [cell(painting, folder)]
        cells += [cell(s.run(frame, 1.0), label) for label, s in sessions]
        if not args.webcam_only:
            cells += [cell(s.run(photo, 1.0), label) for label, s in sessions]
        rows.append(np.concatenate(cells, 1))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(args.out, np.concatenate(rows), [cv2.IMWRITE_JPEG_QUALITY, 82])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

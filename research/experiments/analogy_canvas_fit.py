"""How much of the analogy teacher's flat-area marks can a generator write as a gain times a fixed tile?

The quick students of round 8 drew texture but not the teacher's marks. In flat areas (a plain wall) the
teacher's marks are a function of the canvas alone, so a fixed tile times a per-pixel gain could carry them
at full resolution. This measures, on the TUNE webcam frames, the share of the teacher's painted detail in
flat areas (R^2) explained by: the grey canvas times one gain per colour, the same with a gain per 16 px
block (what a network predicting the gain could reach), and the same two with the teacher's own painting of
a flat grey wall (`painted_wall_tile`) instead of the grey canvas.

    nice env OMP_NUM_THREADS=1 PYTHONPATH=. .venv/bin/python -m research.experiments.analogy_canvas_fit
"""

from __future__ import annotations

import argparse
import json

import cv2
import numpy as np

from research.experiments.analogy_teacher import STYLES, TRAIN, tune_sets
from vst_desktop.evaluation.media import image_files, read_image
from vst_desktop.training.texture.analogy import AnalogyTeacher, canvas_for, painted_wall_tile
from vst_desktop.training.texture.colour import fit_colour_transform, sample_pixels

ROUND8 = dict(patch=24, stride=12, low_sigma=6.0, canvas=1.5, canvas_form="painting", canvas_flat=3.0)
BLOCK = 16


def painted_detail(teacher: AnalogyTeacher, x: np.ndarray) -> np.ndarray:
    """The painting's detail the teacher laid on `x` (RGB float), before clipping is lost in the mean."""
    low = cv2.GaussianBlur(x, (0, 0), teacher.low_sigma)
    out = teacher.paint(x)
    return (out - low - teacher.keep * (x - low)) / max(teacher.detail, 1e-6)


def flat_mask(teacher: AnalogyTeacher, x: np.ndarray) -> np.ndarray:
    """Where the canvas keeps at least half its weight (the photo's structure is weak there)."""
    grey = cv2.cvtColor(x, cv2.COLOR_RGB2GRAY)
    gb = cv2.GaussianBlur(grey, (0, 0), teacher.guide_sigma)
    s = teacher.patch / 4.0
    mean = cv2.GaussianBlur(gb, (0, 0), s)
    local = np.sqrt(np.maximum(cv2.GaussianBlur(gb * gb, (0, 0), s) - mean * mean, 0.0))
    return (teacher.canvas_flat * local / teacher.structure_rms) < 1.0


def r2(target: np.ndarray, basis: np.ndarray, mask: np.ndarray, block: int | None) -> float:
    """R^2 of target (H, W, 3) ~ gain * basis (H, W, C in {1, 3}) over `mask`, one gain per colour for the
    whole picture (block None) or per block x block tile."""
    h, w = mask.shape
    pred = np.zeros_like(target)
    cells = [(0, h, 0, w)] if block is None else [(y, min(y + block, h), x, min(x + block, w))
                                                 for y in range(0, h, block) for x in range(0, w, block)]
    for y0, y1, x0, x1 in cells:
        m = mask[y0:y1, x0:x1]
        if m.sum() < 8:
            continue
        for c in range(3):
            b = basis[y0:y1, x0:x1, min(c, basis.shape[2] - 1)][m]
            t = target[y0:y1, x0:x1, c][m]
            g = float(b @ t / (b @ b + 1e-9))
            pred[y0:y1, x0:x1, c] = g * basis[y0:y1, x0:x1, min(c, basis.shape[2] - 1)]
    t, p = target[mask], pred[mask]
    return float(1.0 - ((t - p) ** 2).sum() / ((t - t.mean(0)) ** 2).sum())


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--folders", default="van_gogh,monet,kandinsky,ukiyo_e,stained_glass_mosaic")
    ap.add_argument("--json")
    args = ap.parse_args()
    _, webcam = tune_sets()
    content_rgb = [read_image(p)[..., ::-1] for p in image_files(TRAIN)]
    report = {}
    for name in args.folders.split(","):
        paints = [read_image(p)[..., ::-1] for p in image_files(STYLES / name)]
        teacher = AnalogyTeacher(paints, **ROUND8)
        ct = fit_colour_transform(sample_pixels(content_rgb, seed=0), sample_pixels(paints, seed=0), 1.0)
        wall = painted_wall_tile(teacher)
        rows = {k: [] for k in ("canvas", "canvas_block", "wall", "wall_block")}
        for bgr in webcam:
            x = ct.apply_np(bgr[..., ::-1].astype(np.float32) / 255.0)
            h, w = x.shape[:2]
            target, mask = painted_detail(teacher, x), flat_mask(teacher, x)
            canvas = canvas_for(h, w, teacher.tile)[..., None]
            wall_map = np.stack([canvas_for(h, w, wall[..., c]) for c in range(3)], -1)
            rows["canvas"].append(r2(target, canvas, mask, None))
            rows["canvas_block"].append(r2(target, canvas, mask, BLOCK))
            rows["wall"].append(r2(target, wall_map, mask, None))
            rows["wall_block"].append(r2(target, wall_map, mask, BLOCK))
        report[name] = {k: round(float(np.mean(v)), 3) for k, v in rows.items()}
        print(name, report[name], flush=True)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"settings": ROUND8, "block": BLOCK, "r2_flat_webcam_tune": report}, f, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

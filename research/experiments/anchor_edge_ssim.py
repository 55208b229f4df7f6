"""Content edge SSIM of the published anchors (../shared/research/anchors/anchors_vs_ours.jpg) and of our
students at the anchors' scale (200 px high), to see whether the issue's edge-SSIM bar (0.45) is compatible
with marks on the wall behind the person.

The anchors sheet is 5 rows (input, Johnson Udnie, ours Udnie, Engstrom Wave, ours Ukiyo-e) of 5 cells
(3 detailed photos 200x200, 2 face-clip frames 356x200); the cells are found from the sheet's dark label
strips and column seams.

    python -m research.experiments.anchor_edge_ssim [--onnx name=path.onnx ...]
"""

from __future__ import annotations

import argparse
import json

import cv2
import numpy as np

from vst_desktop.core import paths
from vst_desktop.evaluation import metrics

SHEET = paths.shared_data_dir().parent / "research" / "anchors" / "anchors_vs_ours.jpg"
ROWS = ["input", "johnson_udnie", "ours_udnie_2026-12-03", "engstrom_wave", "ours_ukiyo_e_2026-12-03"]
HEIGHT = 200
FLAT = 0.05  # an input pixel is "flat" (the wall) where its blurred edge map is below this


def split_ssim(inp: np.ndarray, out: np.ndarray) -> tuple[float, float, float]:
    """Edge SSIM on the input's structure, on its flat areas, and the flat share of the frame."""
    smap = metrics.content_edge_ssim_map(inp, out)
    flat = cv2.GaussianBlur(metrics.edge_map(inp), (0, 0), 4.0) < FLAT
    return float(smap[~flat].mean()), float(smap[flat].mean()) if flat.any() else float("nan"), float(flat.mean())


def summary(pairs: list[tuple[np.ndarray, np.ndarray]]) -> dict:
    whole = [metrics.content_edge_ssim(a, b) for a, b in pairs]
    parts = np.array([split_ssim(a, b) for a, b in pairs])
    return {"edge_ssim": round(float(np.mean(whole)), 3), "on_structure": round(float(parts[:, 0].mean()), 3),
            "on_flat": round(float(np.nanmean(parts[:, 1])), 3), "flat_share": round(float(parts[:, 2].mean()), 2)}


def _runs(mask: np.ndarray, min_len: int) -> list[tuple[int, int]]:
    """Runs of True in a 1-D mask, at least `min_len` long."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(np.int8), [0]])))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True) if b - a >= min_len]


def cells(sheet: np.ndarray) -> list[list[np.ndarray]]:
    grey = sheet.astype(np.float32).mean(2)
    rows = _runs(grey.mean(1) >= 40, HEIGHT // 2)
    band = grey[rows[0][0]:rows[0][1]]
    width = int(np.flatnonzero(band.mean(0) >= 30)[-1]) + 1
    seams = np.abs(np.diff(band[:, :width], axis=1)).mean(0)
    # the 4 strongest column seams, at least 100 px apart (a cell is 200 or 356 px wide)
    cuts: list[int] = []
    for i in np.argsort(seams)[::-1]:
        if all(abs(int(i) - c) > 100 for c in cuts) and 100 < i < width - 100:
            cuts.append(int(i))
        if len(cuts) == 4:
            break
    bounds = [0, *[c + 1 for c in sorted(cuts)], width]
    return [[sheet[r0:r1, c0:c1] for c0, c1 in zip(bounds[:-1], bounds[1:], strict=True)] for r0, r1 in rows]


def small(img: np.ndarray) -> np.ndarray:
    h, w = img.shape[:2]
    return cv2.resize(img, (round(w * HEIGHT / h), HEIGHT), interpolation=cv2.INTER_AREA)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--onnx", action="append", default=[], help="name=path: also score this style at 200 px")
    ap.add_argument("--json")
    ap.add_argument("--sheet", help="write the first face frame per row: picture, edge map, SSIM map (not to "
                                    "be committed: it shows the anchors' pictures)")
    args = ap.parse_args()
    grid = cells(cv2.imread(str(SHEET)))
    if args.sheet:
        grey = lambda m: cv2.cvtColor((np.clip(m, 0, 1) * 255).astype(np.uint8), cv2.COLOR_GRAY2BGR)  # noqa: E731
        cv2.imwrite(args.sheet, np.vstack([np.hstack([row[3], grey(metrics.edge_map(row[3])),
                                                      grey(metrics.content_edge_ssim_map(grid[0][3], row[3]))])
                                           for row in grid]))
    result: dict = {}
    for name, row in zip(ROWS[1:], grid[1:], strict=True):
        pairs = list(zip(grid[0], row, strict=True))
        result[name] = {"photos": summary(pairs[:3]), "webcam": summary(pairs[3:])}
    if args.onnx:
        from vst_desktop.evaluation.parts import heldout_sets
        from vst_desktop.evaluation.stylizers import open_session
        detailed, webcam = heldout_sets()
        for spec in args.onnx:
            name, path = spec.split("=", 1)
            sess = open_session(path, prefer_gpu=False)
            result[name] = {}
            for set_name, inputs in (("photos", detailed), ("webcam", webcam)):
                outs = [sess.run(x, 1.0) for x in inputs]
                result[name][set_name] = summary([(small(a), small(b)) for a, b in zip(inputs, outs, strict=True)])
    print("| style | set | edge SSIM | on structure | on flat areas | flat share |\n|---|---|---|---|---|---|")
    for name, r in result.items():
        for set_name, v in r.items():
            print(f"| {name} | {set_name} | {v['edge_ssim']:.2f} | {v['on_structure']:.2f} | {v['on_flat']:.2f} "
                  f"| {v['flat_share']:.2f} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()

"""Issue 16 part 3: does a teacher whose marks are copied from each folder's paintings (texture transfer,
training/texture/analogy.py) get named as its painter, where the stroke teacher is called "photo"?

Scores the teacher itself (no network) on the TUNE set (--heldout: the held-out part, reported only): 10 detailed train photos and a webcam-like set
(6 demo-clip frames, 6 train portraits). Grey and colour identification (p_own, top-1), content edge SSIM.
munch_scream is the never-tuned folder: it is left out here and reported only at the end of the work.

    nice -n 19 env OMP_NUM_THREADS=1 .venv/bin/python -m research.experiments.analogy_teacher --set canvas=1
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import cv2
import numpy as np

from vst_desktop.core import paths
from vst_desktop.evaluation import metrics
from vst_desktop.evaluation.identify import IdentifyConfig, train_identifier
from vst_desktop.evaluation.media import image_files, read_image
from vst_desktop.evaluation.parts import heldout_sets, tune_sets
from vst_desktop.training.texture.analogy import AnalogyTeacher
from vst_desktop.training.texture.colour import fit_colour_transform, sample_pixels

SHARED = paths.shared_data_dir()
STYLES = SHARED / "styles"
TRAIN = SHARED / "content" / "train"
CACHE = paths.data_dir() / "cache"
NEVER_TUNED = "munch_scream"


def paint_set(teacher: AnalogyTeacher, ct, images_bgr: list[np.ndarray]) -> list[np.ndarray]:
    out = []
    for bgr in images_bgr:
        rgb = bgr[..., ::-1].astype(np.float32) / 255.0
        painted = teacher.paint(ct.apply_np(rgb))
        out.append(np.ascontiguousarray((painted[..., ::-1] * 255).round().astype(np.uint8)))
    return out


def sheet_row(cells: list[np.ndarray], label: str, width: int) -> np.ndarray:
    """BGR pictures side by side at `width` px each, labelled."""
    cells = [cv2.resize(c, (width, int(width * c.shape[0] / c.shape[1])), interpolation=cv2.INTER_AREA) for c in cells]
    hmax = max(c.shape[0] for c in cells)
    row = np.concatenate([cv2.copyMakeBorder(c, 0, hmax - c.shape[0], 0, 0, cv2.BORDER_CONSTANT) for c in cells], 1)
    cv2.putText(row, label, (4, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 255), 1)
    return row


def save(report: dict, json_path: str | None, sheet_path: str | None, sheet_rows: list[np.ndarray]) -> None:
    if json_path:
        Path(json_path).write_text(json.dumps(report, indent=1), encoding="utf-8")
    if sheet_path and sheet_rows:
        w = max(r.shape[1] for r in sheet_rows)
        cv2.imwrite(sheet_path, np.concatenate([cv2.copyMakeBorder(r, 0, 0, 0, w - r.shape[1], cv2.BORDER_CONSTANT)
                                                for r in sheet_rows]), [cv2.IMWRITE_JPEG_QUALITY, 85])


def _value(v: str) -> int | float | str:
    """A --set value: a number where it reads as one, else the text (canvas_form=bands)."""
    for kind in (int, float):
        try:
            return kind(v)
        except ValueError:
            pass
    return v


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--set", action="append", default=[], help="AnalogyTeacher keyword=value")
    ap.add_argument("--folders", default="")
    ap.add_argument("--sheet")
    ap.add_argument("--json")
    ap.add_argument("--final", action="store_true", help="include the never-tuned folder")
    ap.add_argument("--heldout", action="store_true",
                    help="score on the held-out part (evaluation.parts.heldout_sets): what a perfect student would get")
    args = ap.parse_args()
    kw = {k: _value(v) for k, v in (s.split("=", 1) for s in args.set)}
    all_folders = sorted(p for p in STYLES.iterdir() if p.is_dir())
    names = [f for f in args.folders.split(",") if f] or [p.name for p in all_folders]
    if not args.final:
        names = [n for n in names if n != NEVER_TUNED]
    idents = {m: train_identifier(all_folders, TRAIN, IdentifyConfig(mode=m), CACHE) for m in ("grey", "colour")}
    detailed, webcam = heldout_sets() if args.heldout else tune_sets()
    content_rgb = [read_image(p)[..., ::-1] for p in image_files(TRAIN)]
    report, rows = {"settings": kw}, []
    sheet_rows = []
    for name in names:
        t0 = time.time()
        paints = [read_image(p)[..., ::-1] for p in image_files(STYLES / name)]
        teacher = AnalogyTeacher(paints, **kw)
        ct = fit_colour_transform(sample_pixels(content_rgb, seed=0), sample_pixels(paints, seed=0), 1.0)
        outs = {"photos": paint_set(teacher, ct, detailed), "webcam": paint_set(teacher, ct, webcam)}
        r = {}
        for set_name, imgs in outs.items():
            src = detailed if set_name == "photos" else webcam
            r[set_name] = {m: {k: idents[m].score(imgs, name)[k] for k in ("p_own", "top1")} for m in idents}
            r[set_name]["edge_ssim"] = round(float(np.mean([metrics.content_edge_ssim(a, b)
                                                             for a, b in zip(src, imgs, strict=True)])), 3)
        report[name] = r
        rows.append(f"| {name} | {r['photos']['grey']['top1']} {r['photos']['grey']['p_own']:.2f} | "
                    f"{r['webcam']['grey']['top1']} {r['webcam']['grey']['p_own']:.2f} | "
                    f"{r['photos']['colour']['top1']} {r['photos']['colour']['p_own']:.2f} | "
                    f"{r['webcam']['colour']['top1']} {r['webcam']['colour']['p_own']:.2f} | "
                    f"{r['photos']['edge_ssim']:.2f} / {r['webcam']['edge_ssim']:.2f} | {time.time() - t0:.0f} s |")
        print(rows[-1], flush=True)
        if args.sheet:
            cells = [outs["webcam"][0], outs["webcam"][7], outs["photos"][0], outs["photos"][8]]
            sheet_rows.append(sheet_row(cells, name, 320))
    hits = {s: {m: sum(report[n][s][m]["top1"] == n for n in names) for m in idents} for s in ("photos", "webcam")}
    print("| folder | photos grey | webcam grey | photos colour | webcam colour | edge SSIM photos / webcam | time |")
    print("\n".join(rows))
    print(f"top-1 hits of {len(names)}: {hits}")
    report["hits"] = hits
    save(report, args.json, args.sheet, sheet_rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

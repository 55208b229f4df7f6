"""Issue 16: search the analogy teacher's settings per folder on the TUNE part (teacher alone, no network).

The teacher was tuned once for all folders on four settings; round 7 showed that the canvas's form hardly
moves its identification. This searches the patch side (with the low-pass
and stride that training derives from it) and the canvas (blobs, or cut from the folder's paintings, at two
weights) for every tuned folder, and writes one JSON line per (folder, setting). The never-tuned folder
(munch_scream) is not looked at. Round 8 in docs/research/analogy_marks.md reads the lines.

    nice env OMP_NUM_THREADS=1 PYTHONPATH=. .venv/bin/python -m research.experiments.analogy_teacher_search \
        --out docs/research/analogy/teacher_search.jsonl
Resumable: settings already in the file are skipped.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from research.experiments.analogy_teacher import CACHE, NEVER_TUNED, STYLES, TRAIN, paint_set, tune_sets
from vst_desktop.evaluation import metrics
from vst_desktop.evaluation.identify import IdentifyConfig, train_identifier
from vst_desktop.evaluation.media import image_files, read_image
from vst_desktop.training.texture.analogy import AnalogyTeacher
from vst_desktop.training.texture.colour import fit_colour_transform, sample_pixels

ROOT = Path(__file__).resolve().parents[2]


def settings_grid() -> list[dict]:
    """Patch side (the marks' size) by canvas: today's blobs at weight 0.5, the painting canvas at 0.5 and 1.5.
    (A first pass also tried keep 0.3 and detail 1.6 on cartoon_lithograph: each pulled edge SSIM under 0.3
    for a few hundredths of p_own; on 2 cores the full grid would take hours, so it was cut to this.)"""
    return [dict(patch=patch, keep=0.6, detail=1.0, canvas=canvas, canvas_form=form)
            for patch in (16, 24, 32) for form, canvas in (("blobs", 0.5), ("painting", 0.5), ("painting", 1.5))]


def teacher_kwargs(s: dict) -> dict:
    """As training derives them (texture/marks.py analogy_settings): stride patch/2, low-pass patch/4."""
    return dict(s, stride=s["patch"] // 2, low_sigma=s["patch"] / 4.0)


def key(s: dict) -> str:
    return json.dumps(s, sort_keys=True)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(ROOT / "docs" / "research" / "analogy" / "teacher_search.jsonl"))
    ap.add_argument("--folders", default="")
    args = ap.parse_args()
    out = Path(args.out)
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] if out.exists() else []
    done = {(r["folder"], key(r["settings"])) for r in rows}
    names = [f for f in args.folders.split(",") if f] or sorted(p.name for p in STYLES.iterdir() if p.is_dir())
    names = [n for n in names if n != NEVER_TUNED]
    all_folders = sorted(p for p in STYLES.iterdir() if p.is_dir())
    idents = {m: train_identifier(all_folders, TRAIN, IdentifyConfig(mode=m), CACHE) for m in ("grey", "colour")}
    detailed, webcam = tune_sets()
    content_rgb = [read_image(p)[..., ::-1] for p in image_files(TRAIN)]
    for name in names:
        paints = [read_image(p)[..., ::-1] for p in image_files(STYLES / name)]
        ct = fit_colour_transform(sample_pixels(content_rgb, seed=0), sample_pixels(paints, seed=0), 1.0)
        for s in settings_grid():
            if (name, key(s)) in done:
                continue
            t0 = time.time()
            teacher = AnalogyTeacher(paints, **teacher_kwargs(s))
            r = {"folder": name, "settings": s}
            for set_name, src in (("photos", detailed), ("webcam", webcam)):
                imgs = paint_set(teacher, ct, src)
                r[set_name] = {m: {k: idents[m].score(imgs, name)[k] for k in ("p_own", "top1")} for m in idents}
                r[set_name]["edge_ssim"] = round(float(np.mean([metrics.content_edge_ssim(a, b)
                                                                 for a, b in zip(src, imgs, strict=True)])), 3)
            r["seconds"] = round(time.time() - t0, 1)
            with out.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(r) + "\n")
            print(name, s, r["webcam"]["grey"], r["photos"]["grey"], r["webcam"]["edge_ssim"], flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

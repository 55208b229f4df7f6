"""Screen canvases before training: the teacher's own output, scored by the grey identifier on the tune part.

A student learns the teacher's painting, so a canvas whose teacher output the identifier cannot name will
not give a named student. Training a draw costs 10-15 min per style on one core; painting the tune part with
a teacher costs under a minute. For each folder and canvas (the 128 px painting crop, the quilted tile at a
period and block size), this builds the recipe's teacher on the folder's verified paintings, paints the tune
part's photos and webcam frames, and reports the grey identifier's p_own and top-1 on each, and the painted
wall's repetition on the tune part's demo-clip frames.

    python -m research.experiments.canvas_screen --build build/styles_painter --json screen.json \
        --canvas crop128 --canvas quilt512_b32 --canvas quilt512_b64
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import cv2
import numpy as np

from research.experiments.analogy_teacher import CACHE, STYLES, TRAIN
from vst_desktop.evaluation.identify import IdentifyConfig, train_identifier
from vst_desktop.evaluation.media import read_folder
from vst_desktop.evaluation.parts import tune_sets, tune_wall_frames
from vst_desktop.evaluation.repetition import live_sized, repetition
from vst_desktop.training.texture.analogy import AnalogyTeacher
from vst_desktop.training.texture.marks import analogy_settings
from vst_desktop.trainspec.presets import make_config

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
from build_styles import PAINTER_RECIPE  # noqa: E402  (the recipe whose teacher is screened)


def canvas_settings(name: str) -> dict:
    """Config settings: "crop128" -> the painting crop at 128 px; "quilt512_b48" -> the quilted tile, period
    512, 48 px blocks; "quilt512_b32_e128" -> the same, its blocks from one 128 px crop."""
    if name.startswith("crop"):
        return dict(analogy_canvas_form="painting", analogy_canvas_period=int(name[4:]))
    if name.startswith("quilt"):
        period, rest = name[5:].split("_b")
        block, _, exemplar = rest.partition("_e")
        return dict(analogy_canvas_form="painting_marks", analogy_canvas_period=int(period),
                    analogy_canvas_block=int(block), analogy_canvas_exemplar=int(exemplar or 0))
    raise ValueError(f"unknown canvas {name!r} (cropN or quiltN_bM)")


def teacher_for(images_bgr: list[np.ndarray], canvas: str, seed: int) -> AnalogyTeacher:
    """The painter recipe's teacher, as training builds it (`analogy_settings`), with the given canvas."""
    teach = {k: v for k, v in PAINTER_RECIPE.items() if k.startswith("analogy_") or k == "marks"}
    cfg = make_config("quick", **{**teach, **canvas_settings(canvas)}, seed=seed)
    return AnalogyTeacher([cv2.cvtColor(x, cv2.COLOR_BGR2RGB) for x in images_bgr], **analogy_settings(cfg))


def painted(teacher: AnalogyTeacher, bgr: np.ndarray) -> np.ndarray:
    rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB).astype(np.float32) / 255.0
    out = teacher.paint(rgb)
    return cv2.cvtColor((out * 255.0 + 0.5).astype(np.uint8), cv2.COLOR_RGB2BGR)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build/styles_painter", help="a build: FOLDER/images holds the paintings")
    ap.add_argument("--canvas", action="append", required=True)
    ap.add_argument("--only", default="")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", required=True)
    args = ap.parse_args()
    folders = sorted(p for p in STYLES.iterdir() if p.is_dir())
    ident = train_identifier(folders, TRAIN, IdentifyConfig(mode="grey"), CACHE)
    detailed, webcam = tune_sets()
    walls = [live_sized(f) for f in tune_wall_frames()]
    out_path = Path(args.json)
    report = json.loads(out_path.read_text()) if out_path.exists() else {}
    for folder in folders:
        if args.only and folder.name not in args.only.split(","):
            continue
        imgs = read_folder(Path(args.build) / folder.name / "images")
        for name in args.canvas:
            key = f"{folder.name}/{name}/s{args.seed}"
            if key in report:
                continue
            t0 = time.time()
            teacher = teacher_for(imgs, name, args.seed)
            r = {}
            for part, inputs in (("photos", detailed), ("webcam", webcam)):
                s = ident.score([painted(teacher, x) for x in inputs], folder.name)
                r[part] = {"p_own": s["p_own"], "top1": s["top1"]}
            r["wall_repetition"] = round(float(np.mean([repetition(painted(teacher, f))[0]
                                                        for f in walls])), 3)
            report[key] = r
            out_path.write_text(json.dumps(report, indent=1), encoding="utf-8")
            print(f"{key}: photos {r['photos']['top1']} {r['photos']['p_own']:.2f}  webcam {r['webcam']['top1']} "
                  f"{r['webcam']['p_own']:.2f}  wall {r['wall_repetition']:.2f}  ({time.time() - t0:.0f} s)", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

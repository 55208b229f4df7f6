"""Issue 16 part 3: train every shared folder with the analogy teacher in a few variants (with and without the
discriminator, same seed and steps), as `make styles` would (quick preset, seed 0, verified images only,
bundled content photos). Runs many trainings side by side: made for a GPU machine, works on a CPU.

    python -m research.experiments.analogy_grid --shared ../shared/data --out build/analogy_grid \
        --device cuda --jobs 27 --tar build/analogy_grid.tar
Scoring: research/experiments/analogy_score.py.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import build_styles  # noqa: E402  (the built-in styles' names and licence filter)

from vst_desktop.core import paths  # noqa: E402

SHARED_STYLES = paths.shared_data_dir() / "styles"  # the painters the painter classifier tells apart

# Round 8's recipe (analogy_D_paintcanvas below); round 9's variants build on it.
PAINTCANVAS = dict(marks="analogy", w_adv=0.5, analogy_patch=24, analogy_canvas=1.5, analogy_canvas_form="painting",
                   analogy_canvas_flat=3.0)
# rounds 12-14: round 10's window student (painted wall, keep 1.5, the discriminator) under the painter term,
# whose classifier learns the shared painters
WINDOW_PAINTER = dict(PAINTCANVAS, analogy_canvas_wall=True, analogy_keep=1.5, analogy_flat_window=1.0, w_adv=1.0,
                      painter_reference=str(SHARED_STYLES))
VARIANTS: dict[str, dict] = {
    "analogy_noD": dict(marks="analogy", w_adv=0.0),
    "analogy_D": dict(marks="analogy", w_adv=0.5),
    "analogy_D_bold": dict(marks="analogy", w_adv=0.5, analogy_keep=0.3, analogy_canvas=1.0),
    # round 2: robustness to sensor and compression noise (round 1's D styles re-painted a still clip)
    "analogy_D02_n04": dict(marks="analogy", w_adv=0.2, temporal_noise=0.04),
    "analogy_D05_n04_t16": dict(marks="analogy", w_adv=0.5, temporal_noise=0.04, w_temporal=16.0),
    "auto_D02_n04": dict(w_adv=0.2, temporal_noise=0.04),  # the stroke teacher's recipe with a discriminator
    # round 3 (CPU): the teacher's terms doubled against the discriminator, to keep the face and the edges
    "analogy_D05_n04_l1x2": dict(marks="analogy", w_adv=0.5, temporal_noise=0.04, w_paired_l1=2.0, w_highpass=4.0),
    # round 4 (CPU): the discriminator judges the grey high-pass only (the colours are exact already)
    "analogy_Dhp05_n04": dict(marks="analogy", w_adv=0.5, temporal_noise=0.04, d_input="highpass"),
    # round 5 (CPU): the canvas ablation: no canvas in the teacher's match, no canvas channel in the network
    "analogy_D_nocanvas": dict(marks="analogy", w_adv=0.5, analogy_canvas=0.0),
    # round 6 (CPU): a canvas of oriented dashes instead of isotropic blobs
    "analogy_D_strokecanvas": dict(marks="analogy", w_adv=0.5, analogy_canvas_form="strokes"),
    # round 7 (CPU): the canvas's form chosen per folder by the teacher alone on the tune part
    # (analogy_canvas_choice.py); the form comes from PER_FOLDER
    "analogy_D_chosencanvas": dict(marks="analogy", w_adv=0.5),
    # round 8 (CPU): a canvas cut from each folder's own paintings, strong (1.5) but giving way to the photo's
    # own structure (canvas_flat 3), 24 px patches: chosen on the tune part with the teacher alone
    # (analogy_teacher_search.py), one recipe for every folder
    "analogy_D_paintcanvas": PAINTCANVAS,
    # round 9 (CPU): round 8's recipe, the generator adding the canvas itself at full resolution times a gain
    # it predicts (the quick students of round 8 lost the teacher's marks behind the stride-2 stem)
    "analogy_D_paintcanvas_gain": dict(PAINTCANVAS, analogy_canvas_gain="pixel"),
    # round 9 (CPU): flat areas get the teacher's own painting of a flat wall, fixed (its marks no longer turn
    # on the wall's brightness), which the generator carries and adds with its gain (analogy_canvas_fit.py)
    "analogy_D_paintcanvas_wall": dict(PAINTCANVAS, analogy_canvas_wall=True),
    # round 9 (CPU): the same with the gain from the body at 1/4 resolution: the per-pixel gain let a still
    # clip's sensor noise shimmer the whole canvas (tune_j.json: bottle clip 30-140x the input's flicker)
    "analogy_D_paintcanvas_wall_smooth": dict(PAINTCANVAS, analogy_canvas_wall=True, analogy_canvas_gain="smooth"),
    # the discriminator's ablation for the wall recipe: same seed, steps and teacher, w_adv 0
    "analogy_noD_paintcanvas_wall": dict(PAINTCANVAS, w_adv=0.0, analogy_canvas_wall=True),
    # and with the wall held to flatter areas (canvas_flat 8: the wall student painted over the face)
    "analogy_D_paintcanvas_wall_smooth_flat8": dict(PAINTCANVAS, analogy_canvas_flat=8.0, analogy_canvas_wall=True,
                                                    analogy_canvas_gain="smooth"),
    # round 10 (CPU): the wall recipe keeping more of the photo's own detail (keep 1.5, was 0.6): the teacher
    # alone raised webcam edge SSIM by 0.06-0.12 and kept its webcam identification (analogy_marks.md)
    "analogy_D_paintcanvas_wall_keep15": dict(PAINTCANVAS, analogy_canvas_wall=True, analogy_keep=1.5),
    # and the wall at half contrast: dense marks on a plain wall are what content edge SSIM counts against a
    # style (anchor_edge_ssim.py); the teacher alone: webcam edge SSIM 0.31-0.47, 3 of 8 named (was 4)
    "analogy_D_paintcanvas_wall_keep15_half": dict(PAINTCANVAS, analogy_canvas_wall=True, analogy_keep=1.5,
                                                   analogy_wall_gain=0.5),
    # and the wall kept off the face: canvas_flat measures structure over a face's width (flat_window 1.0),
    # so the cheeks count as structured; the teacher alone: webcam edge SSIM 0.40, 5 of 8 named (was 4)
    "analogy_D_paintcanvas_wall_keep15_window": dict(PAINTCANVAS, analogy_canvas_wall=True, analogy_keep=1.5,
                                                     analogy_flat_window=1.0),
    # the window student loses identification at the student: does a discriminator twice as strong win it back?
    "analogy_D2_paintcanvas_wall_keep15_window": dict(PAINTCANVAS, analogy_canvas_wall=True, analogy_keep=1.5,
                                                      analogy_flat_window=1.0, w_adv=1.0),
    # round 11 (CPU): 12 px patches over a 6 px low-pass named 6 of 8 folders on webcam frames at the teacher
    # (24 px: 5 of 8); trained 4,000 steps, the student was no better (tune_t.json): not adopted
    "analogy_D2_paintcanvas_wall_keep15_window_p12": dict(PAINTCANVAS, analogy_canvas_wall=True, analogy_keep=1.5,
                                                          analogy_flat_window=1.0, w_adv=1.0, analogy_patch=12,
                                                          analogy_low_sigma=6.0),
    # round 12: a from-scratch painter classifier as a loss (training/painter.py); its per-pixel probe named
    # 3 of 8 folders on photos through the independent identifier (painter_probe.py). At 0.3 the term
    # washed the picture out within 800 steps (paired_l1 0.20 against 0.05): stopped, weights below
    **{f"analogy_D2_window_painter{w}": dict(WINDOW_PAINTER, w_painter=float(w) / 100) for w in ("03", "05", "15", "30")},
    # round 13: the painter term at 0.15 lost the faces (edge SSIM 0.20 on webcam frames); an L1 between
    # the edge maps where the photo has contours (losses._edges) is to hold them while the wall is painted.
    # 2 and 6 gave the photo back (grey 1/0 and 0/0 named on the tune part), so 0.5 and 1 were tried after
    **{f"analogy_D2_window_painter15_edges{name}": dict(WINDOW_PAINTER, w_painter=0.15, w_edges=w)
       for name, w in (("05", 0.5), ("1", 1.0), ("2", 2.0), ("6", 6.0))},
    # round 14: on the five later folders the student tiled a glyph that excites one small classifier and that
    # the identifier does not name; three classifiers of other seeds, averaged, must all be fooled at once
    "analogy_D2_window_painter15_edges05_nets3": dict(WINDOW_PAINTER, w_painter=0.15, w_edges=0.5, painter_nets=3),
    # round 14: the classifier keeps learning during the run with the student's output as a class of its own
    # (training/painter.py, learn_during_run): a stamp that excites a painter's class moves to the run's class
    "analogy_D2_window_painter15_edges05_online": dict(WINDOW_PAINTER, w_painter=0.15, w_edges=0.5,
                                                       painter_online_lr=5e-4),
    # ... and with the painter term at 0.5, frozen and learning: can a classifier that learns the stamps take a
    # stronger pull without the stamps
    **{f"analogy_D2_window_painter50_edges05{name}": dict(WINDOW_PAINTER, w_painter=0.5, w_edges=0.5,
                                                          painter_online_lr=lr)
       for name, lr in (("", 0.0), ("_online", 5e-4))},
    # round 15: the marks go on flat planes (the generator's soft Kuwahara at half resolution, radius 1, three
    # passes): the teacher alone on planes named 4 of 8 tune folders on photos where on the photo it named 1
    "analogy_D2_window_painter15_edges05_planes": dict(WINDOW_PAINTER, w_painter=0.15, w_edges=0.5,
                                                       analogy_flatten=1, analogy_flatten_passes=3),
    # ... with Gaussian-weighted sectors (radius 2, sigma 1 at half resolution): rounded planes instead of the box
    # sectors' square blocks on faces; the teacher alone on them named 5 / 6 of 8 (box: 4 / 6)
    "analogy_D2_window_painter15_edges05_planes_gauss": dict(WINDOW_PAINTER, w_painter=0.15, w_edges=0.5,
                                                             analogy_flatten=2, analogy_flatten_passes=3,
                                                             analogy_flatten_sigma=1.0),
    # round 16: the Gaussian planes plus dark lines along the painted borders (fixed_stages.LeadStage)
    "analogy_D2_window_painter15_edges05_planes_gauss_lead": dict(WINDOW_PAINTER, w_painter=0.15, w_edges=0.5,
                                                                  analogy_flatten=2, analogy_flatten_passes=3,
                                                                  analogy_flatten_sigma=1.0, analogy_lead=0.8),
    # the box planes (round 15's, cheaper than the Gaussian ones) with the same lines
    "analogy_D2_window_painter15_edges05_planes_lead": dict(WINDOW_PAINTER, w_painter=0.15, w_edges=0.5,
                                                            analogy_flatten=1, analogy_flatten_passes=3,
                                                            analogy_lead=0.8),
}
CHOICE = ROOT / "docs" / "research" / "analogy" / "canvas_choice.json"
# variant -> (setting, JSON file whose "chosen" maps folder -> value): settings that differ per folder
PER_FOLDER: dict[str, tuple[str, Path]] = {"analogy_D_chosencanvas": ("analogy_canvas_form", CHOICE)}
# What marks="auto" chose for the shipped styles (their JSON, docs/training.md), so a machine without the
# critic's photos trains the same family.
AUTO_MARKS = {"monet": "dabs", "munch_scream": "dabs", "picabia_udnie": "planes"}


def run_one(variant: str, style: build_styles.BuiltinStyle, out: Path, device: str, iterations: int | None,
            seed: int = 0, overrides: dict | None = None) -> dict:
    images = out / "images" / style.folder / "images"  # main's links to the folder's verified images
    run = out / variant / style.folder
    if any((run / "package").glob("*.onnx")):  # finished earlier: never trained twice
        return {"variant": variant, "folder": style.folder, "rc": 0, "seconds": 0.0, "skipped": True}
    cmd = [sys.executable, "-m", "vst_desktop", "train", "--styles", str(images), "--preset", "quick",
           "--seed", str(seed), "--name", style.name, "--out", str(run), "--device", device, "--no-install", "--no-evaluate",
           "--progress", "jsonl"]
    if iterations:
        cmd += ["--iterations", str(iterations)]
    settings = dict(VARIANTS[variant], **(overrides or {}), threads=1)
    settings.setdefault("marks", AUTO_MARKS.get(style.folder, "strokes"))
    if variant in PER_FOLDER:
        key, source = PER_FOLDER[variant]
        settings[key] = json.loads(source.read_text(encoding="utf-8"))["chosen"][style.folder]
    for k, v in settings.items():
        cmd += ["--set", f"{k}={v}"]
    t0 = time.time()
    run.parent.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    with open(run.parent / f"{style.folder}.log", "w", encoding="utf-8") as log:
        rc = subprocess.call(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, env=env)
    return {"variant": variant, "folder": style.folder, "rc": rc, "seconds": round(time.time() - t0, 1)}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=str(build_styles.SHARED))
    ap.add_argument("--out", default=str(ROOT / "build" / "analogy_grid"))
    ap.add_argument("--device", default="auto")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--folders", default="")
    ap.add_argument("--iterations", type=int)
    ap.add_argument("--seed", type=int, default=0, help="another seed measures how far runs differ by chance alone")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="over every variant's settings, e.g. w_adv=0 for the discriminator's ablation")
    ap.add_argument("--tar")
    args = ap.parse_args()
    build_styles.SHARED = Path(args.shared).resolve()
    out = Path(args.out).resolve()
    styles = [s for s in build_styles.STYLES if not args.folders or s.folder in args.folders.split(",")]
    for s in styles:  # once, before the runs share them
        build_styles.image_folder(s, build_styles.unverified_files(), out / "images")
    jobs = []
    for item in args.variants.split(","):  # VARIANT or VARIANT:folder+folder
        variant, _, only = item.partition(":")
        jobs += [(variant, s) for s in styles if not only or s.folder in only.split("+")]
    t0 = time.time()
    with ThreadPoolExecutor(args.jobs) as pool:
        overrides = dict(item.split("=", 1) for item in args.set)
        results = list(pool.map(lambda j: run_one(j[0], j[1], out, args.device, args.iterations, args.seed,
                                                   overrides), jobs))
    for r in results:
        print(json.dumps(r), flush=True)
    print(f"all done in {time.time() - t0:.0f} s")
    (out / "grid.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    if args.tar:
        with tarfile.open(args.tar, "w") as tar:
            tar.add(out / "grid.json", "grid.json")
            for f in sorted(out.glob("*/*/package/*")) + sorted(out.glob("*/*.log")) + sorted(out.glob("*/*/log.jsonl")):
                tar.add(f, str(f.relative_to(out)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Rebuild the built-in GAN styles from ../shared/data with the project's own training engine (`make styles`).

    .venv/bin/python tools/build_styles.py [--preset quick] [--jobs 2] [--only van_gogh,ukiyo_e] [--check-only]
    .venv/bin/python tools/build_styles.py --candidate painter   # build and measure only, ship nothing

For each style folder: a folder of links to its images (files whose licence the shared README marks as
UNVERIFIED or only believed are left out), then `vst-desktop train` with a fixed seed into
build/styles/<folder>/run, resumed from its checkpoint when an earlier build stopped; then `evaluate` (the
same function as `vst-desktop evaluate`) on photos and clips it never saw, written into the style's JSON,
and the acceptance check below. A style that passes is copied into resources/styles/; one that falls
short is reported and left out.
Summary: build/styles/summary.json.

`--candidate painter` builds the recipe the painter rounds chose per folder (`candidate_styles`) the same way into
build/styles_painter/, measures it and checks it against the same acceptance, and leaves resources/styles/
alone: a recipe replaces the built-in styles only by a change to STYLES, once it passes.

`--draws 2` trains each style with two seeds side by side (one core each: one draw's time) into the
per-seed folders (a draw already built there is reused), keeps the draw the identifier names most surely
on the tune part (evaluation/parts.py) among those whose plain wall does not repeat as a tile, and measures
and checks that one in build/styles[_<recipe>...]_draws2/. Several comma-separated candidates put all their
draws into the same choice. A draw is measured once; `--reevaluate` measures it again.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
BUILD = ROOT / "build" / "styles"
OUT = ROOT / "resources" / "styles"
VST = [sys.executable, "-m", "vst_desktop"]

# Acceptance: on material the style never saw.
MAX_EWARP = 1.5
MIN_EDGE_SSIM = 0.45
MIN_TEXTURE_GAIN = 0.5  # where the folder has more than one image (the critic's ceiling is then real)
# Choosing between draws: above this the plain wall reads as a tile (webcam frames 0.08, paintings 0.04-0.15,
# a 128 px canvas tile 0.60-0.98: docs/research/painter_round18.md)
MAX_WALL_REPETITION = 0.3


@dataclass(frozen=True)
class BuiltinStyle:
    folder: str
    name: str
    settings: dict = field(default_factory=dict)  # extra `--set` values


STYLES = [
    BuiltinStyle("van_gogh", "Van Gogh"),
    BuiltinStyle("ukiyo_e", "Ukiyo-e"),
    # Every folder gets the presets' marks="auto": the style critic picks the teacher's marks (edge strokes,
    # Monet's horizontal dabs, Udnie's flat planes; training/texture/marks.py), no per-folder settings.
    BuiltinStyle("monet", "Monet"),
    BuiltinStyle("munch_scream", "The Scream"),
    BuiltinStyle("kandinsky", "Kandinsky"),
    BuiltinStyle("picabia_udnie", "Udnie"),
    BuiltinStyle("stained_glass_mosaic", "Stained Glass"),
    BuiltinStyle("ink_sketch", "Ink Sketch"),
    BuiltinStyle("cartoon_lithograph", "Lithograph"),
]


# Marks copied from the folder's own paintings over a canvas cut from them, a discriminator on the paintings, the
# painter classifier's term and an edges term that holds the face (docs/research/painter_guide.md, rounds 13-16),
# with the redraw stage each folder's measurements chose (docs/research/painter/round16/choice.json).
PAINTER_RECIPE = dict(marks="analogy", w_adv=1.0, analogy_patch=24, analogy_canvas=1.5, analogy_canvas_form="painting",
                      analogy_canvas_flat=3.0, analogy_canvas_wall=True, analogy_keep=1.5, analogy_flat_window=1.0,
                      w_painter=0.15, w_edges=0.5)
BOX_PLANES = dict(analogy_flatten=1, analogy_flatten_passes=3)
ROUND_PLANES = dict(analogy_flatten=2, analogy_flatten_passes=3, analogy_flatten_sigma=1.0)
LINES = dict(analogy_lead=0.8)
PAINTER_REDRAW = {"cartoon_lithograph": {}, "ukiyo_e": {}, "ink_sketch": BOX_PLANES, "monet": BOX_PLANES,
                  "munch_scream": BOX_PLANES, "van_gogh": BOX_PLANES, "kandinsky": ROUND_PLANES,
                  "stained_glass_mosaic": ROUND_PLANES, "picabia_udnie": dict(BOX_PLANES, **LINES)}


# Candidate recipes: the painter recipe, and variants of it (settings over PAINTER_RECIPE's)
CANDIDATES = {
    "painter": {},
    # the canvas synthesized from the paintings' marks, at twice the period: the wall behind a person repeats
    # 2.5 times across a 640 px frame instead of 5, and no object of a painting crop repeats with it
    "painter_marks": dict(analogy_canvas_form="painting_marks", analogy_canvas_period=256),
    # at 512 the tile is wider than the live frame is tall and covers most of its width, so a still wall
    # shows its marks once (at 256 they come back with a correlation of 0.63-0.96:
    # docs/research/painter_round18.md)
    "painter_marks512": dict(analogy_canvas_form="painting_marks", analogy_canvas_period=512),
    # quilted from 64 px blocks: larger marks (the Wave's curls, Udnie's planes) come back whole, at the risk of
    # bringing back small objects (docs/research/painter_round20.md)
    "painter_marks512_b64": dict(analogy_canvas_form="painting_marks", analogy_canvas_period=512,
                                 analogy_canvas_block=64),
    # quilted from the 128 px crop alone: the crop canvas's marks, which the identifier names for six folders,
    # without its repeat every 128 px
    "painter_marks512_e128": dict(analogy_canvas_form="painting_marks", analogy_canvas_period=512,
                                  analogy_canvas_exemplar=128),
    # the same wall at twice the contrast, for ink sketch's webcam frames (called "photo" at full contrast): more
    # marks, named less (docs/research/painter_round21.md); kept so that the result can be rebuilt
    "painter_marks512_e128_wall2": dict(analogy_canvas_form="painting_marks", analogy_canvas_period=512,
                                        analogy_canvas_exemplar=128, analogy_wall_gain=2.0),
    # a drawing's wall: pen lines along one diagonal, for ink sketch, whose wall patches the identifier reads as
    # photo (docs/research/painter_round21.md)
    "painter_hatching": dict(analogy_canvas_form="hatching", analogy_canvas_period=512),
    # the planes in two passes instead of three: the planes are a third of a plane style's frame time, and
    # the three slowest styles miss 30 fps end to end at 640x360 (docs/research/painter_round22.md)
    "painter_marks512_e128_p2": dict(analogy_canvas_form="painting_marks", analogy_canvas_period=512,
                                     analogy_canvas_exemplar=128, analogy_flatten_passes=2),
    "painter_marks512_b64_p2": dict(analogy_canvas_form="painting_marks", analogy_canvas_period=512,
                                    analogy_canvas_block=64, analogy_flatten_passes=2),
}


def candidate_styles(recipe: str) -> list[BuiltinStyle]:
    """The built-in styles under a candidate recipe (`CANDIDATES`)."""
    if recipe not in CANDIDATES:
        raise ValueError(f"unknown candidate recipe {recipe!r}")
    # the painter classifier tells the folder from the other shared painters (its own folder is skipped)
    reference = dict(painter_reference=str(SHARED / "styles"))
    # later settings win: the candidate's over the folder's redraw stage (e.g. the planes' passes)
    return [BuiltinStyle(s.folder, s.name, {**PAINTER_RECIPE, **reference, **PAINTER_REDRAW[s.folder],
                                            **CANDIDATES[recipe]}) for s in STYLES]


def unverified_files() -> set[str]:
    """Files the shared README's licence column marks UNVERIFIED or only 'Believed' public domain."""
    readme = SHARED / "README.md"
    out = set()
    for line in readme.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) > 4 and cells[1].startswith("`styles/") and not cells[1].endswith("/`"):  # files only
            licence = cells[4].lower()
            if "unverified" in licence or licence.startswith("believed"):
                out.add(cells[1].strip("`"))
    return out


def image_folder(style: BuiltinStyle, excluded: set[str], build: Path = BUILD) -> tuple[Path, list[str]]:
    """<build>/<folder>/images: links to the style's verified images; returns it and what was left out."""
    src = SHARED / "styles" / style.folder
    dst = build / style.folder / "images"
    dst.mkdir(parents=True, exist_ok=True)
    left_out = []
    for f in sorted(src.iterdir()):
        rel = f"styles/{style.folder}/{f.name}"
        link = dst / f.name
        if rel in excluded:
            left_out.append(f.name)
            link.unlink(missing_ok=True)
        elif not link.exists():
            link.symlink_to(f.resolve())
    return dst, left_out


def named_folder(style: BuiltinStyle, build: Path = BUILD) -> Path:
    """The style's image links under the style folder's own name (a link to the links folder): the identifier
    tells the painters apart by folder name, and would otherwise hold this folder twice, once as "images"."""
    link = build / style.folder / "named" / style.folder
    if not link.is_symlink():
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(build / style.folder / "images", target_is_directory=True)
    return link


def train(style: BuiltinStyle, build: Path, preset: str, threads: int, seed: int, log) -> Path:
    run = build / style.folder / "run"
    images, left_out = image_folder(style, unverified_files(), build)
    if left_out:
        log(f"{style.folder}: leaving out {', '.join(left_out)} (licence not verified)")
    if (run / "package").is_dir() and any((run / "package").glob("*.onnx")):
        log(f"{style.folder}: already built")
        return run
    if (run / "checkpoints" / "latest.pt").is_file():
        cmd = VST + ["train", "--resume", str(run)]
    else:
        cmd = VST + ["train", "--styles", str(images), "--preset", preset, "--seed", str(seed),
                     "--name", style.name, "--out", str(run)]
        cmd += [a for k, v in dict(style.settings, threads=threads).items() for a in ("--set", f"{k}={v}")]
    cmd += ["--no-install", "--no-evaluate", "--progress", "jsonl"]
    t0 = time.time()
    log(f"{style.folder}: {' '.join(cmd[2:])}")
    with open(build / style.folder / "train.log", "a", encoding="utf-8") as out:
        rc = subprocess.call(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    log(f"{style.folder}: train exited {rc} after {time.time() - t0:.0f} s")
    return run


def package_json(run: Path) -> Path | None:
    jsons = sorted((run / "package").glob("*.json"))
    return jsons[0] if jsons else None


def measure(style: BuiltinStyle, run: Path, log) -> None:
    """`evaluate` on the shared validation photos and clips; the metrics go into the package's JSON, whose
    styles_dir then names the shared folder (the build's link folder does not travel with the style)."""
    from vst_desktop.evaluation.run import evaluate_style

    path = package_json(run)
    if path is None:
        return
    meta = json.loads(path.read_text())
    t0 = time.time()
    build = run.parents[1]  # <build>/<folder>/run
    meta["metrics"] = evaluate_style(run / "package" / f"{meta['id']}.onnx", style_folder=named_folder(style, build))
    meta["training"]["config"]["styles_dir"] = str(SHARED / "styles" / style.folder)
    path.write_text(json.dumps(meta, indent=2) + "\n")
    log(f"{style.folder}: evaluated in {time.time() - t0:.0f} s")


def check(style: BuiltinStyle, run: Path) -> dict:
    """The acceptance verdict from the package JSON's metrics."""
    path = package_json(run)
    if path is None:
        return {"folder": style.folder, "ok": False, "why": ["not built"]}
    meta = json.loads(path.read_text())
    m = meta.get("metrics", {})
    tex = m.get("texture", {})
    n_images = len(meta.get("sources", []))
    why = []
    if m.get("ewarp_ratio") is None or m["ewarp_ratio"] > MAX_EWARP:
        why.append(f"ewarp_ratio {m.get('ewarp_ratio')} > {MAX_EWARP}")
    if m.get("content_edge_ssim") is None or m["content_edge_ssim"] < MIN_EDGE_SSIM:
        why.append(f"content_edge_ssim {m.get('content_edge_ssim')} < {MIN_EDGE_SSIM}")
    if n_images > 1 and (m.get("texture_gain") is None or m["texture_gain"] < MIN_TEXTURE_GAIN):
        why.append(f"texture_gain {m.get('texture_gain')} < {MIN_TEXTURE_GAIN} (ceiling separation "
                   f"{tex.get('ceiling_separation')})")
    return {"folder": style.folder, "id": meta["id"], "ok": not why, "why": why, "images": n_images,
            "ewarp_ratio": m.get("ewarp_ratio"), "ewarp_ratio_raw": m.get("ewarp_ratio_raw"),
            "ewarp_floor": m.get("ewarp_floor"),
            "content_edge_ssim": m.get("content_edge_ssim"),
            "texture_gain": m.get("texture_gain"), "colour_gain": m.get("colour_gain"),
            "train_seconds": meta.get("training", {}).get("seconds")}


def candidate_build(recipe: str | None, seed: int) -> Path:
    """Where a recipe is built (None: the built-in styles' own): one folder per recipe and seed, so a second
    seed keeps the first."""
    return BUILD.parent / ((f"styles_{recipe}" if recipe else BUILD.name) + (f"_seed{seed}" if seed else ""))


def tune_scorer():
    """A function (onnx, folder) -> how surely the grey identifier names the style's own folder on the TUNE
    part (evaluation/parts.py: train photos, demo-clip frames and train portraits), and how much its wall
    repeats on the demo clip's frames. The choice between draws looks at nothing the reports are made on."""
    from vst_desktop.core import paths
    from vst_desktop.evaluation.identify import IdentifyConfig, train_identifier
    from vst_desktop.evaluation.parts import tune_sets, tune_wall_frames
    from vst_desktop.evaluation.repetition import live_sized, repetition
    from vst_desktop.evaluation.stylizers import open_session

    folders = sorted(p for p in (SHARED / "styles").iterdir() if p.is_dir())
    identifier = train_identifier(folders, SHARED / "content" / "train", IdentifyConfig(mode="grey"),
                                  paths.data_dir() / "cache")
    detailed, webcam = tune_sets()
    walls = [live_sized(f) for f in tune_wall_frames()]

    def score(onnx: Path, folder: str) -> dict:
        session = open_session(onnx, prefer_gpu=False)
        out = {}
        for name, images in (("photos", detailed), ("webcam", webcam)):
            s = identifier.score([session.run(x, 1.0) for x in images], folder)
            out[name] = {"p_own": round(s["p_own"], 4), "top1": s["top1"]}
        out["p_own"] = round((out["photos"]["p_own"] + out["webcam"]["p_own"]) / 2, 4)
        out["wall_repetition"] = round(float(np.mean([repetition(session.run(f, 1.0))[0] for f in walls])), 3)
        return out

    return score


def choose_draw(style: BuiltinStyle, runs: dict[str, Path], chosen: Path, score, log,
                max_wall_repetition: float = MAX_WALL_REPETITION) -> Path:
    """Keep, of a style's draws (label -> run: one seed of one recipe each), the one the identifier names most
    surely on the tune part, as <chosen>/<folder>/run (a link to it), with the scores in
    <chosen>/<folder>/draws.json. Two draws of the same recipe differ by 0.1-0.3 in p_own, and the draw
    that scores higher on the tune part scored higher held out for every folder measured
    (docs/research/painter_round19.md). A draw whose plain wall repeats as a tile is kept only when every
    draw's does: the identifier, reading 64 px patches, cannot see a repeat, and a person sees nothing else."""
    scores = {}
    for label, run in runs.items():
        onnx = sorted((run / "package").glob("*.onnx"))
        if onnx:
            scores[label] = score(onnx[0], style.folder)
    if not scores:
        raise RuntimeError(f"{style.folder}: no draw was built")
    plain = [k for k, v in scores.items() if v.get("wall_repetition", 0.0) <= max_wall_repetition]
    best = max(plain or scores, key=lambda k: scores[k]["p_own"])
    image_folder(style, unverified_files(), chosen)
    link = chosen / style.folder / "run"
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(runs[best].resolve(), target_is_directory=True)
    (chosen / style.folder / "draws.json").write_text(
        json.dumps({"chosen": best, "max_wall_repetition": max_wall_repetition, "tune": scores}, indent=1) + "\n")
    said = ", ".join(f"{k}: {v['p_own']:.3f} (wall {v.get('wall_repetition', '-')})" for k, v in scores.items())
    log(f"{style.folder}: {best} chosen ({said})")
    return link


def ship(run: Path, style_id: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for suffix in (".onnx", ".json", ".png"):
        shutil.copy2(run / "package" / f"{style_id}{suffix}", OUT / f"{style_id}{suffix}")


def unship(style_id: str) -> None:
    for suffix in (".onnx", ".json", ".png"):
        (OUT / f"{style_id}{suffix}").unlink(missing_ok=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="quick")
    ap.add_argument("--jobs", type=int, default=2, help="styles trained at once (each with cores/jobs threads)")
    ap.add_argument("--only", default="", help="comma-separated folder names")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--draws", type=int, default=1,
                    help="train each style with this many seeds from --seed on, and keep the draw the identifier "
                         "names most surely on the tune part (into build/styles[_<recipe>]_draws<n>/)")
    ap.add_argument("--max-wall-repetition", type=float, default=MAX_WALL_REPETITION,
                    help="with several draws: keep one whose wall repeats more than this only when all do (1: off)")
    ap.add_argument("--check-only", action="store_true", help="do not train; check and ship what is built")
    ap.add_argument("--reevaluate", action="store_true", help="measure the built styles again")
    ap.add_argument("--candidate", help="build and check this recipe (one of " + ", ".join(CANDIDATES) + "; several, "
                    "comma-separated: each style keeps the draw of any of them the tune part names most surely) in "
                    "build/styles_<recipe>[_seed<n>]/; ship nothing")
    args = ap.parse_args()
    if not SHARED.is_dir():
        print(f"error: {SHARED} not found; the styles are built from ../shared/data", file=sys.stderr)
        return 2
    recipes: list[str | None] = [r for r in (args.candidate or "").split(",") if r] or [None]
    unknown = [r for r in recipes if r is not None and r not in CANDIDATES]
    if unknown or args.draws < 1:
        print(f"error: {'unknown candidate ' + ', '.join(unknown) if unknown else '--draws must be 1 or more'} "
              f"(candidates: {', '.join(CANDIDATES)})", file=sys.stderr)
        return 2
    wanted = set(filter(None, args.only.split(",")))
    variants = {r: [s for s in (candidate_styles(r) if r else STYLES) if not wanted or s.folder in wanted]
                for r in recipes}
    styles = variants[recipes[0]]
    seeds = list(range(args.seed, args.seed + args.draws))
    draws = {(r, seed): candidate_build(r, seed) for r in recipes for seed in seeds}
    if len(draws) == 1:
        build = next(iter(draws.values()))
    else:
        build = BUILD.parent / "_".join([BUILD.name, *(r for r in recipes if r), f"draws{args.draws}"])
    threads = max(1, (os.cpu_count() or 2) // max(1, args.jobs))
    for b in {build, *(() if args.check_only else draws.values())}:  # checking creates no empty draws
        b.mkdir(parents=True, exist_ok=True)

    def log(msg: str) -> None:
        line = f"{time.strftime('%H:%M:%S')} {msg}"
        print(line, flush=True)
        with open(build / "build.log", "a", encoding="utf-8") as f:
            f.write(line + "\n")

    def label(recipe: str | None, seed: int) -> str:
        return f"{recipe or 'builtin'} seed {seed}"

    if not args.check_only:  # a style's draws side by side, so that each style is done in one draw's time
        jobs = [(i, r, seed) for i in range(len(styles)) for r in recipes for seed in seeds]
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            list(pool.map(lambda j: train(variants[j[1]][j[0]], draws[j[1], j[2]], args.preset, threads, j[2], log),
                          jobs))
    if len(draws) > 1:
        score = tune_scorer()
        for style in styles:
            choose_draw(style, {label(r, seed): b / style.folder / "run" for (r, seed), b in draws.items()},
                        build, score, log, args.max_wall_repetition)

    def one(style: BuiltinStyle) -> dict:
        run = build / style.folder / "run"
        path = package_json(run) if run.is_dir() else None
        if path is not None and (args.reevaluate or not json.loads(path.read_text()).get("metrics")):
            measure(style, run, log)  # once per draw: a chosen draw keeps what its own build measured
        verdict = check(style, run)
        chosen = build / style.folder / "draws.json"
        if chosen.is_file():
            verdict["draw"] = json.loads(chosen.read_text())["chosen"]
        outcome = "passes" if verdict["ok"] else "falls short"  # a candidate is measured only
        if not args.candidate:
            outcome = "shipped" if verdict["ok"] else "left out"
            if verdict["ok"]:
                ship(run, verdict["id"])
            elif verdict.get("id"):
                unship(verdict["id"])  # an earlier build of it must not stay in the gallery either
        log(f"{style.folder}: {outcome} {json.dumps(verdict)}")
        return verdict

    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        verdicts = list(pool.map(one, styles))
    summary = build / "summary.json"
    old = json.loads(summary.read_text()) if summary.is_file() else {}
    old.update({v["folder"]: v for v in verdicts})
    summary.write_text(json.dumps(old, indent=2) + "\n")
    shipped = [v for v in old.values() if v["ok"]]
    where = "were measured only" if args.candidate else f"are in {OUT.relative_to(ROOT)}"
    print(f"{len(shipped)} GAN styles pass and {where}; summary: {summary.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Score trained styles (ONNX) for issue 16: identification (grey, colour), the critic's texture_gain, content
edge SSIM, and flicker (raw and stabilised), on the TUNE part or on the HELD-OUT part, reported separately
for detailed photos and webcam-like frames.

tune: 10 detailed train photos; webcam = 6 demo-clip frames + 6 train portraits; clips bottle + walking.
heldout: the detailed validation photos; webcam = 6 head-pose clip frames + the 5 plain-background
validation portraits; clips head-pose + classroom. (Nothing in heldout took part in any choice.)

    python -m research.experiments.analogy_score --part tune --grid build/analogy_grid --json out.json
    python -m research.experiments.analogy_score --part heldout --onnx van_gogh=path.onnx ...
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import cv2
import numpy as np

from research.experiments.analogy_teacher import CACHE, STYLES, TRAIN
from vst_desktop.core import paths
from vst_desktop.evaluation import metrics
from vst_desktop.evaluation.identify import IdentifyConfig, train_identifier
from vst_desktop.evaluation.media import read_clip
from vst_desktop.evaluation.parts import heldout_sets, tune_sets
from vst_desktop.evaluation.run import critic_for, stabilized
from vst_desktop.evaluation.style_score import texture_gain
from vst_desktop.evaluation.stylizers import open_session

SHARED = paths.shared_data_dir()
VIDEO = SHARED / "video"
CLIPS = {"tune": ["bottle-detection.mp4", "one-by-one-person-detection.mp4"],
         "heldout": ["head-pose-face-detection-male.gif", "classroom.gif"]}
MAX_FRAMES = 12


def flicker(run, clip: Path) -> dict:
    """Raw and stabilised ewarp_ratio, each with its floor: the score of a clip as steady as the input and as
    sharp as that output (metrics.ewarp_floor; the ruler counts fine detail as flicker)."""
    frames = read_clip(clip, max_frames=MAX_FRAMES)
    pairs = metrics.warp_pairs(frames)
    outs = {id(f): run(f) for f in frames}
    replay = lambda f: outs[id(f)]  # noqa: E731
    raw = metrics.ewarp_ratio(frames, replay, pairs)
    stab = metrics.ewarp_ratio(frames, stabilized(replay), pairs)
    return {"raw": round(raw["ewarp_ratio"], 3), "stabilised": round(stab["ewarp_ratio"], 3),
            "raw_floor": round(raw["ewarp_floor"], 3), "stabilised_floor": round(stab["ewarp_floor"], 3)}


def coarse_ssim(inp: np.ndarray, out: np.ndarray, factor: int = 8) -> float:
    """SSIM of the grey pictures at 1/`factor` scale: whether the picture's layout (the person, the wall) is
    still there, which edge SSIM, reading fine edges, does not tell (round 16: a student that replaced the
    person with a wallpaper of cells lost 0.06 of edge SSIM, as much as students that kept the person)."""
    def small(img: np.ndarray) -> np.ndarray:
        g = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY).astype(np.float32)
        return cv2.resize(g, (g.shape[1] // factor, g.shape[0] // factor), interpolation=cv2.INTER_AREA)
    return metrics.ssim(small(inp), small(out), data_range=255.0)


def score(onnx: Path, folder: str, sets: dict, idents: dict, part: str) -> dict:
    sess = open_session(onnx, prefer_gpu=False)
    run = lambda x: sess.run(x, 1.0)  # noqa: E731
    critic = critic_for(STYLES / folder)
    r: dict = {}
    for name, inputs in sets.items():
        outs = [run(x) for x in inputs]
        tg = texture_gain(critic, inputs, outs)["texture_gain"]
        r[name] = {"texture_gain": None if tg is None or not np.isfinite(tg) else round(float(tg), 3),
                   "edge_ssim": round(float(np.mean([metrics.content_edge_ssim(a, b)
                                                     for a, b in zip(inputs, outs, strict=True)])), 3),
                   "coarse_ssim": round(float(np.mean([coarse_ssim(a, b)
                                                       for a, b in zip(inputs, outs, strict=True)])), 3)}
        for mode, ident in idents.items():
            s = ident.score(outs, folder)
            r[name][mode] = {"p_own": s["p_own"], "top1": s["top1"]}
    r["flicker"] = {c: flicker(run, VIDEO / c) for c in CLIPS[part]}
    return r


def row(label: str, folder: str, r: dict) -> str:
    cells = []
    for s in ("photos", "webcam"):
        g, c = r[s]["grey"], r[s]["colour"]
        tg = r[s]["texture_gain"]
        cells.append(f"{g['top1']} {g['p_own']:.2f} | {c['top1']} {c['p_own']:.2f} | "
                     f"{'-' if tg is None else f'{tg:.2f}'} | {r[s]['edge_ssim']:.2f}")
    fl = " ".join(f"{v['raw']:.2f}/{v['stabilised']:.2f}" for v in r["flicker"].values())
    return f"| {label} | {folder} | " + " | ".join(cells) + f" | {fl} |"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--part", choices=("tune", "heldout"), default="tune")
    ap.add_argument("--grid", help="a grid folder: VARIANT/FOLDER/package/*.onnx")
    ap.add_argument("--variants", default="")
    ap.add_argument("--onnx", action="append", default=[], help="LABEL:FOLDER=path.onnx")
    ap.add_argument("--shipped", action="store_true", help="also score resources/styles (today's styles)")
    ap.add_argument("--exclude", default="munch_scream", help="folders not looked at (the never-tuned one)")
    ap.add_argument("--json")
    args = ap.parse_args()
    all_folders = sorted(p for p in STYLES.iterdir() if p.is_dir())
    idents = {m: train_identifier(all_folders, TRAIN, IdentifyConfig(mode=m), CACHE) for m in ("grey", "colour")}
    detailed, webcam = tune_sets() if args.part == "tune" else heldout_sets()
    sets = {"photos": detailed, "webcam": webcam}
    excluded = {f for f in args.exclude.split(",") if f}
    targets: list[tuple[str, str, Path]] = []
    if args.grid:
        for onnx in sorted(Path(args.grid).glob("*/*/package/*.onnx")):
            variant, folder = onnx.parts[-4], onnx.parts[-3]
            if (not args.variants or variant in args.variants.split(",")) and folder not in excluded:
                targets.append((variant, folder, onnx))
    if args.shipped:
        from research.experiments.candidate_sheets import shipped

        targets += [("shipped", folder, onnx) for folder, onnx in shipped().items() if folder not in excluded]
    for item in args.onnx:
        label_folder, path = item.split("=", 1)
        label, folder = label_folder.split(":", 1)
        targets.append((label, folder, Path(path)))
    print("| variant | folder | photos grey | photos colour | photos TG | photos SSIM | webcam grey | webcam colour "
          "| webcam TG | webcam SSIM | flicker raw/stab per clip |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    report = {"part": args.part, "results": []}
    for label, folder, onnx in targets:
        t0 = time.time()
        r = score(onnx, folder, sets, idents, args.part)
        report["results"].append({"variant": label, "folder": folder, "onnx": str(onnx), **r})
        print(row(label, folder, r), f"({time.time() - t0:.0f} s)", flush=True)
        if args.json:
            Path(args.json).write_text(json.dumps(report, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

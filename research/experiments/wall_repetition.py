"""How visibly a style repeats itself on the plain wall of a webcam frame (a wallpaper, not a painting).

A canvas style paints the wall from a periodic tile; the eye finds the repeat when the same marks come
back a tile's width away. This measures it on held-out webcam frames at the live size (640x360): the
output's grey detail (above a Gaussian low-pass, sigma 4 px) is correlated with itself shifted by every
offset of 24-320 px across and up to half the frame's height (over the part of the frame the two overlap), and the
largest normalised correlation is the repetition: near 1 when a tile repeats cleanly, near 0 for marks that never
come back. The input frames and each folder's own paintings give the scale: what a camera and a painter give.

    python -m research.experiments.wall_repetition --json out.json LABEL=BUILD_DIR ...
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from research.experiments.candidate_sheets import HEAD_POSE, SHARED, styles_of
from vst_desktop.evaluation.media import image_files, read_image
from vst_desktop.evaluation.repetition import live_sized, repetition
from vst_desktop.evaluation.stylizers import open_session
from vst_desktop.evaluation.webcam import clip_frames


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("builds", nargs="+", help="LABEL=BUILD_DIR (a build_styles folder)")
    ap.add_argument("--json", required=True)
    args = ap.parse_args()
    frames = [live_sized(f) for f in clip_frames(HEAD_POSE, 6)]
    out: dict = {"input": float(np.mean([repetition(f)[0] for f in frames])), "paintings": {}, "builds": {}}
    folders = set()
    for spec in args.builds:
        label, build = spec.split("=", 1)
        rows = {}
        for folder, _name, onnx in styles_of(Path(build)):
            session = open_session(onnx, prefer_gpu=False)
            scores = [repetition(session.run(f, 1.0)) for f in frames]
            rows[folder] = {"repetition": round(float(np.mean([s for s, _ in scores])), 3),
                            "shifts": [list(at) for _, at in scores]}
            folders.add(folder)
            print(f"{label:>10} {folder:22s} {rows[folder]['repetition']:.3f}", flush=True)
        out["builds"][label] = rows
    for folder in sorted(folders):  # each painting at the live size, as the same measure sees a frame
        scores = [repetition(live_sized(read_image(p)))[0] for p in image_files(SHARED / "styles" / folder)]
        out["paintings"][folder] = round(float(np.mean(scores)), 3)
    print("input", round(out["input"], 3), "paintings", out["paintings"])
    Path(args.json).write_text(json.dumps(out, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

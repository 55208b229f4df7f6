"""Where in the picture does a style's flicker live? The warping error (evaluation/metrics.py, the one
`ewarp_ratio` divides) of a style's output on the motion set, split by what the *input* has there:

- flat: local grey std under 4 levels (3 px Gaussian window): a plain wall, a table top, a clear sky;
- mid: 4-12;
- textured: 12 and over;

and by the metric's own flow there (under or over 0.3 px a frame). Each cell is that class's share of the
whole output error, beside its share of the pixels and of the input's error. A style whose error sits in
flat areas, where the input has almost none, is paying for marks that the metric's flow cannot follow:
optical flow is undetermined on a textureless area, so any mark there is checked against whatever motion the
flow estimator guesses (e.g. a moving hand's motion spilling onto the wall behind it).

    nice env OMP_NUM_THREADS=1 PYTHONPATH=. .venv/bin/python -m research.experiments.flicker_where \
        --onnx resources/styles/van-gogh.onnx --onnx build/carried_canvas/V/van_gogh.onnx --part tune --json F
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import cv2
import numpy as np

from vst_desktop.evaluation import metrics
from vst_desktop.evaluation import motion_set as ms
from vst_desktop.inference.canvas_motion import CanvasMotion
from vst_desktop.inference.session import StyleSession
from vst_desktop.inference.temporal import TemporalStabilizer

FLAT, TEXTURED = 4.0, 12.0  # grey levels of local std
STILL_FLOW = 0.3  # px a frame


def error_maps(frames: list[np.ndarray], pairs) -> np.ndarray:
    """(T-1, H, W): the per-pixel squared warping error the metric sums (0 where a pixel is not visible)."""
    maps = []
    for (back, ok), prev, cur in zip(pairs, frames[:-1], frames[1:], strict=True):
        moved = metrics._sample(prev.astype(np.float32), back)
        maps.append((((cur.astype(np.float32) - moved) / 255.0) ** 2).mean(-1) * ok)
    return np.array(maps)


def classes(frames: list[np.ndarray], pairs) -> dict[str, np.ndarray]:
    greys = [cv2.cvtColor(f, cv2.COLOR_BGR2GRAY).astype(np.float32) for f in frames[1:]]
    std = np.array([np.sqrt(np.maximum(cv2.GaussianBlur(g * g, (0, 0), 3) - cv2.GaussianBlur(g, (0, 0), 3) ** 2, 0))
                    for g in greys])
    speed = np.array([np.sqrt((back ** 2).sum(-1)) for back, _ in pairs])
    return {"flat": std < FLAT, "mid": (std >= FLAT) & (std < TEXTURED), "textured": std >= TEXTURED,
            "flow_still": speed < STILL_FLOW, "flow_moving": speed >= STILL_FLOW}


def split(onnx: Path, clips: dict[str, list[np.ndarray]]) -> dict:
    session = StyleSession(onnx, prefer_gpu=False)
    per_clip = {}
    for name, frames in clips.items():
        pairs = metrics.warp_pairs(frames)
        carrier = CanvasMotion() if session.has_canvas else None
        outs = [session.run(f, canvas_at=None if carrier is None else carrier(f)) for f in frames]
        stab = TemporalStabilizer()
        steadied = [stab(f, o) for f, o in zip(frames, outs, strict=True)]
        e_in, e_raw, e_stab = (error_maps(x, pairs) for x in (frames, outs, steadied))
        row = {"ratio": [round(float(e_raw.sum() / e_in.sum()), 3), round(float(e_stab.sum() / e_in.sum()), 3)]}
        for label, mask in classes(frames, pairs).items():
            row[label] = {"pixels": round(float(mask.mean()), 3),
                          "input": round(float(e_in[mask].sum() / e_in.sum()), 3),
                          "raw": round(float(e_raw[mask].sum() / e_raw.sum()), 3),
                          "stabilised": round(float(e_stab[mask].sum() / e_stab.sum()), 3),
                          # the ratio the class alone would score: its output error over its input error
                          "raw_ratio": round(float(e_raw[mask].sum() / max(e_in[mask].sum(), 1e-12)), 2)}
        per_clip[name] = row
        print(f"  {name:48s} ratio {row['ratio']}  flat: {row['flat']['pixels']:.2f} of pixels, "
              f"{row['flat']['input']:.2f} of input error, {row['flat']['raw']:.2f} raw / "
              f"{row['flat']['stabilised']:.2f} stabilised of output error", flush=True)
    return per_clip


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--onnx", action="append", required=True)
    ap.add_argument("--part", choices=["tune", "heldout"], default="tune")
    ap.add_argument("--json")
    args = ap.parse_args()
    clips = ms.motion_set(ms.TUNE if args.part == "tune" else ms.HELD_OUT)
    report = {"part": args.part, "flat_std": FLAT, "textured_std": TEXTURED, "still_flow_px": STILL_FLOW,
              "results": []}
    for path in args.onnx:
        print(path, flush=True)
        report["results"].append({"onnx": path, "clips": split(Path(path), clips)})
        if args.json:
            Path(args.json).write_text(json.dumps(report, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""How much "flicker" does ewarp_ratio see in styles that cannot flicker? A filter that is linear and the
same at every pixel (a blur, an unsharp mask) commutes with the photo clips' sub-pixel camera moves: its
output on each frame is exactly the output on the photo, moved. Whatever warping error it scores beyond the
input's is the ruler's own: the metric moves the previous frame with an estimated flow and bilinear
interpolation, and both err more on strong fine detail than on the photo's. This puts a number on that
floor for a picture as sharp as a painted style's, measured on the motion set's photo clips.

    nice env OMP_NUM_THREADS=1 PYTHONPATH=. .venv/bin/python -m research.experiments.flicker_ruler --part tune
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import cv2
import numpy as np

from vst_desktop.evaluation import metrics
from vst_desktop.evaluation import motion_set as ms


def unsharp(amount: float, sigma: float = 1.0):
    def apply(bgr: np.ndarray) -> np.ndarray:
        f = bgr.astype(np.float32)
        return np.clip(f + amount * (f - cv2.GaussianBlur(f, (0, 0), sigma)), 0, 255).astype(np.uint8)
    return apply


def highpass_energy(frames: list[np.ndarray]) -> float:
    """Mean squared difference from a 1 px Gaussian blur, grey levels: how much fine detail a picture has."""
    g = [cv2.cvtColor(f, cv2.COLOR_BGR2GRAY).astype(np.float32) for f in frames]
    return float(np.mean([((x - cv2.GaussianBlur(x, (0, 0), 1.0)) ** 2).mean() for x in g]))


def style_against_floor(onnx: Path, clips: dict[str, list[np.ndarray]]) -> dict:
    """Per clip: [ewarp_ratio, its floor] raw and stabilised (a canvas style carries its canvas)."""
    from vst_desktop.inference.canvas_motion import CanvasMotion
    from vst_desktop.inference.session import StyleSession
    from vst_desktop.inference.temporal import TemporalStabilizer

    session = StyleSession(onnx, prefer_gpu=False)
    per_clip = {}
    for name, frames in clips.items():
        pairs = metrics.warp_pairs(frames)
        e_in = metrics.warping_error(frames, pairs)
        carrier = CanvasMotion() if session.has_canvas else None
        raw = [session.run(f, canvas_at=None if carrier is None else carrier(f)) for f in frames]
        stab = TemporalStabilizer()
        shown = [stab(f, o) for f, o in zip(frames, raw, strict=True)]
        per_clip[name] = {kind: [round(metrics.warping_error(outs, pairs) / e_in, 3),
                                 round(metrics.ewarp_floor(frames, outs, pairs, e_in), 3)]
                          for kind, outs in (("raw", raw), ("stabilised", shown))}
    photo = [c for c in per_clip if ":" in c]
    summary = {}
    for kind in ("raw", "stabilised"):
        summary[kind] = {"photo_median": round(float(np.median([per_clip[c][kind][0] for c in photo])), 2),
                         "photo_floor_median": round(float(np.median([per_clip[c][kind][1] for c in photo])), 2),
                         "photo_over_floor_median": round(float(np.median(
                             [per_clip[c][kind][0] / per_clip[c][kind][1] for c in photo])), 2)}
        summary[kind] |= {c: per_clip[c][kind] for c in per_clip if ":" not in c}
    return {"summary": summary, "clips": per_clip}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--part", choices=["tune", "heldout"], default="tune")
    ap.add_argument("--amounts", default="0.5,1,2,4")
    ap.add_argument("--onnx", action="append", default=[], help="also a style: its flicker beside its floor")
    ap.add_argument("--json")
    args = ap.parse_args()
    everything = ms.motion_set(ms.TUNE if args.part == "tune" else ms.HELD_OUT)
    clips = {k: v for k, v in everything.items() if ":" in k}  # the photo clips: exact sub-pixel moves
    shared = {k: v for k, v in everything.items() if ":" not in k}  # real video: reported apart
    filters = {"blur 1 px": lambda f: cv2.GaussianBlur(f, (0, 0), 1.0)}
    filters.update({f"unsharp x{a}": unsharp(float(a)) for a in args.amounts.split(",")})
    report = {"part": args.part, "clips": sorted(clips), "filters": {}}
    for name, fn in filters.items():
        ratios, detail = [], []
        for frames in clips.values():
            pairs = metrics.warp_pairs(frames)
            outs = [fn(f) for f in frames]
            ratios.append(metrics.warping_error(outs, pairs) / metrics.warping_error(frames, pairs))
            detail.append(highpass_energy(outs) / highpass_energy(frames))
        report["filters"][name] = {"ewarp_median": round(float(np.median(ratios)), 2),
                                   "ewarp_max": round(float(np.max(ratios)), 2),
                                   "fine_detail_vs_input": round(float(np.median(detail)), 2)}
        for clip, frames in shared.items():
            pairs = metrics.warp_pairs(frames)
            ratio = metrics.warping_error([fn(f) for f in frames], pairs) / metrics.warping_error(frames, pairs)
            report["filters"][name][clip] = round(float(ratio), 2)
        print(name, report["filters"][name], flush=True)
    for path in args.onnx:  # a style's own flicker beside its floor, raw and through the stabiliser
        report["styles"] = report.get("styles", {})
        report["styles"][path] = style_against_floor(Path(path), everything)
        print(path, report["styles"][path]["summary"], flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

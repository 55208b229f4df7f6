"""Does carrying a canvas style's canvas along the picture's motion (inference/canvas_motion.py) steady its
marks? Flicker (ewarp_ratio, raw and through the stabiliser) of the analogy grid's students on the motion set
(evaluation/motion_set.py: pans, zooms, rotations of photos, the shared clips), canvas read in place
("fixed", how the students were scored until now) against carried with the camera ("carried"); plus both
outputs' content edge SSIM against the input, so that carrying is not bought with smear.

Choose CanvasMotion's settings on `--part tune` only; report `--part heldout`. `--sheet CLIP=F.jpg` draws one
frame of a clip instead: fixed above carried, the output and its change from the previous output moved along
the flow.

    nice env OMP_NUM_THREADS=1 PYTHONPATH=. .venv/bin/python -m research.experiments.carried_canvas \
        --variants analogy_D_paintcanvas_wall_keep15_window --part tune [--set dead_zone=0.3 ...] --json F
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import cv2
import numpy as np

from vst_desktop.evaluation import metrics
from vst_desktop.evaluation import motion_set as ms
from vst_desktop.inference import canvas_motion, temporal
from vst_desktop.inference.canvas_motion import CanvasMotion
from vst_desktop.inference.session import StyleSession
from vst_desktop.inference.temporal import TemporalStabilizer
from vst_desktop.training import checkpoint as ckpt
from vst_desktop.training.export import export_onnx
from vst_desktop.training.models import build_generator
from vst_desktop.training.texture.marks import generator_stages
from vst_desktop.trainspec.config import TrainConfig

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "build" / "carried_canvas"


def export_student(run: Path, dest: Path) -> Path:
    """The run's weight-averaged generator, exported with the canvas as an input (and its tile)."""
    if dest.is_file() and dest.stat().st_mtime > (run / "checkpoints" / "latest.pt").stat().st_mtime:
        return dest
    state = ckpt.load(run / "checkpoints" / "latest.pt")
    cfg = TrainConfig.from_dict(state["config"])
    g = build_generator(cfg.generator, **generator_stages(cfg))
    g.load_state_dict(state["EMA"])
    return export_onnx(g, dest)


def ratios(frames: list[np.ndarray], outs: list[np.ndarray], pairs) -> tuple[float, float]:
    e_in = metrics.warping_error(frames, pairs)
    stab = TemporalStabilizer()
    steadied = [stab(f, o) for f, o in zip(frames, outs, strict=True)]
    return tuple(round(metrics.warping_error(o, pairs) / max(e_in, 1e-12), 3) for o in (outs, steadied))


def measure(session: StyleSession, clips: dict[str, list[np.ndarray]], motion: dict) -> dict:
    per_clip = {}
    for name, frames in clips.items():
        pairs = metrics.warp_pairs(frames)
        fixed = [session.run(f) for f in frames]
        carrier = CanvasMotion(**motion)
        carried = [session.run(f, canvas_at=carrier(f)) for f in frames]
        fr, fs = ratios(frames, fixed, pairs)
        cr, cs = ratios(frames, carried, pairs)
        ssim = {f"{mode}_edge_ssim": round(float(np.mean([metrics.content_edge_ssim(f, o)
                                                          for f, o in zip(frames[::4], outs[::4], strict=True)])), 3)
                for mode, outs in (("fixed", fixed), ("carried", carried))}
        per_clip[name] = {"fixed": [fr, fs], "carried": [cr, cs], **ssim}
        print(f"  {name:34s} fixed {fr:7.2f}/{fs:6.2f}  carried {cr:7.2f}/{cs:6.2f}", flush=True)
    summary = {}
    for mode in ("fixed", "carried"):
        raw = [c[mode][0] for c in per_clip.values()]
        stab = [c[mode][1] for c in per_clip.values()]
        summary[mode] = {"raw_median": round(float(np.median(raw)), 2), "raw_max": max(raw),
                         "stab_median": round(float(np.median(stab)), 2), "stab_max": max(stab)}
    return {"summary": summary, "clips": per_clip}


def sheet(session: StyleSession, frames: list[np.ndarray], path: Path, t: int = 8) -> None:
    """One frame of a camera move, fixed canvas above carried: the output, and what changed from the previous
    output moved along the input's flow (x4): what the eye sees swim."""
    pairs = metrics.warp_pairs(frames[t - 1:t + 1])
    rows = []
    for carrier in (None, CanvasMotion()):
        outs = [session.run(f) if carrier is None else session.run(f, canvas_at=carrier(f)) for f in frames[:t + 1]]
        back, ok = pairs[0]
        moved = metrics._sample(outs[t - 1].astype(np.float32), back)
        change = np.clip(np.abs(outs[t].astype(np.float32) - moved) * 4 * ok[..., None], 0, 255).astype(np.uint8)
        rows.append(np.hstack([frames[t], outs[t], change]))
    cv2.imwrite(str(path), np.vstack(rows), [cv2.IMWRITE_JPEG_QUALITY, 85])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--grid", default=str(ROOT / "build" / "analogy_grid"))
    ap.add_argument("--variants", required=True)
    ap.add_argument("--folders", default="kandinsky,monet,ukiyo_e,van_gogh")
    ap.add_argument("--part", choices=["tune", "heldout"], default="tune")
    ap.add_argument("--set", action="append", default=[], help="CanvasMotion setting, e.g. dead_zone=0.3")
    ap.add_argument("--json")
    ap.add_argument("--stab-interp", choices=["linear", "cubic"], default=None,
                    help="how the stabiliser moves the previous output (default: the shipped one)")
    ap.add_argument("--tile-interp", choices=["linear", "cubic", "lanczos"], default=None,
                    help="how the canvas tile is read at sub-pixel positions (default: the shipped one)")
    ap.add_argument("--sheet", help="CLIP=path.jpg: a sheet of that clip for each student (one student advised)")
    args = ap.parse_args()
    motion = {k: float(v) for k, v in (s.split("=", 1) for s in args.set)}
    if args.stab_interp:
        temporal.PAST_WARP = {"linear": cv2.INTER_LINEAR, "cubic": cv2.INTER_CUBIC}[args.stab_interp]
    if args.tile_interp:
        canvas_motion.TILE_INTERPOLATION = {"linear": cv2.INTER_LINEAR, "cubic": cv2.INTER_CUBIC,
                                            "lanczos": cv2.INTER_LANCZOS4}[args.tile_interp]
    clips = ms.motion_set(ms.TUNE if args.part == "tune" else ms.HELD_OUT)
    report = {"part": args.part, "motion": motion, "tile_interp": args.tile_interp or "shipped",
              "stab_interp": args.stab_interp or "shipped", "results": []}
    for variant in args.variants.split(","):
        for folder in args.folders.split(","):
            t0 = time.time()
            onnx = export_student(Path(args.grid) / variant / folder, OUT / variant / f"{folder}.onnx")
            print(variant, folder, flush=True)
            if args.sheet:
                clip, _, out = args.sheet.partition("=")
                sheet(StyleSession(onnx, prefer_gpu=False), clips[clip], Path(out))
                continue
            r = measure(StyleSession(onnx, prefer_gpu=False), clips, motion)
            report["results"].append({"variant": variant, "folder": folder, **r})
            print(f"  {json.dumps(r['summary'])} ({time.time() - t0:.0f} s)", flush=True)
            if args.json:
                Path(args.json).write_text(json.dumps(report, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

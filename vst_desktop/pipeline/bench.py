"""`vst-desktop bench`: model time and end-to-end speed per style, side by side with a reference network.

The reference has the architecture of Johnson et al.'s fast style transfer (random weights are fine for
timing); every number comes from the same run on the same machine, so the ratios are meaningful.
"""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import cv2
import numpy as np

from vst_desktop.capture.video import iter_video_frames
from vst_desktop.core import paths
from vst_desktop.core.errors import StyleError
from vst_desktop.core.frame import Frame
from vst_desktop.inference.session import StyleSession
from vst_desktop.pipeline.pipeline import Pipeline
from vst_desktop.styles.library import StyleLibrary
from vst_desktop.styles.reference import reference_onnx_path

REFERENCE_ID = "johnson-reference"


def _real_frames(size: tuple[int, int], limit: int = 48) -> list[Frame]:
    """Frames of the demo clip at the benchmark size (decoded up front: decoding is not what we time)."""
    frames = []
    for f in itertools.islice(iter_video_frames(paths.demo_clip()), limit):
        frames.append(Frame(cv2.resize(f.pixels, size, interpolation=cv2.INTER_AREA), f.timestamp, f.index))
    if not frames:
        raise StyleError("The demo clip holds no frames.", "Reinstall the application.")
    return frames


def _model_ms(session: StyleSession, frames: list[Frame], seconds: float) -> list[float]:
    times, deadline, i = [], time.perf_counter() + seconds, 0
    while time.perf_counter() < deadline or len(times) < 5:
        img = frames[i % len(frames)].pixels
        t0 = time.perf_counter()
        session.run(img, 1.0)
        times.append((time.perf_counter() - t0) * 1000.0)
        i += 1
    return times


def _e2e(session: StyleSession, frames: list[Frame], size: tuple[int, int], seconds: float) -> tuple[float, list[float]]:
    pipe = Pipeline(session, inference_size=size, output_size=size)
    lat, n, start, i = [], 0, time.perf_counter(), 0
    deadline = start + seconds
    while time.perf_counter() < deadline or n < 5:
        t0 = time.perf_counter()
        pipe.step(frames[i % len(frames)])
        lat.append((time.perf_counter() - t0) * 1000.0)
        n += 1
        i += 1
    return n / (time.perf_counter() - start), lat


def _measure(onnx_path: Path, frames: list[Frame], size: tuple[int, int], seconds: float,
             prefer_gpu: bool) -> dict:
    session = StyleSession(onnx_path, prefer_gpu=prefer_gpu)
    session.warmup(*size, runs=3)
    model = _model_ms(session, frames, seconds / 2)
    fps, lat = _e2e(session, frames, size, seconds / 2)
    return {
        "model_ms": round(float(np.median(model)), 2),
        "e2e_fps": round(fps, 1),
        "p50_latency_ms": round(float(np.percentile(lat, 50)), 2),
        "p95_latency_ms": round(float(np.percentile(lat, 95)), 2),
        "provider": session.provider,
    }


def run_bench(size: tuple[int, int] = (640, 360), seconds: float = 3.0, styles: list[str] | None = None,
              prefer_gpu: bool = True) -> dict:
    frames = _real_frames(size)
    lib = StyleLibrary()
    ref = _measure(reference_onnx_path(), frames, size, seconds, prefer_gpu)
    rows = []
    packages = [lib.get(s) for s in styles] if styles else lib.list()
    for pkg in packages:
        r = _measure(pkg.onnx_path, frames, size, seconds, prefer_gpu)
        r.update(id=pkg.id, kind=pkg.meta.kind, speedup_vs_reference=round(ref["model_ms"] / r["model_ms"], 2))
        rows.append(r)
    ref_row = dict(ref, id=REFERENCE_ID, kind="reference", speedup_vs_reference=1.0)
    return {
        "size": list(size),
        "seconds_per_style": seconds,
        "provider": ref["provider"],
        "reference_ms": ref["model_ms"],
        "reference": ref_row,
        # Pipeline overhead on the reference itself: e2e fps relative to model-only fps.
        "reference_e2e_over_model": round(ref["e2e_fps"] * ref["model_ms"] / 1000.0, 3),
        "styles": rows,
    }


def format_table(r: dict) -> str:
    w, h = r["size"]
    head = f"{'style':24s} {'kind':9s} {'model ms':>9s} {'e2e fps':>8s} {'p50 ms':>7s} {'p95 ms':>7s} {'x ref':>6s}"
    lines = [f"bench at {w}x{h} on {r['provider']}", head, "-" * len(head)]
    for row in [*r["styles"], r["reference"]]:
        lines.append(f"{row['id']:24s} {row['kind']:9s} {row['model_ms']:9.2f} {row['e2e_fps']:8.1f} "
                     f"{row['p50_latency_ms']:7.2f} {row['p95_latency_ms']:7.2f} {row['speedup_vs_reference']:6.2f}")
    lines.append(f"reference (Johnson et al. architecture): {r['reference_ms']:.1f} ms; "
                 f"its end-to-end fps is {100 * r['reference_e2e_over_model']:.0f}% of model-only fps")
    return "\n".join(lines)

"""`vst-desktop bench`: model time and end-to-end speed per style, side by side with a reference network.

End to end is the live view's path: frames at `--size` in, the network at the size the live view uses
(on a CPU at most 360p, enlarged guided by the frame), the stabiliser, frames at `--size` out, with the
network and the finishing stage overlapped on two threads as in the app.

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
from vst_desktop.pipeline.overlap import OverlappedPipeline
from vst_desktop.pipeline.pipeline import Pipeline
from vst_desktop.pipeline.sizing import is_gpu, network_size
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


def _e2e(session: StyleSession, frames: list[Frame], size: tuple[int, int], inference_size: tuple[int, int],
         seconds: float, overlapped: bool) -> dict:
    """Frames delivered per second through the live path (network, stabiliser, enlargement), the p95 of the
    time between deliveries (what a viewer sees as a stutter) and the p95 of each frame's own latency."""
    pipe = Pipeline(session, inference_size=inference_size, output_size=size)
    delivered: list[float] = []
    latency: list[float] = []

    def deliver(out) -> None:
        delivered.append(time.perf_counter())
        latency.append(out.stats.total_ms)

    runner = OverlappedPipeline(pipe, deliver) if overlapped else None
    start, i = time.perf_counter(), 0
    while time.perf_counter() < start + seconds or i < 6:
        frame = frames[i % len(frames)]
        if runner is not None:
            runner.push(frame)
        else:
            deliver(pipe.step(frame))
        i += 1
    if runner is not None:
        runner.close()
    gaps = np.diff([start, *delivered]) * 1000.0
    return {
        "e2e_fps": round(len(delivered) / (delivered[-1] - start), 1),
        "p95_frame_ms": round(float(np.percentile(gaps[1:], 95)), 2),
        "p50_latency_ms": round(float(np.percentile(latency, 50)), 2),
        "p95_latency_ms": round(float(np.percentile(latency, 95)), 2),
    }


def _measure(onnx_path: Path, frames: list[Frame], size: tuple[int, int], seconds: float,
             prefer_gpu: bool, inference: str, overlapped: bool) -> dict:
    session = StyleSession(onnx_path, prefer_gpu=prefer_gpu)
    inf_size = size if inference == "full" else network_size(size, is_gpu(session.provider))
    session.warmup(*inf_size, runs=3)
    small = [Frame(cv2.resize(f.pixels, inf_size, interpolation=cv2.INTER_AREA), f.timestamp, f.index)
             for f in frames[:8]]
    model = _model_ms(session, small, seconds / 2)
    row = {"model_ms": round(float(np.median(model)), 2), "inference_size": list(inf_size),
           "provider": session.provider}
    row.update(_e2e(session, frames, size, inf_size, seconds / 2, overlapped))
    return row


def run_bench(size: tuple[int, int] = (640, 360), seconds: float = 3.0, styles: list[str] | None = None,
              prefer_gpu: bool = True, inference: str = "auto", overlapped: bool = True) -> dict:
    """`inference`: "auto" runs the network at the size the live view uses on this provider (on a CPU at
    most 360p, enlarged guided by the frame); "full" runs it at `size`. `overlapped`: the network and the
    finishing stage on two threads, one frame apart, as the live view runs them."""
    frames = _real_frames(size)
    lib = StyleLibrary()
    ref = _measure(reference_onnx_path(), frames, size, seconds, prefer_gpu, inference, overlapped)
    rows = []
    packages = [lib.get(s) for s in styles] if styles else lib.list()
    for pkg in packages:
        r = _measure(pkg.onnx_path, frames, size, seconds, prefer_gpu, inference, overlapped)
        r.update(id=pkg.id, kind=pkg.meta.kind, speedup_vs_reference=round(ref["model_ms"] / r["model_ms"], 2))
        rows.append(r)
    ref_row = dict(ref, id=REFERENCE_ID, kind="reference", speedup_vs_reference=1.0)
    gan = [r for r in rows if r["kind"] == "gan"]
    return {
        "size": list(size),
        "inference": inference,
        "overlapped": overlapped,
        "seconds_per_style": seconds,
        "provider": ref["provider"],
        "reference_ms": ref["model_ms"],
        "reference": ref_row,
        "slowest_style": min(gan, key=lambda r: r["e2e_fps"])["id"] if gan else None,
        "styles": rows,
    }


def format_table(r: dict) -> str:
    w, h = r["size"]
    head = (f"{'style':20s} {'kind':9s} {'network':>9s} {'model ms':>9s} {'e2e fps':>8s} {'p95 frame':>9s} "
            f"{'p95 latency':>11s} {'x ref':>6s}")
    mode = "two stages overlapped" if r["overlapped"] else "one stage after the other"
    lines = [f"bench at {w}x{h} on {r['provider']} ({mode})", head, "-" * len(head)]
    for row in [*r["styles"], r["reference"]]:
        net = "x".join(str(v) for v in row["inference_size"])
        lines.append(f"{row['id']:20s} {row['kind']:9s} {net:>9s} {row['model_ms']:9.2f} {row['e2e_fps']:8.1f} "
                     f"{row['p95_frame_ms']:9.2f} {row['p95_latency_ms']:11.2f} {row['speedup_vs_reference']:6.2f}")
    if r.get("slowest_style"):
        lines.append(f"slowest style: {r['slowest_style']}")
    lines.append(f"reference (Johnson et al. architecture): {r['reference_ms']:.1f} ms per frame at its network size")
    return "\n".join(lines)

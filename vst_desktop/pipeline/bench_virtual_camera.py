"""`vst-desktop bench --virtual-camera`: what the virtual camera costs the frame loop, measured side by side.

One pipeline, one style, one run: blocks of frames alternate between the loop alone and the loop handing
every result to a `VirtualCameraSink`. The sink's device is `NullBackend`, which does a real device's
per-frame work (BGR -> RGB in the sink, RGB -> I420 in the "device"), unpaced, so every frame is sent:
the worst case. The sender thread competes with the loop for the same CPU cores, as it does live.
"""

from __future__ import annotations

import time

import numpy as np

from vst_desktop.core.errors import StyleError
from vst_desktop.inference.session import StyleSession
from vst_desktop.output.sink import VirtualCameraSink
from vst_desktop.output.virtual_camera import NullBackend
from vst_desktop.pipeline.bench import _real_frames
from vst_desktop.pipeline.pipeline import Pipeline
from vst_desktop.styles.library import StyleLibrary


def _pick_style(style: str | None):
    lib = StyleLibrary()
    if style:
        return lib.get(style)
    styles = lib.list()
    pkg = next((p for p in styles if p.meta.kind == "gan"), styles[0] if styles else None)
    if pkg is None:
        raise StyleError("No style is installed to measure with.", "Reinstall the application.")
    return pkg


def _block(pipe: Pipeline, frames, start: int, n: int, sink: VirtualCameraSink | None, fps: float) -> float:
    """Mean ms per frame over `n` frames (wall time: includes the sender thread's competition)."""
    t0 = time.perf_counter()
    for i in range(start, start + n):
        out = pipe.step(frames[i % len(frames)])
        if sink is not None:
            sink.submit(out.pixels, fps)
    return (time.perf_counter() - t0) * 1000.0 / n


def run_virtual_camera_bench(size: tuple[int, int] = (640, 360), seconds: float = 8.0, style: str | None = None,
                             prefer_gpu: bool = True, rounds: int = 8) -> dict:
    frames = _real_frames(size)
    pkg = _pick_style(style)
    session = StyleSession(pkg.onnx_path, prefer_gpu=prefer_gpu)
    session.warmup(*size, runs=3)
    pipe = Pipeline(session, inference_size=size)
    backend = NullBackend()
    sink = VirtualCameraSink(backend, pace=False)
    fps = 30.0
    try:
        probe = _block(pipe, frames, 0, 5, sink, fps)  # warm both paths; size the blocks from it
        per_block = max(5, int(seconds * 1000.0 / (2 * rounds) / max(probe, 1.0)))
        off, on, i = [], [], 5
        for r in range(rounds):
            # ABBA order: a slow drift of the machine's load falls on both sides alike.
            for with_sink in ((False, True) if r % 2 == 0 else (True, False)):
                ms = _block(pipe, frames, i, per_block, sink if with_sink else None, fps)
                (on if with_sink else off).append(ms)
                i += per_block
    finally:
        sink.close()
    off_ms, on_ms = float(np.median(off)), float(np.median(on))
    return {
        "size": list(size),
        "style": pkg.id,
        "provider": session.provider,
        "frames_per_block": per_block,
        "rounds": rounds,
        "off_ms": round(off_ms, 2),
        "on_ms": round(on_ms, 2),
        "ratio": round(on_ms / off_ms, 4),
        "overhead_pct": round(100.0 * (on_ms / off_ms - 1.0), 2),
        "off_blocks_ms": [round(v, 2) for v in off],
        "on_blocks_ms": [round(v, 2) for v in on],
        "device_frames": backend.frames,
        "sink_dropped": sink.dropped,
        "sink_error": sink.error.user_text() if sink.error else "",
    }


def format_report(r: dict) -> str:
    w, h = r["size"]
    return "\n".join([
        f"virtual camera cost at {w}x{h}, style {r['style']} on {r['provider']} "
        f"({r['rounds']} rounds of {r['frames_per_block']} frames each way, medians)",
        f"  frame time without the virtual camera  {r['off_ms']:7.2f} ms",
        f"  frame time with the virtual camera     {r['on_ms']:7.2f} ms",
        f"  ratio {r['ratio']:.3f} ({r['overhead_pct']:+.1f}%); the device took {r['device_frames']} frames, "
        f"{r['sink_dropped']} were replaced by newer ones",
    ])

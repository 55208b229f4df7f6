"""`vst-desktop bench --virtual-camera`: what the virtual camera costs the frame loop, measured side by side.

One pipeline, one style, one run: short blocks of frames rotate between the loop alone, the loop handing
every result to a `VirtualCameraSink`, and the loop alone again (a control: on a shared machine its ratio
to the first shows how much of any difference is noise). The sink's device is `NullBackend`, which does a real device's
per-frame work (BGR -> RGB in the sink, RGB -> I420 in the "device"), unpaced, so every frame is sent:
the worst case. The sender thread competes with the loop for the same CPU cores, as it does live.
"""

from __future__ import annotations

import time

import cv2
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


def _block(pipe: Pipeline, frames, start: int, n: int, sink: VirtualCameraSink | None,
           fps: float, submit_us: list[float]) -> tuple[float, float]:
    """Wall and process-CPU ms per frame over `n` frames. Wall time is the frame time the view sees (the
    sender thread competes for the cores); CPU time is every thread's work, the sender's included, and
    moves less with other programs' load on a shared machine."""
    t0, c0 = time.perf_counter(), time.process_time()
    for i in range(start, start + n):
        out = pipe.step(frames[i % len(frames)])
        if sink is not None:
            ts = time.perf_counter()
            sink.submit(out.pixels, fps)
            submit_us.append((time.perf_counter() - ts) * 1e6)
    return ((time.perf_counter() - t0) * 1000.0 / n, (time.process_time() - c0) * 1000.0 / n)


def _sender_ms(bgr: np.ndarray, n: int = 60) -> float:
    """The sender thread's work for one frame (BGR -> RGB, then the device's RGB -> I420), timed alone."""
    dev = NullBackend()
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        dev.send(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
        times.append((time.perf_counter() - t0) * 1000.0)
    return float(np.median(times))


def run_virtual_camera_bench(size: tuple[int, int] = (640, 360), seconds: float = 8.0, style: str | None = None,
                             prefer_gpu: bool = True, block: int = 6) -> dict:
    frames = _real_frames(size)
    pkg = _pick_style(style)
    sender_ms = _sender_ms(frames[0].pixels)
    session = StyleSession(pkg.onnx_path, prefer_gpu=prefer_gpu)
    session.warmup(*size, runs=3)
    pipe = Pipeline(session, inference_size=size)
    backend = NullBackend()
    sink = VirtualCameraSink(backend, pace=False)
    fps = 30.0
    # Three arms: without, with, and without again. The control arm is the same as the first, so its
    # ratio is the noise floor of this machine at this moment (other programs' load shifts every block).
    arms: dict[str, list[tuple[float, float]]] = {arm: [] for arm in ("off", "on", "control")}
    try:
        probe, _ = _block(pipe, frames, 0, block, sink, fps, [])  # warm both paths; size the run from it
        rounds = max(4, int(seconds * 1000.0 / (3 * block * max(probe, 1.0))))
        i, submit_us, order = block, [], ["off", "on", "control"]
        for r in range(rounds):
            # Short blocks in a rotating order: a change in the load falls on every arm alike.
            for arm in order[r % 3:] + order[:r % 3]:
                arms[arm].append(_block(pipe, frames, i, block, sink if arm == "on" else None, fps, submit_us))
                i += block
    finally:
        sink.close()
    wall = {k: np.array(v)[:, 0] for k, v in arms.items()}
    cpu = {k: np.array(v)[:, 1] for k, v in arms.items()}
    med = {k: float(np.median(v)) for k, v in wall.items()}
    return {
        "size": list(size),
        "style": pkg.id,
        "provider": session.provider,
        "frames_per_block": block,
        "rounds": rounds,
        "off_ms": round(med["off"], 2),
        "on_ms": round(med["on"], 2),
        "control_ms": round(med["control"], 2),
        "ratio": round(med["on"] / med["off"], 4),
        "overhead_pct": round(100.0 * (med["on"] / med["off"] - 1.0), 2),
        # each round's blocks are neighbours in time: the median of their ratios
        "paired_ratio": round(float(np.median(wall["on"] / wall["off"])), 4),
        "control_ratio": round(med["control"] / med["off"], 4),
        "control_paired_ratio": round(float(np.median(wall["control"] / wall["off"])), 4),
        "off_cpu_ms": round(float(np.median(cpu["off"])), 2),
        "on_cpu_ms": round(float(np.median(cpu["on"])), 2),
        "cpu_ratio": round(float(np.median(cpu["on"]) / np.median(cpu["off"])), 4),
        # the parts: what the frame loop itself pays per frame, and the sender thread's work per frame
        "submit_us": round(float(np.median(submit_us)), 1),
        "sender_ms": round(sender_ms, 3),
        "device_frames": backend.frames,
        "sink_dropped": sink.dropped,
        "sink_error": sink.error.user_text() if sink.error else "",
    }


def format_report(r: dict) -> str:
    w, h = r["size"]
    return "\n".join([
        f"virtual camera cost at {w}x{h}, style {r['style']} on {r['provider']} "
        f"({r['rounds']} rounds of {r['frames_per_block']} frames per arm, medians)",
        f"  frame time without the virtual camera  {r['off_ms']:7.2f} ms   (CPU, all threads {r['off_cpu_ms']:.2f} ms)",
        f"  frame time with the virtual camera     {r['on_ms']:7.2f} ms   (CPU, all threads {r['on_cpu_ms']:.2f} ms)",
        f"  ratio {r['ratio']:.3f} ({r['overhead_pct']:+.1f}%), paired {r['paired_ratio']:.3f}, CPU {r['cpu_ratio']:.3f}; "
        f"control (without, again) {r['control_ratio']:.3f}, paired {r['control_paired_ratio']:.3f}: the noise floor",
        f"  the device took {r['device_frames']} frames, {r['sink_dropped']} were replaced by newer ones",
        f"  parts: submit() {r['submit_us']:.0f} us in the frame loop; the sender thread's work "
        f"{r['sender_ms']:.2f} ms per frame ({100 * r['sender_ms'] / r['off_ms']:.1f}% of a frame time)",
    ])

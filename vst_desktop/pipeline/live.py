"""`vst-desktop live --virtual-camera`: capture -> Pipeline -> virtual camera, headless (no Qt).

The same path as the window's worker: the newest source frame, the pipeline (mirror, style, strength,
stabiliser), then the sink, which sends on its own thread at the source's size and rate. Ctrl-C stops.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from vst_desktop.capture.factory import open_source
from vst_desktop.core.errors import SourceError
from vst_desktop.output.sink import DEFAULT_FPS, VirtualCameraSink
from vst_desktop.output.virtual_camera import PyVirtualCamBackend, VirtualCameraBackend
from vst_desktop.pipeline.overlap import OverlappedPipeline
from vst_desktop.pipeline.pipeline import Pipeline
from vst_desktop.pipeline.sizing import is_gpu, network_size

log = logging.getLogger(__name__)

_FIRST_FRAME_S = 10.0  # a camera can take seconds to deliver its first frame
_READ_S = 0.25


@dataclass
class LiveSummary:
    device: str
    size: tuple[int, int]
    fps: float
    frames: int  # frames stylized
    sent: int  # frames the device took
    dropped: int  # frames replaced before the device took them (a slow consumer)
    seconds: float


def _session(style_id: str, prefer_gpu: bool):
    if not style_id:
        return None
    from vst_desktop.inference.session import StyleSession
    from vst_desktop.styles.library import StyleLibrary

    return StyleSession(StyleLibrary().get(style_id).onnx_path, prefer_gpu=prefer_gpu)


def run_live(source: str = "", style: str = "", strength: float = 1.0, mirror: bool = False,
             stabilize: bool = True, seconds: float | None = None,
             backend: VirtualCameraBackend | None = None, prefer_gpu: bool = True,
             say: Callable[[str], None] = print) -> LiveSummary:
    """Run until `seconds` have passed (None: until Ctrl-C or a non-looping source ends).

    Raises VirtualCameraError (no device: its hint holds the steps), SourceError / CameraError, StyleError.
    """
    session = _session(style, prefer_gpu)  # a bad style id fails before a camera or device is taken
    src = open_source(source)
    sink: VirtualCameraSink | None = None
    frames, start = 0, time.monotonic()
    try:
        if src.error is not None:  # e.g. no camera: the demo clip plays instead, and we say why
            say(src.error.message)
        first = src.read_latest(timeout=_FIRST_FRAME_S)
        if first is None:
            raise src.error or SourceError(f"{src.info.name} delivered no frame.", "Try another source.")
        fps = float(src.info.fps or 0.0) or DEFAULT_FPS
        # The device gets the camera's own size; as in the window, the network runs at most 360p on a CPU and
        # is enlarged guided by the frame.
        pipe = Pipeline(session, inference_size=network_size(first.size, is_gpu(getattr(session, "provider", ""))),
                        strength=strength,
                        mirror=mirror, stabilize=stabilize)
        sink = VirtualCameraSink(backend or PyVirtualCamBackend())
        device = sink.open(first.width, first.height, fps)  # no device: fail now, with the steps
        say(f"Virtual camera {device}: {first.width}x{first.height} at {fps:.3g} fps from {src.info.name}"
            f"{f', style {style}' if style else ''}. Ctrl-C stops.")
        start = time.monotonic()
        frame = first
        runner = OverlappedPipeline(pipe, lambda out: sink.submit(out.pixels, fps))
        try:
            while seconds is None or time.monotonic() - start < seconds:
                if frame is not None:
                    runner.push(frame)
                    frames += 1
                    if sink.error is not None:
                        raise sink.error
                elif getattr(src, "finished", False):
                    break
                frame = src.read_latest(timeout=_READ_S)
        except KeyboardInterrupt:
            say("Stopped.")
        finally:
            runner.close()
        elapsed = time.monotonic() - start
    finally:
        if sink is not None:
            sink.close()
        src.close()
    if sink.error is not None:
        raise sink.error
    summary = LiveSummary(sink.device, (first.width, first.height), fps, frames, sink.sent, sink.dropped,
                          elapsed)
    say(f"Sent {summary.sent} frames in {elapsed:.1f} s ({summary.dropped} replaced by newer ones before "
        f"the device took them).")
    return summary

"""Run a Pipeline's two stages on two threads, one frame apart: the network paints frame N while frame N-1
is steadied, enlarged and handed on.

On 2 CPU cores a 720p frame is ~60% network and ~40% OpenCV work (stabiliser, guided enlargement); one
after the other they miss 30 fps, side by side they reach it (docs/research/hd_fast_path.md has the
numbers). Results are delivered from the finishing thread, in frame order, as soon as each is ready: a
frame never waits for the next camera frame to be shown.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from vst_desktop.core.frame import Frame
from vst_desktop.pipeline.pipeline import NetworkResult, Pipeline, StylizedFrame

Deliver = Callable[[StylizedFrame], None]


class OverlappedPipeline:
    """`push(frame)` runs the network stage on the caller's thread and queues the finishing stage; at most
    one frame is in the finishing stage while the next one is in the network, so memory and latency stay
    bounded. An exception of the finishing stage (or of `deliver`) is raised by the next `push` or `drain`."""

    def __init__(self, pipeline: Pipeline, deliver: Deliver) -> None:
        self.pipeline = pipeline
        self._deliver = deliver
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pipeline-finish")
        self._pending: Future | None = None

    def push(self, frame: Frame, captured_at: float | None = None) -> None:
        begun = self.pipeline.begin(frame, captured_at)
        self.drain()  # the previous frame's finishing stage ran while this frame's network did
        self._pending = self._executor.submit(self._finish, begun)

    def _finish(self, begun: NetworkResult) -> None:
        self._deliver(Pipeline.finish(begun))

    def drain(self) -> None:
        """Wait until the frame in the finishing stage has been delivered."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def close(self) -> None:
        """Deliver the last frame, then stop the finishing thread."""
        try:
            self.drain()
        finally:
            self._executor.shutdown(wait=True)

"""The speed test that picks the quality ladder's rung (360p / 540p / 720p / 1080p) on this computer.

Each rung is the size shown, recorded and sent to the virtual camera. The network runs at
`sizing.network_size` (on a CPU at most 360p, then the guided enlargement), and the live view overlaps
the network with the finishing stage (pipeline/overlap.py), so a rung costs about the slower of the two
stages per frame. The test times both on a few frames per rung, smallest rung first, and stops at the
first that misses the budget.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from vst_desktop.core.errors import VstError
from vst_desktop.core.frame import Frame
from vst_desktop.pipeline.pipeline import Pipeline
from vst_desktop.pipeline.sizing import PRESETS, fit_height, is_gpu, network_size

log = logging.getLogger(__name__)

# Per-frame time of the slower stage that still leaves a 30 fps frame (33 ms) room for capture, display
# and the encoder on the target machine.
FRAME_BUDGET_MS = 24.0
_RUNS = 4
# The test runs as the app starts, while it also loads styles and paints thumbnails: a rung that misses the
# budget is timed again after a pause, and the best attempt counts (a machine that is busy for good misses
# every time).
RETRIES, RETRY_PAUSE_S = 2, 3.0


def choose_preset(measured_ms: dict[str, float], budget_ms: float = FRAME_BUDGET_MS) -> str:
    """The largest preset whose measured time fits the budget; the smallest when none does."""
    names = sorted(PRESETS, key=PRESETS.get)
    fitting = [n for n in names if n in measured_ms and measured_ms[n] <= budget_ms]
    return fitting[-1] if fitting else names[0]


def _test_frame(size: tuple[int, int]) -> np.ndarray:
    """Smooth shapes rather than noise: the stabiliser's flow and the style behave as on a real picture."""
    rng = np.random.default_rng(0)
    small = rng.integers(0, 256, size=(9, 16, 3), dtype=np.uint8)
    return cv2.resize(small, size, interpolation=cv2.INTER_CUBIC)


def stage_ms(pipe: Pipeline, frame_size: tuple[int, int], runs: int = _RUNS) -> tuple[float, float]:
    """Median ms of the network stage and of the finishing stage for frames of `frame_size`."""
    img = _test_frame(frame_size)
    begin, finish = [], []
    for i in range(runs + 1):  # the first run allocates: not timed
        t0 = time.perf_counter()
        begun = pipe.begin(Frame(img, 0.0, i))
        t1 = time.perf_counter()
        Pipeline.finish(begun)
        t2 = time.perf_counter()
        if i:
            begin.append((t1 - t0) * 1000.0)
            finish.append((t2 - t1) * 1000.0)
    return float(np.median(begin)), float(np.median(finish))


def _rung_ms(pipe: Pipeline, frame_size: tuple[int, int], cancelled: Callable[[], bool],
             retries: int, pause_s: float) -> float:
    best = max(stage_ms(pipe, frame_size))
    for _ in range(retries):
        if best <= FRAME_BUDGET_MS or cancelled():
            break
        time.sleep(pause_s)
        best = min(best, max(stage_ms(pipe, frame_size)))
    return best


def measure_presets(onnx_path: str | Path, frame_size: tuple[int, int], prefer_gpu: bool = True,
                    cancelled: Callable[[], bool] = lambda: False, retries: int = RETRIES,
                    pause_s: float = RETRY_PAUSE_S) -> dict[str, float]:
    """{preset: ms per frame of the slower stage}, smallest preset first; {} when the style cannot run."""
    from vst_desktop.inference.session import StyleSession  # onnxruntime loads only when a test runs

    measured: dict[str, float] = {}
    try:
        session = StyleSession(Path(onnx_path), prefer_gpu=prefer_gpu)
        seen: set[tuple[int, int]] = set()
        for name in sorted(PRESETS, key=PRESETS.get):
            out_size = fit_height(frame_size, PRESETS[name])
            if out_size in seen:
                break  # the source is smaller than this rung: it would show (and cost) the same
            seen.add(out_size)
            pipe = Pipeline(session, inference_size=network_size(out_size, is_gpu(session.provider)),
                            output_size=out_size)
            measured[name] = _rung_ms(pipe, frame_size, cancelled, retries, pause_s)
            if measured[name] > FRAME_BUDGET_MS or cancelled():
                break
    except (VstError, OSError, RuntimeError, ValueError) as exc:
        log.warning("preset measurement failed: %s", exc)
        return {}  # the GUI then keeps the smallest preset and says it could not measure
    return measured

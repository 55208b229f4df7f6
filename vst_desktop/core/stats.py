"""Per-frame timings shared by the pipeline, the overlay, `bench` and the tests."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(slots=True)
class Stats:
    """Milliseconds per stage for one frame, plus counters. Stages that did not run stay 0."""

    capture_age_ms: float = 0.0
    preprocess_ms: float = 0.0
    canvas_ms: float = 0.0  # a canvas style: carrying its canvas along the motion (inference/canvas_motion.py)
    inference_ms: float = 0.0
    stabilize_ms: float = 0.0
    postprocess_ms: float = 0.0
    display_ms: float = 0.0
    encode_ms: float = 0.0
    total_ms: float = 0.0
    dropped_frames: int = 0
    recorder_dropped: int = 0
    provider: str = ""
    inference_size: tuple[int, int] = (0, 0)
    output_size: tuple[int, int] = (0, 0)

    def to_json(self) -> dict:
        d = asdict(self)
        d["inference_size"] = list(self.inference_size)
        d["output_size"] = list(self.output_size)
        return d

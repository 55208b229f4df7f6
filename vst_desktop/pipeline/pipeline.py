"""`Pipeline.step(frame)`: mirror, resize to the inference size, run the style, steady it against the previous
output (inference/temporal.py), bring it to the output size. When the output is larger than the inference
size (HD on a CPU: the network runs at 360p) the enlargement is guided by the full-resolution frame
(pipeline/upsample.py), so contours stay as sharp as the camera's.

Everything per-pixel happens in OpenCV or inside the ONNX graph; Python only moves array references.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol

import cv2
import numpy as np

from vst_desktop.core.frame import Frame
from vst_desktop.core.stats import Stats
from vst_desktop.inference.canvas_motion import CanvasMotion
from vst_desktop.inference.temporal import TemporalStabilizer
from vst_desktop.pipeline.upsample import GuidedUpsampler


class Stylizer(Protocol):
    provider: str

    def run(self, bgr: np.ndarray, strength: float = 1.0) -> np.ndarray: ...


@dataclass(slots=True)
class StylizedFrame:
    pixels: np.ndarray
    source: Frame
    stats: Stats
    label: str = ""  # the session's label (the style id) when this frame was painted
    strength: float = 1.0


@dataclass(slots=True)
class NetworkResult:
    """What the network stage hands to the finishing stage (`Pipeline.begin` -> `Pipeline.finish`)."""

    source: Frame
    image: np.ndarray  # the frame, mirrored when asked
    small: np.ndarray | None  # the network's input; None when no style runs
    styled: np.ndarray | None  # the network's output
    output_size: tuple[int, int]
    stabilizer: TemporalStabilizer | None  # captured at begin: the finishing stage sees frames in order
    upsampler: GuidedUpsampler | None
    cut: bool  # the stabiliser forgets the past before this frame
    label: str
    strength: float
    stats: Stats
    started: float


def _resize(img: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    w, h = size
    if img.shape[1] == w and img.shape[0] == h:
        return img
    # INTER_AREA avoids aliasing when shrinking; bilinear is cheaper and sharp enough when growing.
    interp = cv2.INTER_AREA if w < img.shape[1] else cv2.INTER_LINEAR
    return cv2.resize(img, (w, h), interpolation=interp)


class Pipeline:
    """`step` runs both stages on the calling thread. `begin` (mirror, resize, network) and `finish`
    (stabiliser, enlargement) can also run on two threads, one frame apart (pipeline/overlap.py): the
    finishing stage only touches the stabiliser and enlarger captured by `begin`, one frame at a time."""

    def __init__(self, session: Stylizer | None = None, inference_size: tuple[int, int] | None = None,
                 output_size: tuple[int, int] | None = None, strength: float = 1.0,
                 mirror: bool = False, stabilize: bool = True, guided_upsampling: bool = True) -> None:
        self.session = session
        self.inference_size = inference_size
        self.output_size = output_size
        self.strength = float(strength)
        self.mirror = mirror
        self._stabilizer = TemporalStabilizer() if stabilize else None
        self._upsampler = GuidedUpsampler() if guided_upsampling else None
        self._cut = False
        # Carries a canvas style's marks along the camera's motion; lives on the network stage's thread.
        self._canvas_motion = CanvasMotion()
        self.label = ""

    @property
    def stabilize(self) -> bool:
        return self._stabilizer is not None

    def set_stabilize(self, on: bool) -> None:
        if bool(on) != self.stabilize:
            self._stabilizer = TemporalStabilizer() if on else None

    def reset_temporal(self) -> None:
        """Forget the previous frame: call it at a cut (another source, the next still image). Takes effect
        with the next frame's finishing stage, so a frame still in flight keeps its own past."""
        self._cut = True

    def set_session(self, session: Stylizer | None, label: str = "") -> None:
        """`label` (e.g. the style id) travels with every frame this session paints."""
        if session is not self.session:
            self.reset_temporal()  # another style's strokes must not be blended into this one's
        self.session, self.label = session, label

    def set_strength(self, strength: float) -> None:
        self.strength = min(1.0, max(0.0, float(strength)))

    def set_inference_size(self, size: tuple[int, int] | None) -> None:
        self.inference_size = size

    def set_output_size(self, size: tuple[int, int] | None) -> None:
        self.output_size = size

    def set_mirror(self, mirror: bool) -> None:
        self.mirror = bool(mirror)

    def step(self, frame: Frame, captured_at: float | None = None) -> StylizedFrame:
        return self.finish(self.begin(frame, captured_at))

    def begin(self, frame: Frame, captured_at: float | None = None) -> NetworkResult:
        """The network stage: mirror, resize to the inference size, run the style."""
        t0 = time.perf_counter()
        stats = Stats()
        if captured_at is not None:
            stats.capture_age_ms = (time.monotonic() - captured_at) * 1000.0
        img = frame.pixels
        if self.mirror:
            img = cv2.flip(img, 1)
        out_size = self.output_size or (img.shape[1], img.shape[0])
        session, small, styled = self.session, None, None
        if session is None or self.strength <= 0.0:
            # "Original" and strength 0 skip the network entirely: the cheapest correct answer.
            self._cut = True  # and the stylized past is no longer on screen
            stats.provider, stats.inference_size = "", (0, 0)
        else:
            inf_size = self.inference_size or (img.shape[1], img.shape[0])
            small = np.ascontiguousarray(_resize(img, inf_size))
            t1 = time.perf_counter()
            canvas_at = None
            if getattr(session, "has_canvas", False):
                if self._cut:
                    self._canvas_motion.reset()
                canvas_at = self._canvas_motion(small)
            t2 = time.perf_counter()
            styled = session.run(small, self.strength) if canvas_at is None else \
                session.run(small, self.strength, canvas_at=canvas_at)
            stats.preprocess_ms = (t1 - t0) * 1000.0
            stats.canvas_ms = (t2 - t1) * 1000.0
            stats.inference_ms = (time.perf_counter() - t2) * 1000.0
            stats.provider = getattr(session, "provider", "")
            stats.inference_size = (int(inf_size[0]), int(inf_size[1]))
        cut, self._cut = self._cut, False
        return NetworkResult(frame, img, small, styled, out_size, self._stabilizer, self._upsampler, cut,
                             self.label, self.strength, stats, t0)

    @staticmethod
    def finish(begun: NetworkResult) -> StylizedFrame:
        """The finishing stage: steady the style against the previous output, bring it to the output size."""
        t2 = time.perf_counter()
        stats, stab, out_size = begun.stats, begun.stabilizer, begun.output_size
        if stab is not None and begun.cut:
            stab.reset()
        if begun.styled is None:
            out = _resize(begun.image, out_size)
        else:
            styled, small = begun.styled, begun.small
            if stab is not None:
                styled = stab(small, styled)
                stats.stabilize_ms = (time.perf_counter() - t2) * 1000.0
            if begun.upsampler is not None and out_size[1] > small.shape[0]:
                out = begun.upsampler(_resize(begun.image, out_size), small, styled)
            else:
                out = _resize(styled, out_size)
        t3 = time.perf_counter()
        stats.postprocess_ms = (t3 - t2) * 1000.0 - stats.stabilize_ms
        stats.total_ms = (t3 - begun.started) * 1000.0
        stats.output_size = (int(out.shape[1]), int(out.shape[0]))
        return StylizedFrame(out, begun.source, stats, begun.label, begun.strength)

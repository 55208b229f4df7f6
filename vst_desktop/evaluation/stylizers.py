"""The one shape every evaluation function takes: `stylize(bgr uint8 HxWx3) -> bgr uint8 HxWx3`.

Known cases (identity, colour curves, noise; see `known_cases`) are plain callables, so the metrics
are tested without an ONNX file; `as_stylizer` adapts a StyleSession, an ONNX path or a style package.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

Stylizer = Callable[[np.ndarray], np.ndarray]


def from_session(session: Any, strength: float = 1.0) -> Stylizer:
    """Wrap `inference.session.StyleSession` (anything with `run(bgr, strength)`). A canvas style's stylizer
    also has `for_clip()`: a fresh stylizer for one clip that carries the canvas along the clip's motion, as
    the live view and `stylize` do (inference/canvas_motion.py); single photos read it in place."""

    def run(bgr: np.ndarray) -> np.ndarray:
        return session.run(bgr, strength)

    if getattr(session, "has_canvas", False):
        run.for_clip = lambda: _carrying(session, strength)  # type: ignore[attr-defined]
    return run


def for_clip(stylize: Stylizer) -> Stylizer:
    """The stylizer to use on the frames of one clip, in order (see `from_session`)."""
    fresh = getattr(stylize, "for_clip", None)
    return fresh() if fresh is not None else stylize


def _carrying(session: Any, strength: float) -> Stylizer:
    from vst_desktop.inference.canvas_motion import CanvasMotion

    carrier = CanvasMotion()

    def run(bgr: np.ndarray) -> np.ndarray:
        return session.run(bgr, strength, canvas_at=carrier(bgr))

    return run


def open_session(onnx_path: str | Path, prefer_gpu: bool = True) -> Any:
    # imported here: the session module is only needed for real styles, not for the known-case tests
    from vst_desktop.inference.session import StyleSession

    return StyleSession(onnx_path, prefer_gpu=prefer_gpu)


def as_stylizer(target: Any, strength: float = 1.0, prefer_gpu: bool = True) -> tuple[Stylizer, str]:
    """(stylize callable, provider name) for a callable, a session, an ONNX path or a style package."""
    if hasattr(target, "onnx_path") and hasattr(target, "meta"):  # a StylePackage
        target = target.onnx_path
    if isinstance(target, (str, Path)):
        target = open_session(target, prefer_gpu=prefer_gpu)
    if hasattr(target, "run"):
        return from_session(target, strength), str(getattr(target, "provider", "unknown"))
    if callable(target):
        return target, "python"
    raise TypeError(f"cannot evaluate {target!r}: expected a stylize callable, a StyleSession or an ONNX path")

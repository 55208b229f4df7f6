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
    """Wrap `inference.session.StyleSession` (anything with `run(bgr, strength)`)."""

    def run(bgr: np.ndarray) -> np.ndarray:
        return session.run(bgr, strength)

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

"""argparse value types for numbers a user types: out-of-range values are usage errors (exit 2 with
the option's name), never a silent clamp or a traceback later on."""

from __future__ import annotations

import argparse
import math


def _finite_float(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
    return value


def unit_interval(text: str) -> float:
    """A finite number from 0 to 1 (style strength)."""
    value = _finite_float(text, "a number from 0 to 1")
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be from 0 to 1, got {text!r}")
    return value


def positive_seconds(text: str) -> float:
    """A finite duration above zero and at most a day (benchmarks, headless live runs)."""
    value = _finite_float(text, "a number of seconds")
    if not 0.0 < value <= 86400.0:
        raise argparse.ArgumentTypeError(f"must be above 0 and at most 86400 seconds (a day), got {text!r}")
    return value


def positive_int(text: str) -> int:
    """A whole number of at least 1 (frame counts)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text!r}")
    return value

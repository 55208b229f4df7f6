"""Progress reporting: JSON lines on stdout for the GUI, a bar for people.

The events themselves are described in trainspec/events.py. Human-readable lines always go to stderr, so
stdout stays machine-readable in jsonl mode.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import TextIO

import numpy as np

from vst_desktop.trainspec.events import ENDS

ProgressCallback = Callable[[dict], None]


def _human(event: dict) -> str | None:
    kind = event["event"]
    if kind == "start":
        return (f"training {event.get('name', '')!r}: {event.get('total')} steps, preset {event.get('preset')}, "
                f"device {event.get('device')}, {event.get('style_images')} style images")
    if kind == "marks":
        scores = ", ".join(f"{f} {v['texture_gain']:+.2f}" for f, v in (event.get("scores") or {}).items())
        return f"marks: {event.get('chosen')} ({event.get('why')}; style score of the teacher: {scores or 'n/a'})"
    if kind == "sample":
        return f"sample written: {event['path']}"
    if kind == "checkpoint":
        return f"checkpoint saved at step {event['step']}"
    if kind == "warning":
        return f"warning: {event['message']}"
    if kind == "done":
        return f"done ({event.get('status')}) at step {event.get('step')} in {event.get('seconds', 0):.0f} s"
    return None  # errors: the CLI prints them (with their hint) once, on stderr


class JsonLinesReporter:
    """One JSON object per line on stdout (flushed: the GUI reads it live through a pipe)."""

    def __init__(self, out: TextIO | None = None, err: TextIO | None = None) -> None:
        self.out = out or sys.stdout
        self.err = err or sys.stderr

    def __call__(self, event: dict) -> None:
        self.out.write(json.dumps(event, allow_nan=False, default=str) + "\n")
        self.out.flush()
        line = _human(event)
        if line:
            print(line, file=self.err, flush=True)


class BarReporter:
    """A tqdm bar on stderr; other events as lines above it."""

    def __init__(self, err: TextIO | None = None) -> None:
        self.err = err or sys.stderr
        self.bar = None

    def __call__(self, event: dict) -> None:
        from tqdm import tqdm

        kind = event["event"]
        if kind == "start":
            self.bar = tqdm(total=event.get("total"), initial=event.get("step", 0), file=self.err,
                            unit="step", dynamic_ncols=True)
        if kind == "progress" and self.bar is not None:
            self.bar.update(event["step"] - self.bar.n)
            self.bar.set_postfix({k: f"{v:.3f}" for k, v in event.get("losses", {}).items()}, refresh=False)
            return
        if kind in ENDS and self.bar is not None:
            self.bar.close()
            self.bar = None
        line = _human(event)
        if line:
            if self.bar is not None:
                self.bar.write(line, file=self.err)
            else:
                print(line, file=self.err, flush=True)


def make_reporter(mode: str) -> ProgressCallback:
    if mode == "jsonl":
        return JsonLinesReporter()
    if mode == "bar":
        return BarReporter()
    raise ValueError(f"unknown progress mode {mode!r}")


def collapse_score(inputs: np.ndarray, outputs: np.ndarray) -> float:
    """How much the outputs vary across different inputs, relative to how much the inputs do.

    About 1 for a generator that keeps the photos apart; near 0 when every photo gives the same picture
    (mode collapse). Arrays are N x C x H x W with N >= 2.
    """
    spread_in = float(inputs.std(axis=0).mean())
    spread_out = float(outputs.std(axis=0).mean())
    return spread_out / max(spread_in, 1e-6)


COLLAPSE_THRESHOLD = 0.15

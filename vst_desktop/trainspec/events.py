"""The progress events of a training run: what `train --progress jsonl` prints on stdout,
one JSON object a line, and what the run's log.jsonl holds.

Every event is a dict with an "event" key naming its kind; the other keys by kind:

- start: step, total, preset, device, world_size, name, paired, run_dir, style_images, content_images
- marks: chosen (a mark family), scores ({family: {"texture_gain": ...}}), why
- progress: step, total, losses ({term: value or None}), it_per_s, eta_s (None while unknown)
- sample: step, path (a PNG grid)
- checkpoint: step, path
- warning: kind (skipped_file | collapse | no_metrics), message; step, path or score where they apply
- done: status (done | interrupted), step, seconds, run_dir; when done also package, parity_max_diff,
  style_id (None when not installed), metrics, installed; when interrupted a message
- error: message, hint; kind "unexpected" for a bug (the details are in the log)

A run always ends in `done` or `error`.
"""

from __future__ import annotations

import json
import math

ENDS = ("done", "error")


def parse_event(line: str) -> dict | None:
    """One progress event, or None for a line that is not one (never raises)."""
    try:
        event = json.loads(line)
    except (json.JSONDecodeError, ValueError):
        return None
    return event if isinstance(event, dict) and isinstance(event.get("event"), str) else None


def clean_losses(losses: dict[str, float]) -> dict[str, float | None]:
    """Losses rounded for the log; non-finite values become None (JSON has no NaN)."""
    return {k: (round(v, 5) if math.isfinite(v) else None) for k, v in losses.items()}

"""Side by side in one process: styles' model time and end-to-end rate (the bench's own measurement) with
onnxruntime's shared arena and without it (every run's tensors from the heap), interleaved.

    VST_DESKTOP_HOME=... .venv/bin/python -m research.experiments.arena_ab --reps 2 --json OUT STYLE.onnx ...
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from vst_desktop.inference import session as session_module
from vst_desktop.pipeline import bench


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("onnx", nargs="+", type=Path)
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=4.0)
    ap.add_argument("--json", type=Path)
    a = ap.parse_args()
    assert session_module._use_shared_arena(), "this onnxruntime has no shared arena"
    frames = bench._real_frames((640, 360))
    rows: dict[str, dict[str, list]] = {}
    for _ in range(a.reps):
        for path in a.onnx:
            for arena in (False, True):
                session_module._shared_arena = arena  # registered once; each new session uses it or not
                r = bench._measure(path, frames, (640, 360), a.seconds, False, "auto", True)
                row = rows.setdefault(path.stem, {"heap_model_ms": [], "heap_fps": [], "arena_model_ms": [],
                                                  "arena_fps": []})
                key = "arena" if arena else "heap"
                row[f"{key}_model_ms"].append(r["model_ms"])
                row[f"{key}_fps"].append(r["e2e_fps"])
    for name, row in rows.items():
        row.update({f"median_{k}": float(np.median(v)) for k, v in list(row.items())})
        print(f"{name:20s} model {row['median_heap_model_ms']:6.2f} -> {row['median_arena_model_ms']:6.2f} ms"
              f"   e2e {row['median_heap_fps']:5.1f} -> {row['median_arena_fps']:5.1f} fps")
    if a.json:
        a.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()

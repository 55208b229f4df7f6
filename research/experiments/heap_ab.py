"""End-to-end rate with and without `core.memory.reuse_large_blocks`, in separate processes (the setting is
the process's): run it once per arm, alternating, and compare.

    VST_DESKTOP_HOME=... .venv/bin/python -m research.experiments.heap_ab reuse|fresh --json OUT STYLE.onnx ...
"""

from __future__ import annotations

import argparse
import json
import resource
from pathlib import Path

from vst_desktop.core.memory import reuse_large_blocks
from vst_desktop.pipeline import bench


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("arm", choices=("reuse", "fresh"))
    ap.add_argument("onnx", nargs="+", type=Path)
    ap.add_argument("--sizes", default="1280x720,640x360")
    ap.add_argument("--seconds", type=float, default=4.0)
    ap.add_argument("--json", type=Path)
    a = ap.parse_args()
    if a.arm == "reuse":
        assert reuse_large_blocks()
    rows = []
    for size in [tuple(int(v) for v in s.split("x")) for s in a.sizes.split(",")]:
        frames = bench._real_frames(size)
        for path in a.onnx:
            before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
            r = bench._measure(path, frames, size, a.seconds, False, "auto", True)
            r.update(style=path.stem, size=list(size), arm=a.arm,
                     faults=resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
            rows.append(r)
            print(f"{a.arm:6s} {size[0]}x{size[1]} {path.stem:18s} model {r['model_ms']:6.2f} ms "
                  f"e2e {r['e2e_fps']:5.1f} fps p95 {r['p95_frame_ms']:6.2f} faults {r['faults']}")
    rows.append({"arm": a.arm, "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024})
    if a.json:
        a.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()

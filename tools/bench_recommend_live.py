"""What measuring style embeddings costs the live view, side by side on the real window.

The set-up of tools/bench_live_thumbnails.py (the real MainWindow, the demo clip at 640x360 from memory as
fast as the worker takes it, one style at "Fast 360p"), with arms of `--seconds`: off, on (the
recommendations' low-priority thread embedding every installed style again and again, into a throw-away
cache, as at a first start or after an import) and off again (the control: the machine's noise floor).

    .venv/bin/python tools/bench_recommend_live.py --style monet --seconds 20 --rounds 2
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import bench_live_thumbnails as base  # noqa: E402  (sets QT_QPA_PLATFORM first)
import numpy as np  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from vst_desktop.core.settings import Settings  # noqa: E402
from vst_desktop.pipeline.thumbnails import lower_thread_priority  # noqa: E402
from vst_desktop.recommend.embedding import BACKGROUND_YIELD, EmbeddingCache, embeddings_for  # noqa: E402
from vst_desktop.styles.library import StyleLibrary  # noqa: E402
from vst_desktop.ui.common import qt_workarounds  # noqa: E402
from vst_desktop.ui.live.main_window import MainWindow  # noqa: E402


def embed_forever(packages: list, stop: threading.Event, done: list[float], yield_ratio: float) -> None:
    lower_thread_priority()  # as the window's recommendations thread does
    while not stop.is_set():
        for pkg in packages:
            if stop.is_set():
                return
            with tempfile.TemporaryDirectory() as tmp:  # an empty cache: every style is measured anew
                t0 = time.perf_counter()
                embeddings_for([pkg], EmbeddingCache(Path(tmp) / "e.json"), yield_ratio=yield_ratio)
                done.append(time.perf_counter() - t0)


def run_arm(window: MainWindow, arm: str, seconds: float, packages: list, yield_ratio: float) -> dict:
    stop, done = threading.Event(), []
    worker = None
    if arm == "on":
        worker = threading.Thread(target=embed_forever, args=(packages, stop, done, yield_ratio), daemon=True)
        worker.start()
    latest = window.engine.slot.peek()
    t0, r0 = time.perf_counter(), latest.index
    base.wait(int(seconds * 1000))
    latest = window.engine.slot.peek()
    dt = time.perf_counter() - t0
    stop.set()
    if worker is not None:
        worker.join()
    return {"arm": arm, "seconds": round(dt, 2), "worker_fps": round((latest.index - r0) / dt, 2),
            "styles_embedded": len(done), "s_per_style": round(float(np.mean(done)), 3) if done else None}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--style", default="monet")
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--yield", dest="yield_ratio", type=float, default=BACKGROUND_YIELD,
                    help="sleep this many times each probe frame's work (0: flat out)")
    args = ap.parse_args()
    qt_workarounds.install()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    frames = base.demo_frames(100)
    settings = Settings(camera="demo", style=args.style, mirror=False, inference_preset="Fast 360p",
                        extra={"live_thumbnails": False})
    window = MainWindow(settings, StyleLibrary(), "demo", cameras=[], persist=False,
                        open_source=lambda spec, res, fps: base.MemoryClip(frames))
    window.show()
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:  # the style warms up, the window embeds the styles once
        latest = window.engine.slot.peek()
        if latest is not None and latest.style_id == args.style and window.recommend.embeddings:
            break
        base.wait(200)
    base.wait(2000)
    packages = window.library.list()
    order, arms = ["off", "on", "control"], []
    for r in range(args.rounds):
        for arm in order[r % 3:] + order[:r % 3]:
            arms.append(run_arm(window, arm, args.seconds, packages, args.yield_ratio))
            print(json.dumps(arms[-1]), flush=True)
    window.close()
    app.processEvents()
    summary = {arm: round(float(np.mean([a["worker_fps"] for a in arms if a["arm"] == arm])), 2) for arm in order}
    on = [a["s_per_style"] for a in arms if a["arm"] == "on" and a["s_per_style"]]
    summary["s_per_style_while_live"] = round(float(np.mean(on)), 3) if on else None
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())

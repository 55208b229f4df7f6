"""What the window costs the live path at 720p: the engine alone against the real window, side by side.

Both arms stylize the same frames (the demo clip brought to 1280x720, held in memory and handed out as
fast as they are asked for, so the rate measured is what the machine can do) with one style, the network
at 360p and the guided enlargement to 720p, two stages overlapped:
- `engine`: `OverlappedPipeline` in a plain loop, no Qt;
- `window`: the real MainWindow at "Quality 720p" (worker thread, view painting every frame, overlay).
Arms of `--seconds`, alternating, `--rounds` times. Frame time = 1 / frames per second; CPU per frame =
the process's CPU time over the arm / frames delivered (on a saturated 2-core machine the frame rate
follows it, and it is far less sensitive to other tenants of a shared machine than the frame rate).

    .venv/bin/python tools/bench_gui_hd.py --style udnie --seconds 15 --rounds 2
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen" if not os.environ.get("DISPLAY") else "xcb")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from tools.bench_live_thumbnails import MemoryClip, demo_frames, report, wait  # noqa: E402
from vst_desktop.core.frame import Frame  # noqa: E402
from vst_desktop.core.settings import Settings  # noqa: E402
from vst_desktop.inference.session import StyleSession  # noqa: E402
from vst_desktop.pipeline.overlap import OverlappedPipeline  # noqa: E402
from vst_desktop.pipeline.pipeline import Pipeline  # noqa: E402
from vst_desktop.pipeline.sizing import network_size  # noqa: E402
from vst_desktop.styles.library import StyleLibrary  # noqa: E402
from vst_desktop.ui.common import qt_workarounds  # noqa: E402
from vst_desktop.ui.common.theme import apply_dark_theme  # noqa: E402
from vst_desktop.ui.live.main_window import MainWindow  # noqa: E402

HD = (1280, 720)


class IdleSource(MemoryClip):
    """A source with no frames: the window's worker idles while the engine arm runs."""

    def read_latest(self, timeout: float = 1.0) -> None:
        time.sleep(timeout)
        return None


def engine_arm(onnx_path: Path, frames: list[np.ndarray], seconds: float) -> dict:
    pipe = Pipeline(StyleSession(onnx_path), inference_size=network_size(HD), output_size=HD)
    count = [0]
    runner = OverlappedPipeline(pipe, lambda out: count.__setitem__(0, count[0] + 1))
    for i in range(10):  # warm-up, not timed
        runner.push(Frame(frames[i % len(frames)], time.monotonic(), i))
    runner.drain()
    count[0], t0, c0, i = 0, time.perf_counter(), time.process_time(), 0
    while time.perf_counter() - t0 < seconds:
        runner.push(Frame(frames[i % len(frames)], time.monotonic(), i))
        i += 1
    runner.close()
    return {"arm": "engine", "fps": round(count[0] / (time.perf_counter() - t0), 2),
            "cpu_ms_per_frame": round((time.process_time() - c0) * 1000 / max(1, count[0]), 2)}


def window_arm(window: MainWindow, seconds: float, record_to: Path | None = None) -> dict:
    if record_to is not None:  # the real recorder: H.264 on its own thread, every frame offered
        window.engine.start_recording(str(record_to), 30)
        wait(1000)
    latest = window.engine.slot.peek()
    t0, c0, r0, s0 = time.perf_counter(), time.process_time(), latest.index, window.frames_shown
    wait(int(seconds * 1000))
    latest = window.engine.slot.peek()
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    if record_to is not None:
        window.engine.stop_recording()
        wait(2000)
    return {"arm": "window+recording" if record_to else "window", "fps": round((latest.index - r0) / dt, 2),
            "recorder_dropped": int(latest.stats.recorder_dropped),
            "cpu_ms_per_frame": round(cpu * 1000 / max(1, latest.index - r0), 2),
            "shown_fps": round((window.frames_shown - s0) / dt, 2),
            "size": list(latest.pixels.shape[1::-1]), "network": list(latest.stats.inference_size)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--style", default="udnie")
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--json", type=Path, help="also write the results here")
    ap.add_argument("--record", action="store_true", help="the window arm records (1280x720 H.264) meanwhile")
    args = ap.parse_args()

    qt_workarounds.install()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    apply_dark_theme(app)
    frames = [cv2.resize(f, HD, interpolation=cv2.INTER_CUBIC) for f in demo_frames(100)]
    library = StyleLibrary()
    settings = Settings(camera="demo", style=args.style, mirror=False, inference_preset="Quality 720p",
                        extra={"live_thumbnails": False})
    window = MainWindow(settings, library, "demo", cameras=[], persist=False,
                        open_source=lambda spec, res, fps: MemoryClip(frames) if spec else IdleSource(frames))
    window.show()
    arms = []
    tmp = tempfile.mkdtemp(prefix="vst-bench-rec-")
    for r in range(args.rounds):
        for arm in (("engine", "window") if r % 2 == 0 else ("window", "engine")):
            if arm == "engine":
                window.engine.set_source("", HD, 30)
                wait(500)
                arms.append(engine_arm(library.get(args.style).onnx_path, frames, args.seconds))
            else:
                window.engine.set_source("demo", HD, 30)
                deadline = time.monotonic() + 120
                while time.monotonic() < deadline:  # the source reopens, the style warms up
                    latest = window.engine.slot.peek()
                    if latest is not None and latest.style_id == args.style and latest.pixels.shape[1] == HD[0]:
                        break
                    wait(200)
                wait(2000)
                arms.append(window_arm(window, args.seconds, Path(tmp) if args.record else None))
            print(json.dumps(arms[-1]), flush=True)
    window.close()
    app.processEvents()
    engine = float(np.mean([a["fps"] for a in arms if a["arm"] == "engine"]))
    for a in arms:
        a["arm"] = "window" if a["arm"].startswith("window") else a["arm"]
    shown = float(np.mean([a["fps"] for a in arms if a["arm"] == "window"]))
    cpu = {k: float(np.mean([a["cpu_ms_per_frame"] for a in arms if a["arm"] == k])) for k in ("engine", "window")}
    summary = {"style": args.style, "size": list(HD), "window_records": args.record,
               "recordings": sorted(p.name for p in Path(tmp).glob("*.mp4")), "seconds_per_arm": args.seconds, "rounds": args.rounds,
               "engine_fps": round(engine, 2), "window_fps": round(shown, 2),
               "window_adds_frame_time_pct": round(100 * (engine / shown - 1), 1),
               "engine_cpu_ms_per_frame": round(cpu["engine"], 2), "window_cpu_ms_per_frame": round(cpu["window"], 2),
               "window_adds_cpu_per_frame_pct": round(100 * (cpu["window"] / cpu["engine"] - 1), 1)}
    shutil.rmtree(tmp, ignore_errors=True)  # the recordings were only load: their names are in the summary
    report(summary, arms, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""What the gallery's live thumbnails cost the live view, measured side by side on the real window.

The real MainWindow (offscreen unless DISPLAY is set) plays the demo clip at 640x360 with one style at
"Fast 360p". The clip is 25 fps, so the source here hands out its decoded frames as fast as the worker
asks (decoded once into memory: no decoder thread competes): the rate measured is what the worker can
achieve, not the clip's pace. Arms of `--seconds` each, in a rotating order, `--rounds` times:
live thumbnails off, on (the shipped 5 s refresh), and off again (the control: an identical arm whose
difference from the first is this shared machine's noise floor).

    .venv/bin/python tools/bench_live_thumbnails.py --style monet --seconds 20 --rounds 2
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen" if not os.environ.get("DISPLAY") else "xcb")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import av  # noqa: E402
import numpy as np  # noqa: E402
from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from vst_desktop.capture.base import FrameSource, SourceInfo  # noqa: E402
from vst_desktop.core import paths  # noqa: E402
from vst_desktop.core.frame import Frame  # noqa: E402
from vst_desktop.core.settings import Settings  # noqa: E402
from vst_desktop.styles.library import StyleLibrary  # noqa: E402
from vst_desktop.ui.common import qt_workarounds  # noqa: E402
from vst_desktop.ui.common.theme import apply_dark_theme  # noqa: E402
from vst_desktop.ui.live.live_thumbnails import REFRESH_MS  # noqa: E402
from vst_desktop.ui.live.main_window import MainWindow  # noqa: E402


class MemoryClip(FrameSource):
    """The demo clip's frames from memory, a new one on every read: the worker's own pace."""

    def __init__(self, frames: list[np.ndarray]) -> None:
        self.frames, self.index = frames, 0

    def open(self) -> None:
        pass

    def read_latest(self, timeout: float = 1.0) -> Frame:
        frame = Frame(self.frames[self.index % len(self.frames)], time.monotonic(), self.index)
        self.index += 1
        return frame

    def close(self) -> None:
        pass

    @property
    def info(self) -> SourceInfo:
        h, w = self.frames[0].shape[:2]
        return SourceInfo("video", "demo clip (unthrottled)", w, h, 25.0, len(self.frames))


def demo_frames(limit: int) -> list[np.ndarray]:
    with av.open(str(paths.demo_clip())) as c:
        return [f.to_ndarray(format="bgr24") for _, f in zip(range(limit), c.decode(video=0), strict=False)]


def report(summary: dict, arms: list[dict], path: Path | None) -> None:
    """Print the summary; with `path`, also write it with every arm's numbers."""
    print(json.dumps(summary, indent=1))
    if path:
        path.write_text(json.dumps({"summary": summary, "arms": arms}, indent=1))


def wait(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def thread_cpu_s(native_id: int | None) -> float:
    """A thread's CPU seconds (Linux), 0 where unknown."""
    if native_id is None:
        return 0.0
    try:
        fields = Path(f"/proc/self/task/{native_id}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def run_arm(window: MainWindow, arm: str, seconds: float) -> dict:
    live = window.live_thumbs
    live.action.setChecked(arm == "on")
    wait(500)  # let the toggle settle (turning on paints at once: that is part of the arm)
    loop = live.loop
    tid = loop._thread.native_id if loop is not None else None
    tiles0 = loop.rendered if loop is not None else 0
    latest = window.engine.slot.peek()
    t0, r0, s0, c0, tc0 = (time.perf_counter(), latest.index, window.frames_shown, time.process_time(),
                           thread_cpu_s(tid))
    wait(int(seconds * 1000))
    latest = window.engine.slot.peek()
    dt = time.perf_counter() - t0
    return {"arm": arm, "seconds": round(dt, 2),
            "worker_fps": round((latest.index - r0) / dt, 2),
            "shown_fps": round((window.frames_shown - s0) / dt, 2),
            "cpu_pct": round(100 * (time.process_time() - c0) / dt, 1),
            "tiles": (loop.rendered - tiles0) if loop is not None else 0,
            "thumbnail_cpu_pct": round(100 * (thread_cpu_s(tid) - tc0) / dt, 2),
            "inference_ms": round(latest.stats.inference_ms, 2), "style": latest.style_id}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--style", default="monet")
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--frames", type=int, default=100, help="demo clip frames held in memory")
    ap.add_argument("--refresh-ms", type=int, default=REFRESH_MS, help="the on arm's refresh period")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args()

    qt_workarounds.install()  # as app.py does: PySide6 6.12 on CPython 3.11 leaks None references
    app = QApplication.instance() or QApplication(sys.argv[:1])  # our options are not Qt's
    apply_dark_theme(app)
    frames = demo_frames(args.frames)
    settings = Settings(camera="demo", style=args.style, mirror=False, inference_preset="Fast 360p",
                        extra={"live_thumbnails": False})
    window = MainWindow(settings, StyleLibrary(), "demo", cameras=[], persist=False,
                        open_source=lambda spec, res, fps: MemoryClip(frames))
    window.live_thumbs._timer.setInterval(args.refresh_ms)
    window.show()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # the style warms up on a helper thread
        latest = window.engine.slot.peek()
        if latest is not None and latest.style_id == args.style:
            break
        wait(200)
    else:
        print(f"the style {args.style} never reached the view", file=sys.stderr)
        return 1
    wait(3000)  # past the first frames' allocations
    order = ["off", "on", "control"]
    arms = []
    for r in range(args.rounds):
        for arm in order[r % 3:] + order[:r % 3]:
            arms.append(run_arm(window, arm, args.seconds))
            print(json.dumps(arms[-1]), flush=True)
    window.close()
    app.processEvents()

    def mean(arm: str, key: str) -> float:
        return round(float(np.mean([a[key] for a in arms if a["arm"] == arm])), 2)

    summary = {"style": args.style, "size": list(frames[0].shape[1::-1]), "seconds_per_arm": args.seconds,
               "rounds": args.rounds, "refresh_ms": args.refresh_ms, "cores": os.cpu_count(),
               "load_after": os.getloadavg()[0] if hasattr(os, "getloadavg") else None}
    for arm in order:
        summary[f"{arm}_worker_fps"] = mean(arm, "worker_fps")
        summary[f"{arm}_shown_fps"] = mean(arm, "shown_fps")
    summary["on_vs_off_pct"] = round(100 * (summary["on_worker_fps"] / summary["off_worker_fps"] - 1), 2)
    summary["control_vs_off_pct"] = round(100 * (summary["control_worker_fps"] / summary["off_worker_fps"] - 1), 2)
    summary["tiles_per_on_arm"] = mean("on", "tiles")
    summary["thumbnail_cpu_pct"] = mean("on", "thumbnail_cpu_pct")
    report(summary, arms, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())

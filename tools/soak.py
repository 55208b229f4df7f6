"""Soak run: the real main window on the demo clip for an hour, switching styles and recording.

    make soak                                   # 60 minutes, into build/soak/
    .venv/bin/python tools/soak.py --minutes 3 --switch-every 0.25 --record-every 1 --record-seconds 10

The window is the app's own MainWindow (offscreen unless QT_QPA_PLATFORM says otherwise), driven by a
timer on the application's event loop: a built-in style (or Original) every --switch-every minutes, a
--record-seconds recording every --record-every minutes. Every --sample-every seconds it writes one row
to soak.csv: RSS, frames shown per second, the worker's fps, dropped frames. At the end it decodes every
recording and prints a verdict; exit 0 when all of these hold, 1 otherwise:
  - RSS: the median of the last minute is at most --rss-limit-mb above the median of the minute after
    the warm-up: --warmup minutes, or until every style has been loaded once if that is later (a
    style's first load is not a leak; --strict-warmup: just --warmup), at most the run's first third;
  - fps: the median of frames shown per second in the last quarter is no more than --fps-tolerance
    (default 10%) below the first quarter's;
  - recordings: every one started was stopped without error and decodes to the frames it reported.
soak.png plots the run (tools/soak_plot.py); soak.log has the app's log.
"""

from __future__ import annotations

import argparse
import csv
import logging
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIELDS = ["t_s", "rss_mb", "shown_fps", "worker_fps", "source_dropped", "display_dropped", "recorder_dropped",
          "style", "recording"]
TICK_MS = 100
FINISH_TIMEOUT_S = 60.0  # for the last recording to be finalised after the run's end


def rss_mb() -> float:
    """Resident set size now, in MB: psutil when installed, else Linux's /proc (no new dependency)."""
    try:
        import psutil
    except ImportError:
        with open("/proc/self/status", encoding="ascii") as f:
            kb = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
        return kb / 1024
    return psutil.Process().memory_info().rss / 2**20


def median_in(samples: list[dict], key: str, t0: float, t1: float) -> float | None:
    values = [s[key] for s in samples if t0 <= s["t_s"] <= t1]
    return statistics.median(values) if values else None


@dataclass
class Recording:
    start_s: float
    end_s: float | None = None
    result: object = None  # RecordingResult once the worker has finished the file
    note: str = ""  # why it stopped before the soak stopped it (the window's banner)


@dataclass
class Timeline:
    duration_s: float
    switch_every_s: float
    record_every_s: float
    record_seconds: float
    sample_every_s: float
    next_switch: float = 0.0
    next_record: float = 0.0
    next_sample: float = 0.0

    def __post_init__(self) -> None:
        self.next_record = self.record_every_s
        self.next_sample = self.sample_every_s


@dataclass
class Soak:
    """Drives the window from a timer and keeps what it measured."""

    app: object
    window: object
    styles: list[str]
    plan: Timeline
    writer: csv.DictWriter
    csv_file: object
    samples: list[dict] = field(default_factory=list)
    recordings: list[Recording] = field(default_factory=list)
    switches: list[float] = field(default_factory=list)
    style_index: int = -1
    first_frame_s: float | None = None
    finishing: bool = False
    _t0: float = 0.0
    _last_t: float = 0.0
    _last_shown: int = 0
    _seen_result: object = None

    def start(self) -> None:
        from PySide6.QtCore import QTimer

        self._t0 = time.monotonic()
        self._timer = QTimer()
        self._timer.timeout.connect(self.tick)
        self._timer.start(TICK_MS)

    def tick(self) -> None:
        t = time.monotonic() - self._t0
        w = self.window
        if self.first_frame_s is None and w.frames_shown:
            self.first_frame_s = t
        self._collect_result()
        if t >= self.plan.next_sample:
            self.plan.next_sample += self.plan.sample_every_s
            self._sample(t)
        if self.finishing:
            done = all(r.result is not None or r.note for r in self.recordings)
            if done or t > self.plan.duration_s + FINISH_TIMEOUT_S:
                self._timer.stop()
                self.app.quit()
            return
        rec = self.recordings[-1] if self.recordings else None
        recording = rec is not None and rec.end_s is None
        if recording and not w.is_recording() and rec.result is None:  # it could not start, or stopped itself
            rec.end_s, rec.note = t, w.banners.text("recording") or "stopped on its own"
            recording = False
        elif recording and (t >= rec.start_s + self.plan.record_seconds or t >= self.plan.duration_s):
            w.stop_recording()
            rec.end_s = t
        if t >= self.plan.duration_s:
            self.finishing = True
            return
        if t >= self.plan.next_switch:
            self.plan.next_switch += self.plan.switch_every_s
            self.style_index = (self.style_index + 1) % len(self.styles)
            w.panel.gallery.select_id(self.styles[self.style_index])
            self.switches.append(t)
        if t >= self.plan.next_record and not recording:
            self.plan.next_record += self.plan.record_every_s
            if t + self.plan.record_seconds <= self.plan.duration_s:
                w.start_recording()
                self.recordings.append(Recording(t))

    def _collect_result(self) -> None:
        """The window keeps the newest RecordingResult; hand each new one to the recording it ends."""
        result = self.window.last_recording
        if result is None or result is self._seen_result:
            return
        self._seen_result = result
        pending = [r for r in self.recordings if r.result is None]
        if pending:
            pending[0].result = result
            pending[0].end_s = pending[0].end_s or (time.monotonic() - self._t0)

    def _sample(self, t: float) -> None:
        w = self.window
        r = w.last_result
        shown = w.frames_shown
        dt = t - self._last_t
        rec = self.recordings[-1] if self.recordings else None
        row = {
            "t_s": round(t, 2), "rss_mb": round(rss_mb(), 1),
            "shown_fps": round((shown - self._last_shown) / dt, 2) if dt > 0 else 0.0,
            "worker_fps": round(r.fps, 2) if r is not None else 0.0,
            "source_dropped": r.stats.dropped_frames if r is not None else 0,
            "display_dropped": w.engine.slot.dropped,
            "recorder_dropped": r.stats.recorder_dropped if r is not None else 0,
            "style": self.styles[self.style_index] if self.style_index >= 0 else "",
            "recording": int(rec is not None and rec.end_s is None),
        }
        self._last_t, self._last_shown = t, shown
        self.samples.append(row)
        self.writer.writerow(row)
        self.csv_file.flush()  # a soak that dies still leaves its numbers


def decode_count(path: Path) -> tuple[int, str]:
    import av

    try:
        with av.open(str(path)) as container:
            return sum(1 for _ in container.decode(video=0)), ""
    except (av.error.FFmpegError, OSError) as exc:
        return 0, str(exc)


def warmup_s(args: argparse.Namespace, n_styles: int) -> float:
    first_cycle = 0.0 if args.strict_warmup else n_styles * args.switch_every * 60
    return min(max(args.warmup * 60, first_cycle), args.minutes * 60 / 3)


def verdict(soak: Soak, args: argparse.Namespace, new_files: list[Path]) -> tuple[bool, list[str]]:
    """The lines to print and whether the run passed."""
    duration = soak.plan.duration_s
    samples = soak.samples
    lines = [f"soak: {duration / 60:g} min, {len(samples)} samples, {len(soak.switches)} style switches "
             f"over {len(soak.styles)} styles, {len(soak.recordings)} recordings"]
    ok = True

    warmup = warmup_s(args, len(soak.styles))
    win = min(60.0, duration / 6)
    base = median_in(samples, "rss_mb", warmup, warmup + win)
    end = median_in(samples, "rss_mb", duration - win, duration)
    if base is None or end is None:
        ok = False
        lines.append("RSS: too few samples to judge FAIL")
    else:
        growth = end - base
        peak = max(s["rss_mb"] for s in samples if s["t_s"] >= warmup) - base
        good = growth <= args.rss_limit_mb
        ok &= good
        lines.append(f"RSS: {base:.1f} MB after the {warmup / 60:.3g} min warm-up -> {end:.1f} MB at the end: "
                     f"{growth:+.1f} MB (limit +{args.rss_limit_mb:g} MB; peak {peak:+.1f} MB) "
                     f"{'ok' if good else 'FAIL'}")

    # Frames shown per second, from the first full sample after the first frame (startup is not decay).
    start = (soak.first_frame_s or 0.0) + args.sample_every
    first = median_in(samples, "shown_fps", start, duration / 4)
    last = median_in(samples, "shown_fps", duration * 3 / 4, duration)
    if not first or last is None:
        ok = False
        lines.append("fps: no frames were shown in the first or last quarter FAIL")
    else:
        change = last / first - 1
        good = change >= -args.fps_tolerance
        ok &= good
        worker = [median_in(samples, "worker_fps", a, b) for a, b in ((start, duration / 4),
                                                                      (duration * 3 / 4, duration))]
        lines.append(f"fps (frames shown per second): median {first:.1f} in the first quarter, {last:.1f} in "
                     f"the last ({change:+.1%}, tolerance -{args.fps_tolerance:.0%}; worker fps "
                     f"{worker[0] or 0:.1f} -> {worker[1] or 0:.1f}) {'ok' if good else 'FAIL'}")

    final = samples[-1] if samples else {}
    rec_dropped = sum(getattr(r.result, "dropped", 0) for r in soak.recordings if r.result is not None)
    lines.append(f"dropped frames: source {final.get('source_dropped', 0)}, display "
                 f"{final.get('display_dropped', 0)}, recorder {rec_dropped} (reported, not judged)")

    problems = []
    by_path = {getattr(r.result, "path", None): r.result for r in soak.recordings}
    for r in soak.recordings:
        if r.result is None:
            problems.append(f"the recording started at {r.start_s / 60:.2f} min never finished"
                            + (f": {r.note}" if r.note else ""))
        elif r.result.error is not None:
            problems.append(f"{r.result.path.name}: {r.result.error.message}")
    total_frames = decoded = 0
    for path in new_files:
        frames, error = decode_count(path)
        total_frames += frames
        reported = getattr(by_path.get(path), "frames", None)
        if error or frames == 0:
            problems.append(f"{path.name} does not decode: {error or 'no frames'}")
        elif reported is not None and frames != reported:
            problems.append(f"{path.name}: {frames} frames decode, the recorder wrote {reported}")
        else:
            decoded += 1
    if len(new_files) != len(soak.recordings):
        problems.append(f"{len(soak.recordings)} recordings started, {len(new_files)} files written")
    ok &= not problems
    lines.append(f"recordings: {decoded}/{len(soak.recordings)} decode "
                 f"({total_frames} frames) {'ok' if not problems else 'FAIL'}")
    lines += [f"  - {p}" for p in problems]
    return ok, lines


def build_window(recordings_dir: Path):
    """The app's own window on the demo clip, set up as app.py does (minus settings from disk)."""
    from PySide6.QtWidgets import QApplication

    from vst_desktop.core.memory import reuse_large_blocks
    from vst_desktop.core.settings import Settings
    from vst_desktop.styles.library import StyleLibrary
    from vst_desktop.ui.common import qt_workarounds
    from vst_desktop.ui.common.qt_messages import route_qt_messages_to_logging
    from vst_desktop.ui.common.theme import apply_dark_theme
    from vst_desktop.ui.live.main_window import MainWindow

    reuse_large_blocks()  # as the command line's main() does for the app
    qt_workarounds.install()  # without it PySide6 6.12 on CPython < 3.12 aborts within minutes
    route_qt_messages_to_logging()
    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("vst-desktop")
    apply_dark_theme(app)
    library = StyleLibrary()
    styles = [p.id for p in library.list() if p.builtin] + [""]  # "" = Original
    settings = Settings(camera="demo", mirror=False, compare=False, inference_preset="Fast 360p",
                        recordings_dir=str(recordings_dir), style="")
    window = MainWindow(settings, library, "demo", cameras=[], persist=False)
    return app, window, styles


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--minutes", type=float, default=60.0, help="length of the run (default 60)")
    p.add_argument("--switch-every", type=float, default=1.0, help="minutes between style switches (1)")
    p.add_argument("--record-every", type=float, default=5.0, help="minutes between recordings (5)")
    p.add_argument("--record-seconds", type=float, default=30.0, help="length of each recording (30)")
    p.add_argument("--sample-every", type=float, default=5.0, help="seconds between samples (5)")
    p.add_argument("--warmup", type=float, default=5.0, help="minutes before RSS is the baseline (5)")
    p.add_argument("--strict-warmup", action="store_true",
                   help="the warm-up is --warmup even when not every style has been loaded by then")
    p.add_argument("--rss-limit-mb", type=float, default=50.0, help="allowed RSS growth after warm-up (50)")
    p.add_argument("--fps-tolerance", type=float, default=0.10,
                   help="allowed fall of the last quarter's median fps below the first's (0.10)")
    p.add_argument("--out", type=Path, default=ROOT / "build" / "soak", help="output folder (build/soak)")
    args = p.parse_args(argv)
    if min(args.minutes, args.switch_every, args.record_every, args.record_seconds, args.sample_every) <= 0:
        p.error("durations must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("VST_DESKTOP_HOME", str(out / "home"))  # the soak never touches your settings
    logging.basicConfig(filename=out / "soak.log", filemode="w", level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    recordings_dir = out / "recordings"
    recordings_dir.mkdir(exist_ok=True)
    before = set(recordings_dir.glob("*.mp4"))  # earlier runs' files are not this run's to judge

    app, window, styles = build_window(recordings_dir)
    plan = Timeline(args.minutes * 60, args.switch_every * 60, args.record_every * 60, args.record_seconds,
                    args.sample_every)
    csv_path = out / "soak.csv"
    with open(csv_path, "w", newline="", encoding="utf-8") as csv_file:
        writer = csv.DictWriter(csv_file, FIELDS)
        writer.writeheader()
        soak = Soak(app, window, styles, plan, writer, csv_file)
        print(f"soak: {args.minutes:g} min on the demo clip, {len(styles)} styles, output in {out}", flush=True)
        window.show()
        soak.start()
        app.exec()
        window.close()  # stops the worker; a recording still running is finalised first
    new_files = sorted(set(recordings_dir.glob("*.mp4")) - before)
    ok, lines = verdict(soak, args, new_files)

    from soak_plot import plot_soak

    png = out / "soak.png"
    minutes = [s["t_s"] / 60 for s in soak.samples]
    plot_soak(png, minutes, [
        ("Resident memory", "MB", {"RSS": [s["rss_mb"] for s in soak.samples]}),
        ("Frame rate", "fps", {"shown per second": [s["shown_fps"] for s in soak.samples],
                               "worker (smoothed)": [s["worker_fps"] for s in soak.samples]}),
        ("Dropped frames, cumulative", "frames", {
            "display": [s["display_dropped"] for s in soak.samples],
            "source": [s["source_dropped"] for s in soak.samples],
            "recorder (this recording)": [s["recorder_dropped"] for s in soak.samples]}),
    ], [(r.start_s / 60, (r.end_s or plan.duration_s) / 60) for r in soak.recordings],
        [t / 60 for t in soak.switches], warmup_s(args, len(styles)) / 60,
        f"vst-desktop soak: {args.minutes:g} min, {'PASS' if ok else 'FAIL'}")
    lines.append(f"verdict: {'PASS' if ok else 'FAIL'}  (csv {csv_path}, plot {png}, log {out / 'soak.log'})")
    (out / "verdict.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

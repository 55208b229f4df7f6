"""How long a preset takes on this computer, from a short measured run (not a constant).

`train` has no dedicated measuring option, so the benchmark is a real `vst-desktop train` on a few bundled
photos with the preset's networks and crop size, `--iterations BENCH_STEPS`, no samples or checkpoints in
between and `--no-install`, at the same lowered priority as real training. The seconds per step come from
the arrival times of its progress events (step 1 onward, so the first, slower step is not counted); the
process is killed as soon as the last step is reported, before the export. Results are cached per preset,
device and speed-relevant settings for a while (data_dir()/training_speed.json).
"""

from __future__ import annotations

import json
import logging
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, Signal

from vst_desktop.core import paths
from vst_desktop.core.images import IMAGE_SUFFIXES
from vst_desktop.trainspec import runs
from vst_desktop.trainspec.presets import PRESET_STEPS
from vst_desktop.ui.common.qt_workarounds import emit

log = logging.getLogger(__name__)

BENCH_STEPS = 4
BENCH_PHOTOS = 4
CACHE_DAYS = 14
CACHE_FILE = "training_speed.json"
FINISH_SECONDS = 30.0  # export, parity check and install after the last step (10-40 s measured on 2 cores)
BENCH_OVERRIDES = {"log_every": 1, "sample_every": 1_000_000, "checkpoint_every": 1_000_000, "val_photos": 2}


@dataclass
class SpeedMeasurement:
    preset: str
    device: str  # the device the measuring run actually used ("cpu", "cuda:0")
    seconds_per_step: float
    startup_s: float  # launch to the first step: imports, data loading
    iterations: int  # the preset's default step count
    measured_at: float

    def total_seconds(self, iterations: int | None = None) -> float:
        steps = iterations or self.iterations
        return self.startup_s + steps * self.seconds_per_step * 1.02 + FINISH_SECONDS  # +2%: samples, checkpoints


def format_duration(seconds: float) -> str:
    """'about 25 min', 'about 1 h 40 min', 'under a minute'."""
    if seconds < 60:
        return "under a minute"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"about {minutes} min"
    h, m = divmod(minutes, 60)
    if h >= 10 or not m:
        return f"about {h} h"
    return f"about {h} h {m:02d} min"


def _cache_key(preset: str, device: str, overrides: dict) -> str:
    speed = {k: v for k, v in sorted(overrides.items())
             if k in ("crop_size", "batch_size", "generator", "d_width", "threads") or k.startswith("w_")}
    return json.dumps([preset, device or "auto", speed], sort_keys=True)


def load_cached(preset: str, device: str = "", overrides: dict | None = None) -> SpeedMeasurement | None:
    try:
        data = json.loads((paths.data_dir() / CACHE_FILE).read_text(encoding="utf-8"))
        m = SpeedMeasurement(**data[_cache_key(preset, device, overrides or {})])
    except (OSError, json.JSONDecodeError, KeyError, TypeError):
        return None
    if time.time() - m.measured_at > CACHE_DAYS * 86400:
        return None
    return m


def store(m: SpeedMeasurement, device: str = "", overrides: dict | None = None) -> None:
    path = paths.data_dir() / CACHE_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        data = data if isinstance(data, dict) else {}
    except (OSError, json.JSONDecodeError):
        data = {}
    data[_cache_key(m.preset, device, overrides or {})] = asdict(m)
    try:
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        log.info("training speed not cached: %s", exc)


def _bench_photos() -> list[Path]:
    content = paths.resources_dir() / "content"
    return sorted(p for p in content.glob("*") if p.suffix.lower() in IMAGE_SUFFIXES)[:BENCH_PHOTOS]


class SpeedBenchmark(QObject):
    """Measures one preset at a time; emits `measured(SpeedMeasurement)` or `failed(preset, message)`."""

    measured = Signal(object)
    failed = Signal(str, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._proc: QProcess | None = None
        self._tmp: Path | None = None
        self._preset = ""
        self._device = ""
        self._overrides: dict = {}
        self._t0 = 0.0
        self._times: dict[int, float] = {}
        self._device_used = ""
        self._buffer = b""
        self._done = False

    @property
    def busy(self) -> bool:
        return self._proc is not None

    @property
    def preset(self) -> str:
        return self._preset if self.busy else ""

    def start(self, preset: str, device: str = "", overrides: dict | None = None) -> bool:
        if self.busy:
            return False
        photos = _bench_photos()
        if not photos:
            emit(self.failed, preset, "the bundled photos are missing")
            return False
        self._preset, self._device, self._overrides = preset, device, dict(overrides or {})
        self._tmp = Path(tempfile.mkdtemp(prefix="vst-speed-"))
        for sub in ("style", "content"):
            (self._tmp / sub).mkdir()
            for p in photos:
                shutil.copy2(p, self._tmp / sub / p.name)
        args = runs.train_arguments(styles=str(self._tmp / "style"), content=str(self._tmp / "content"),
                                    preset=preset, out=self._tmp / "run", iterations=BENCH_STEPS, device=device,
                                    overrides={**self._overrides, **BENCH_OVERRIDES}, no_install=True,
                                    no_evaluate=True)
        program, base = runs.train_program()
        proc = QProcess(self)
        if not getattr(sys, "frozen", False):
            proc.setWorkingDirectory(str(paths.project_root()))
        nice = shutil.which("nice") if sys.platform != "win32" else None
        if nice:  # measured at the priority training runs at
            proc.setProgram(nice)
            proc.setArguments(["-n", str(runs.NICE_LEVEL), program, *base, *args])
        else:
            proc.setProgram(program)
            proc.setArguments(base + args)
        proc.readyReadStandardOutput.connect(self._on_stdout)
        proc.finished.connect(self._on_finished)
        proc.errorOccurred.connect(self._on_error)
        self._proc, self._times, self._buffer, self._done, self._device_used = proc, {}, b"", False, ""
        self._t0 = time.monotonic()
        proc.start()
        return True

    def cancel(self) -> None:
        if self._proc is not None:
            self._done = True
            self._proc.kill()
            self._proc.waitForFinished(3000)
            self._cleanup()

    def _on_stdout(self) -> None:
        if self._proc is None or self._done:
            return
        self._buffer += bytes(self._proc.readAllStandardOutput())
        *lines, self._buffer = self._buffer.split(b"\n")
        for line in lines:
            event = runs.parse_event(line.decode("utf-8", errors="replace"))
            if event is None:
                continue
            if event["event"] == "start":
                self._device_used = str(event.get("device", ""))
            elif event["event"] == "progress" and isinstance(event.get("step"), int):
                self._times[event["step"]] = time.monotonic()
                if event["step"] >= BENCH_STEPS:
                    self._complete()
                    return

    def _complete(self) -> None:
        steps = sorted(self._times)
        first, last = steps[0], steps[-1]
        per_step = ((self._times[last] - self._times[first]) / (last - first) if last > first
                    else self._times[last] - self._t0)
        m = SpeedMeasurement(preset=self._preset, device=self._device_used or "cpu", seconds_per_step=per_step,
                             startup_s=max(0.0, self._times[first] - self._t0 - per_step),
                             iterations=PRESET_STEPS.get(self._preset, 0), measured_at=time.time())
        device, overrides = self._device, self._overrides
        self.cancel()
        store(m, device, overrides)
        emit(self.measured, m)

    def _on_error(self, _error) -> None:
        if self._proc is not None and not self._done and self._proc.state() == QProcess.ProcessState.NotRunning:
            self._fail(self._proc.errorString())

    def _on_finished(self, code: int, _status) -> None:
        if self._done or self._proc is None:
            return
        err = bytes(self._proc.readAllStandardError()).decode("utf-8", errors="replace").strip().splitlines()
        self._fail(err[-1] if err else f"the measuring run ended early (exit code {code})")

    def _fail(self, message: str) -> None:
        preset = self._preset
        self._done = True
        self._cleanup()
        log.info("training speed for %s not measured: %s", preset, message)
        emit(self.failed, preset, message)

    def _cleanup(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            proc.deleteLater()
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

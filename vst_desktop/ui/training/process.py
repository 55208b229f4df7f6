"""The training child process, as the dialog sees it: start, follow, stop, reattach.

`vst-desktop train ... --progress jsonl` runs detached from the GUI (QProcess.startDetached), at a lower
CPU priority, with its stdout (JSON lines) and stderr (human-readable log) going to files in the run
folder. A QTimer follows those files. Because nothing ties the child to this process, closing the app can
leave it training, and the next session reattaches to it by the pid file in the run folder.

Stopping sends SIGINT on POSIX: the engine's handler (training/run.py) stops between steps, saves a
checkpoint and reports `{"event": "done", "status": "interrupted"}`. On Windows a detached console process
cannot be sent Ctrl-C, so Stop terminates it and a resume continues from the last periodic checkpoint.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
from pathlib import Path

from PySide6.QtCore import QIODevice, QObject, QProcess, QTimer, Signal

from vst_desktop.core import paths
from vst_desktop.trainspec import runs
from vst_desktop.ui.common.qt_workarounds import emit

log = logging.getLogger(__name__)

POLL_MS = 250
PID_TIMEOUT_S = 30.0  # the launching shell writes the pid at once; longer means it never started


class TrainingProcess(QObject):
    """One training session (a new run or a resumed one) in a run folder.

    Signals: `event_received(dict)` for every JSON-lines event, `log_line(str)` for each stderr line,
    `ended(outcome, info)` once, where outcome is "done", "interrupted", "error" or "crashed" and info
    holds the terminal event (or, for a crash, `stderr_tail`).
    """

    event_received = Signal(object)
    log_line = Signal(str)
    ended = Signal(str, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.run_dir: Path | None = None
        self.pid: int | None = None
        self.stop_requested = False
        self.outcome: str | None = None
        self._events: runs.JsonLinesFollower | None = None
        self._stderr: runs.JsonLinesFollower | None = None
        self._stderr_offset = 0
        self._terminal: dict | None = None
        self._launched_at = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)

    # ------------------------------------------------------------------ state
    @property
    def is_active(self) -> bool:
        """Started or attached, and not ended yet."""
        return self._timer.isActive()

    # ------------------------------------------------------------------ start / attach
    def start(self, arguments: list[str], run_dir: Path, session_info: dict | None = None) -> None:
        """Launch `train` with `arguments` (the options after `train`) for the run in `run_dir`."""
        run_dir.mkdir(parents=True, exist_ok=True)
        stdout, stderr, pid_file = run_dir / runs.STDOUT_FILE, run_dir / runs.STDERR_FILE, run_dir / runs.PID_FILE
        pid_file.unlink(missing_ok=True)
        program, base = runs.train_program()
        session = dict(session_info or {}, arguments=arguments, started=time.time(), gui_pid=os.getpid(),
                       stdout_offset=runs.file_size(stdout), stderr_offset=runs.file_size(stderr),
                       platform=sys.platform)
        runs.write_session(run_dir, session)
        self._reset(run_dir, session)

        proc = QProcess(self)
        if not getattr(sys, "frozen", False):
            proc.setWorkingDirectory(str(paths.project_root()))  # `-m vst_desktop` from a checkout too
        proc.setStandardOutputFile(str(stdout), QIODevice.OpenModeFlag.Append)
        proc.setStandardErrorFile(str(stderr), QIODevice.OpenModeFlag.Append)
        if sys.platform == "win32":  # pragma: no cover - Windows only
            ok, pid = QProcess.startDetached(program, base + arguments, proc.workingDirectory())
            if ok and pid:
                pid_file.write_text(str(pid))
                _lower_priority_windows(pid)
        else:
            prog, args = runs.posix_wrapper(pid_file, program, base + arguments)
            proc.setProgram(prog)
            proc.setArguments(args)
            result = proc.startDetached()
            ok = result[0] if isinstance(result, tuple) else bool(result)
        proc.deleteLater()
        if not ok:
            self._finish("crashed", {"message": f"The training process could not be started ({program}).",
                                     "stderr_tail": []})
            return
        log.info("training started in %s: %s", run_dir, " ".join(arguments))
        self._timer.start()

    def attach(self, run_dir: Path) -> bool:
        """Follow a run that an earlier session of the app started; replays this session's events."""
        session = runs.read_session(run_dir)
        pid = runs.read_pid(run_dir)
        if not runs.pid_alive(pid):
            return False
        self._reset(run_dir, session)
        self.pid = pid
        log.info("reattached to the training run in %s (pid %s)", run_dir, pid)
        self._timer.start()
        self._poll()
        return True

    def _reset(self, run_dir: Path, session: dict) -> None:
        self.run_dir = run_dir
        self.pid = None
        self.stop_requested = False
        self.outcome = None
        self._terminal = None
        self._launched_at = time.monotonic()
        self._stderr_offset = int(session.get("stderr_offset", 0))
        if sys.platform == "win32":  # pragma: no cover - stdout is not redirected there: follow the engine's log
            self._events = runs.JsonLinesFollower(run_dir / "log.jsonl", runs.file_size(run_dir / "log.jsonl"))
        else:
            self._events = runs.JsonLinesFollower(run_dir / runs.STDOUT_FILE, int(session.get("stdout_offset", 0)))
        self._stderr = runs.JsonLinesFollower(run_dir / runs.STDERR_FILE, self._stderr_offset)

    # ------------------------------------------------------------------ stop
    def stop(self) -> bool:
        """Ask the trainer to stop after the current step and save a checkpoint; False when it is not running."""
        if self.pid is None or not runs.pid_alive(self.pid):
            return False
        self.stop_requested = True
        sig = signal.SIGINT if sys.platform != "win32" else signal.SIGTERM
        try:
            os.kill(self.pid, sig)
        except OSError as exc:
            log.warning("could not signal the training process %s: %s", self.pid, exc)
            return False
        return True

    def kill(self) -> None:
        """Stop at once (no checkpoint beyond the last periodic one)."""
        if self.pid is not None and runs.pid_alive(self.pid):
            self.stop_requested = True
            try:
                os.kill(self.pid, signal.SIGKILL if hasattr(signal, "SIGKILL") else signal.SIGTERM)
            except OSError as exc:
                log.warning("could not kill the training process %s: %s", self.pid, exc)

    def detach(self) -> None:
        """Stop following (the process goes on; a later attach picks it up)."""
        self._timer.stop()

    # ------------------------------------------------------------------ following
    def _poll(self) -> None:
        if self.run_dir is None or self._events is None or self._stderr is None:
            return
        if self.pid is None:
            self.pid = runs.read_pid(self.run_dir)
            if self.pid is not None and not shutil_nice_available():
                _lower_priority_posix(self.pid)
        self._drain()
        if self.pid is None:
            if time.monotonic() - self._launched_at > PID_TIMEOUT_S:
                self._finish("crashed", {"message": "The training process did not start.",
                                         "stderr_tail": self._stderr_tail()})
            return
        if not runs.pid_alive(self.pid):
            self._drain()
            self._finish(*self._outcome())

    def _drain(self) -> None:
        for line in self._stderr.read_lines():
            emit(self.log_line, line)
        for event in self._events.read_events():
            if event["event"] in ("done", "error"):
                self._terminal = event
            emit(self.event_received, event)

    def _stderr_tail(self) -> list[str]:
        if self.run_dir is None:
            return []
        return runs.tail_lines(self.run_dir / runs.STDERR_FILE, 12, self._stderr_offset)

    def _outcome(self) -> tuple[str, dict]:
        t = self._terminal
        if t is not None and t["event"] == "done":
            return ("done" if t.get("status") == "done" else "interrupted"), t
        if t is not None and t["event"] == "error":
            return "error", dict(t, stderr_tail=self._stderr_tail())
        if self.run_dir is not None:
            style_id = runs.installed_style_of(self.run_dir)
            if style_id and sys.platform == "win32":  # pragma: no cover - no stdout there: read the files
                return "done", {"event": "done", "status": "done", "style_id": style_id,
                                "run_dir": str(self.run_dir)}
        info = {"stderr_tail": self._stderr_tail(), "run_dir": str(self.run_dir)}
        if self.stop_requested:
            return "interrupted", dict(info, message="Stopped.")
        return "crashed", dict(info, message="The training process ended unexpectedly.")

    def _finish(self, outcome: str, info: dict) -> None:
        self._timer.stop()
        self.outcome = outcome
        if self.run_dir is not None:
            session = runs.read_session(self.run_dir)
            if session:
                session.update(outcome=outcome, ended=time.time())
                try:
                    runs.write_session(self.run_dir, session)
                except OSError as exc:
                    log.warning("could not update %s: %s", runs.SESSION_FILE, exc)
        log.info("training %s in %s", outcome, self.run_dir)
        emit(self.ended, outcome, info)


def shutil_nice_available() -> bool:
    import shutil

    return sys.platform == "win32" or shutil.which("nice") is not None


def _lower_priority_posix(pid: int) -> None:
    try:
        os.setpriority(os.PRIO_PROCESS, pid, runs.NICE_LEVEL)
    except (OSError, AttributeError) as exc:
        log.info("could not lower the training priority: %s", exc)


def _lower_priority_windows(pid: int) -> None:  # pragma: no cover - Windows only
    import ctypes

    process_set_information, below_normal = 0x0200, 0x4000
    kernel32 = ctypes.windll.kernel32
    handle = kernel32.OpenProcess(process_set_information, False, pid)
    if handle:
        kernel32.SetPriorityClass(handle, below_normal)
        kernel32.CloseHandle(handle)

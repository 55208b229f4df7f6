"""Training run folders as the GUI sees them (no Qt, no torch): the command to launch, the files it follows,
which runs are still going, which can be resumed.

A run folder (layout.py) holds what the engine writes: `config.json`, `log.jsonl`, `samples/step_NNNNNN.png`,
`checkpoints/latest.pt` and, once finished, `package/<id>.{onnx,json,png}`. The GUI adds its own files
beside them:

- `gui_session.json`: the command of the current session, when it started, and where its output begins
  in the stdout file (sessions of a resumed run append to the same files);
- `train.pid`: the process id, written by the launching shell right before it becomes the trainer;
- `train_stdout.jsonl` / `train_stderr.log`: the child's JSON-lines progress and its human-readable log.

The child runs detached from the GUI, so it keeps training when the window closes and a later session of
the app can follow it again from these files.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from vst_desktop.core import paths
from vst_desktop.trainspec.events import parse_event
from vst_desktop.trainspec.layout import CONFIG_FILE, LOG_FILE, PACKAGE_DIR, checkpoint_path

SESSION_FILE = "gui_session.json"
PID_FILE = "train.pid"
STDOUT_FILE = "train_stdout.jsonl"
STDERR_FILE = "train_stderr.log"
NICE_LEVEL = 10  # training yields the CPU to the live view


# ---------------------------------------------------------------- the command

def train_program() -> tuple[str, list[str]]:
    """How to start `vst-desktop train`: this interpreter with `-m vst_desktop`, or the frozen app itself."""
    if getattr(sys, "frozen", False):
        return sys.executable, ["train"]
    return sys.executable, ["-m", "vst_desktop", "train"]


def train_arguments(*, styles: str = "", content: str = "", preset: str = "quick", name: str = "",
                    out: Path | None = None, resume: Path | None = None, iterations: int | None = None,
                    device: str = "", overrides: dict[str, object] | None = None,
                    no_install: bool = False, no_evaluate: bool = False) -> list[str]:
    """The `train` options (as in training/entry.py) for a new run or for `--resume RUN`."""
    args: list[str] = []
    if resume is not None:
        args += ["--resume", str(resume)]
    else:
        args += ["--styles", str(styles), "--preset", preset]
        if content:
            args += ["--content", str(content)]
        if name:
            args += ["--name", name]
        if out is not None:
            args += ["--out", str(out)]
        for key, value in (overrides or {}).items():
            args += ["--set", f"{key}={json.dumps(value) if not isinstance(value, str) else value}"]
    if iterations:
        args += ["--iterations", str(int(iterations))]
    if device:
        args += ["--device", device]
    if no_install:
        args.append("--no-install")
    if no_evaluate:
        args.append("--no-evaluate")
    args += ["--progress", "jsonl"]
    return args


def posix_wrapper(pid_file: Path, program: str, arguments: list[str]) -> tuple[str, list[str]]:
    """`/bin/sh` writes its pid, then `exec`s the trainer (under `nice` when available): same pid throughout.

    QProcess.startDetached() does not hand back the pid in PySide6, and the pid must outlive this GUI
    session anyway, so the launching shell writes it into the run folder.
    """
    script = 'echo $$ > "$0.tmp" && mv "$0.tmp" "$0" && exec "$@"'
    nice = shutil.which("nice")
    prefix = [nice, "-n", str(NICE_LEVEL)] if nice else []
    return "/bin/sh", ["-c", script, str(pid_file), *prefix, program, *arguments]


# ---------------------------------------------------------------- processes

def pid_alive(pid: int | None, expect_in_cmdline: str = "train") -> bool:
    """Whether `pid` is a live process (not a zombie) whose command line holds `expect_in_cmdline`.

    The command-line check guards against a recycled pid on Linux; elsewhere liveness is all we know.
    """
    if not pid or pid <= 0:
        return False
    if sys.platform == "win32":
        return _windows_pid_alive(pid)
    proc = Path(f"/proc/{pid}")
    if proc.is_dir():
        try:
            stat = (proc / "stat").read_text()
            state = stat.rsplit(")", 1)[1].split()[0]
            if state in ("Z", "X"):
                return False
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, IndexError):
            return False
        return expect_in_cmdline in cmdline
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _windows_pid_alive(pid: int) -> bool:  # pragma: no cover - Windows only
    import ctypes

    process_query_limited_information, still_active = 0x1000, 259
    kernel32 = ctypes.windll.kernel32
    handle = kernel32.OpenProcess(process_query_limited_information, False, pid)
    if not handle:
        return False
    try:
        code = ctypes.c_ulong()
        ok = kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        return bool(ok) and code.value == still_active
    finally:
        kernel32.CloseHandle(handle)


def read_pid(run_dir: Path) -> int | None:
    try:
        return int((run_dir / PID_FILE).read_text().strip())
    except (OSError, ValueError):
        return None


# ---------------------------------------------------------------- following JSON lines

class JsonLinesFollower:
    """Reads the complete lines appended to a file since the last call (a partial last line waits)."""

    def __init__(self, path: Path, offset: int = 0) -> None:
        self.path = path
        self.offset = offset
        self._partial = b""

    def read_lines(self) -> list[str]:
        try:
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                data = f.read()
        except FileNotFoundError:
            return []
        if not data:
            return []
        self.offset += len(data)
        data = self._partial + data
        *lines, self._partial = data.split(b"\n")
        return [line.decode("utf-8", errors="replace").rstrip("\r") for line in lines if line.strip()]

    def read_events(self) -> list[dict]:
        events = []
        for line in self.read_lines():
            event = parse_event(line)
            if event is not None:
                events.append(event)
        return events


def tail_lines(path: Path, count: int = 12, offset: int = 0) -> list[str]:
    """The last `count` non-empty lines of a text file after `offset` (the child's stderr)."""
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            text = f.read().decode("utf-8", errors="replace")
    except OSError:
        return []
    return [line for line in text.splitlines() if line.strip()][-count:]


# ---------------------------------------------------------------- sessions and runs

def write_session(run_dir: Path, data: dict) -> None:
    tmp = run_dir / (SESSION_FILE + ".tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, run_dir / SESSION_FILE)


def read_session(run_dir: Path) -> dict:
    try:
        data = json.loads((run_dir / SESSION_FILE).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def installed_style_of(run_dir: Path) -> str | None:
    """The id of the style a finished run exported, when that style is installed in the user styles folder."""
    for meta_path in sorted((run_dir / PACKAGE_DIR).glob("*.json")):
        try:
            style_id = json.loads(meta_path.read_text(encoding="utf-8")).get("id")
        except (OSError, json.JSONDecodeError):
            continue
        if style_id and (paths.user_styles_dir() / f"{style_id}.onnx").is_file():
            return str(style_id)
    return None


def package_written(run_dir: Path) -> bool:
    pkg = run_dir / PACKAGE_DIR
    return any((pkg / f"{m.stem}.onnx").is_file() for m in pkg.glob("*.json"))


@dataclass
class RunInfo:
    run_dir: Path
    name: str
    step: int  # last step known from the log (checkpointed or not)
    checkpoint_step: int  # last step saved in checkpoints/latest.pt, -1 when none
    total: int
    preset: str
    updated: float  # mtime of the newest log line
    running: bool
    finished: bool
    pid: int | None = None

    @property
    def resumable(self) -> bool:
        return not self.running and not self.finished and self.checkpoint_step >= 0

    def describe(self) -> str:
        when = time.strftime("%d %b %H:%M", time.localtime(self.updated)) if self.updated else "?"
        state = "training now" if self.running else (
            "finished" if self.finished else f"stopped at step {max(self.checkpoint_step, 0)} of {self.total}")
        return f"{self.name or self.run_dir.name} ({self.preset}): {state}, {when}"


def _last_steps(run_dir: Path) -> tuple[int, int]:
    step, ckpt_step = 0, -1
    try:
        with open(run_dir / LOG_FILE, encoding="utf-8", errors="replace") as f:
            for line in f:
                event = parse_event(line)
                if event is None:
                    continue
                if isinstance(event.get("step"), int):
                    step = max(step, event["step"])
                if event["event"] == "checkpoint":
                    ckpt_step = int(event.get("step", 0))
    except OSError:
        pass
    if ckpt_step < 0 and checkpoint_path(run_dir).is_file():
        ckpt_step = 0  # a checkpoint without a log line: resumable, step unknown
    return step, ckpt_step


def run_info(run_dir: Path) -> RunInfo | None:
    """What the GUI knows of a run folder; None for a folder that is not a training run."""
    try:
        config = json.loads((run_dir / CONFIG_FILE).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        config = None
    session = read_session(run_dir)
    if not isinstance(config, dict) and not session:
        return None
    config = config if isinstance(config, dict) else {}
    step, ckpt_step = _last_steps(run_dir)
    pid = read_pid(run_dir)
    running = pid_alive(pid)
    updated = max(_mtime(run_dir / LOG_FILE), _mtime(run_dir / SESSION_FILE), _mtime(run_dir / CONFIG_FILE))
    return RunInfo(run_dir=run_dir, name=str(config.get("name") or session.get("name") or ""),
                   step=step, checkpoint_step=ckpt_step, total=int(config.get("iterations") or 0),
                   preset=str(config.get("preset") or session.get("preset") or ""), updated=float(updated),
                   running=running, finished=package_written(run_dir) and not running, pid=pid if running else None)


def list_runs(root: Path | None = None) -> list[RunInfo]:
    """Every training run under the runs folder, newest first."""
    root = root or paths.runs_dir()
    runs = []
    try:
        children = [p for p in root.iterdir() if p.is_dir()]
    except OSError:
        return []
    for d in children:
        info = run_info(d)
        if info is not None:
            runs.append(info)
    return sorted(runs, key=lambda r: r.updated, reverse=True)


def unfinished_runs(root: Path | None = None) -> list[RunInfo]:
    """Runs that stopped before the end and have a checkpoint to continue from."""
    return [r for r in list_runs(root) if r.resumable]


def running_runs(root: Path | None = None) -> list[RunInfo]:
    """Runs whose trainer process is alive (started by an earlier session of the app, or by this one)."""
    return [r for r in list_runs(root) if r.running]


def new_run_dir(name: str, root: Path | None = None) -> Path:
    """A fresh folder name under the runs folder (never an existing one)."""
    root = root or paths.runs_dir()
    slug = "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")[:40] or "style"
    stamp = time.strftime("%Y%m%d-%H%M%S")
    candidate = root / f"{slug}-{stamp}"
    n = 2
    while candidate.exists():
        candidate = root / f"{slug}-{stamp}-{n}"
        n += 1
    return candidate

"""Logging: a rotating file in the log folder for everything, stderr for warnings.

Tracebacks go to the file only (stderr gets them with --verbose): a person at the console reads one line
saying what happened and where the details are. A record logged with `extra={"file_only": True}` stays
out of stderr altogether, for messages the caller already tells the person in its own words.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from vst_desktop.core import paths

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class _OneLineFormatter(logging.Formatter):
    """'LEVEL: message', without the traceback or stack that the file keeps."""

    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname}: {record.getMessage()}"


def setup_logging(verbose: bool = False, log_file: Path | None = None) -> Path:
    """Configure the root logger once; returns the log file path."""
    log_file = log_file or paths.log_dir() / "vst-desktop.log"
    root = logging.getLogger()
    # Called once per process by the CLI; a second call (tests, a new home folder) replaces our handlers.
    for old in [h for h in root.handlers if getattr(h, "_vst", False)]:
        root.removeHandler(old)
        old.close()
    root.setLevel(logging.DEBUG)
    file_handler = logging.handlers.RotatingFileHandler(log_file, maxBytes=2_000_000, backupCount=3,
                                                        encoding="utf-8")
    file_handler.setFormatter(logging.Formatter(_FORMAT))
    file_handler.setLevel(logging.DEBUG)
    file_handler._vst = True  # type: ignore[attr-defined]
    console = logging.StreamHandler()
    console.setLevel(logging.DEBUG if verbose else logging.WARNING)
    console.setFormatter(logging.Formatter("%(levelname)s: %(message)s") if verbose else _OneLineFormatter())
    console.addFilter(lambda record: not getattr(record, "file_only", False))
    console._vst = True  # type: ignore[attr-defined]
    root.addHandler(file_handler)
    root.addHandler(console)
    return log_file

"""One family of errors whose messages are written for the person at the keyboard.

Every `VstError` carries what happened (`message`) and what to do about it (`hint`). The CLI prints both
and exits with code 2; the GUI shows them in its banner. Anything that is not a VstError is a bug: it is
logged with its traceback and shown once.
"""

from __future__ import annotations

import sys


class VstError(Exception):
    """Base class: a problem the user can understand and act on."""

    exit_code = 2

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def user_text(self) -> str:
        return f"{self.message}\n{self.hint}" if self.hint else self.message

    def __str__(self) -> str:
        return self.user_text()


class CameraError(VstError):
    """No camera, a camera that cannot be opened, or one that stopped delivering frames."""


class SourceError(VstError):
    """A video, image or folder that cannot be read."""


class StyleError(VstError):
    """A style package that is missing, corrupt, or does not follow the contract."""


class InferenceError(VstError):
    """onnxruntime could not create or run a session."""


class RecordingError(VstError):
    """The recorder could not write (bad folder, encoder failure)."""


class DiskFullError(RecordingError):
    """Free disk space fell below the safety margin."""


class SettingsError(VstError):
    """Settings could not be read or written."""


class TrainingDataError(VstError):
    """A training folder that is missing, empty or holds no usable images."""


class TrainingError(VstError):
    """A training run that failed (diverged, crashed, could not resume)."""


def report(exc: VstError, stream=None) -> int:
    """Print `exc` as every command line of the app does ("error: ..." and the hint); its exit code."""
    stream = stream or sys.stderr
    print(f"error: {exc.message}", file=stream)
    if exc.hint:
        print(exc.hint, file=stream)
    return exc.exit_code

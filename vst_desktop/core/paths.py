"""Where things live on disk. Platform folders come from platformdirs.

`VST_DESKTOP_HOME` overrides every per-user folder (tests and portable installs use it), and
`VST_SHARED_DATA` points at the shared data folder (default: `../shared/data` beside a checkout).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "vst-desktop"


def _home_override() -> Path | None:
    home = os.environ.get("VST_DESKTOP_HOME")
    return Path(home) if home else None


def _ensure(p: Path) -> Path:
    p.mkdir(parents=True, exist_ok=True)
    return p


def data_dir() -> Path:
    home = _home_override()
    return _ensure(home / "data" if home else Path(platformdirs.user_data_dir(APP_NAME)))


def config_dir() -> Path:
    home = _home_override()
    return _ensure(home / "config" if home else Path(platformdirs.user_config_dir(APP_NAME)))


def log_dir() -> Path:
    home = _home_override()
    return _ensure(home / "logs" if home else Path(platformdirs.user_log_dir(APP_NAME)))


def user_styles_dir() -> Path:
    return _ensure(data_dir() / "styles")


def runs_dir() -> Path:
    return _ensure(data_dir() / "runs")


def default_recordings_dir() -> Path:
    home = _home_override()
    if home:
        return _ensure(home / "recordings")
    return _ensure(Path(platformdirs.user_videos_dir()) / APP_NAME)


def settings_file() -> Path:
    return config_dir() / "settings.json"


def project_root() -> Path:
    """The checkout (or the frozen bundle's data folder)."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen)
    return Path(__file__).resolve().parents[2]


def resources_dir() -> Path:
    return project_root() / "resources"


def builtin_styles_dir() -> Path:
    return resources_dir() / "styles"


def demo_clip() -> Path:
    return resources_dir() / "demo" / "demo.mp4"


def shared_data_dir() -> Path | None:
    """`../shared/data` beside a checkout, when present (tests, training, benchmarks read it)."""
    env = os.environ.get("VST_SHARED_DATA")
    candidates = [Path(env)] if env else []
    candidates.append(project_root().parent / "shared" / "data")
    for c in candidates:
        if c.is_dir():
            return c
    return None

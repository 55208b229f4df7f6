"""User settings persisted as schema-versioned JSON.

Unknown keys are ignored (a newer version may have written them), missing keys take defaults, and a
corrupt file is backed up beside itself and replaced by defaults with a warning: settings never prevent
start-up.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from vst_desktop.core import paths

log = logging.getLogger(__name__)

SCHEMA = 1


@dataclass
class Settings:
    camera: str = ""  # "" = first camera, "demo" = demo clip, or a file path
    resolution: tuple[int, int] = (640, 360)
    fps: int = 30
    style: str = ""
    strength: float = 1.0
    mirror: bool = True
    compare: bool = False
    inference_preset: str = ""  # "" = choose from the warm-up measurement
    recordings_dir: str = ""
    window_geometry: str = ""  # base64 of QWidget.saveGeometry()
    extra: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        d = asdict(self)
        d["resolution"] = list(self.resolution)
        d["schema"] = SCHEMA
        return d

    @classmethod
    def from_json(cls, data: dict) -> Settings:
        known = {f.name: f for f in fields(cls)}
        kwargs = {}
        defaults = cls()
        for name in known:
            if name not in data:
                continue
            value = data[name]
            default = getattr(defaults, name)
            if name == "resolution":
                if isinstance(value, list | tuple) and len(value) == 2 and all(isinstance(v, int) for v in value):
                    kwargs[name] = (int(value[0]), int(value[1]))
                continue
            if isinstance(default, bool):
                if isinstance(value, bool):
                    kwargs[name] = value
            elif isinstance(default, float):
                if isinstance(value, int | float) and not isinstance(value, bool):
                    kwargs[name] = float(value)
            elif isinstance(default, int):
                if isinstance(value, int) and not isinstance(value, bool):
                    kwargs[name] = value
            elif isinstance(value, type(default)):
                kwargs[name] = value
        return cls(**kwargs)


@dataclass
class LoadResult:
    settings: Settings
    warning: str = ""


def load_settings(path: Path | None = None) -> LoadResult:
    path = path or paths.settings_file()
    if not path.exists():
        return LoadResult(Settings())
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("top level is not an object")
        return LoadResult(Settings.from_json(data))
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        backup = path.with_name(f"{path.stem}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}{path.suffix}")
        try:
            path.replace(backup)
        except OSError:
            backup = path
        msg = (f"Your settings file could not be read ({exc}); defaults are used. "
               f"The old file was kept as {backup.name}.")
        log.warning(msg)
        return LoadResult(Settings(), warning=msg)


def save_settings(settings: Settings, path: Path | None = None) -> None:
    """Write atomically: a crash mid-write leaves the previous file intact."""
    path = path or paths.settings_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(settings.to_json(), indent=2), encoding="utf-8")
    os.replace(tmp, path)

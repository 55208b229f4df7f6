"""User settings persisted as schema-versioned JSON.

Settings never prevent start-up, whatever the file holds:

- a file that cannot be used at all (not JSON, not UTF-8, binary, too large, nested too deeply, not an
  object, a folder, unreadable) is moved aside as `settings.corrupt-<time>.json` and defaults are used,
  with a warning;
- a value of the wrong type or out of range takes its default; the file as it was is first copied to
  `settings.invalid-<time>.json` (the next save rewrites it), so nothing the person had is lost;
- unknown keys (a newer version may have written them) are kept and written back on save.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import shutil
import stat
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from vst_desktop.core import paths

log = logging.getLogger(__name__)

SCHEMA = 1
MAX_BYTES = 1 << 20  # real settings are about 1 KB; a larger file is not ours, and is not read into memory
MAX_DEPTH = 32  # real settings nest 3 deep; a deeper value could overflow the stack when written back
MAX_TEXT = 4096  # paths and names; longer is not a setting anyone typed
RESOLUTION_RANGE = (16, 8192)
FPS_RANGE = (1, 240)
STRENGTH_RANGE = (0.0, 1.0)
_BASE64 = re.compile(r"[A-Za-z0-9+/=\s]*")


@dataclass
class Settings:
    camera: str = ""  # "" = first camera, "demo" = demo clip, or a file path
    resolution: tuple[int, int] = (1280, 720)  # asked of the camera; it may deliver less
    fps: int = 30
    style: str = ""
    strength: float = 1.0
    mirror: bool = True
    compare: bool = False
    inference_preset: str = ""  # "" = choose from the warm-up measurement
    recordings_dir: str = ""
    window_geometry: str = ""  # base64 of QWidget.saveGeometry()
    extra: dict = field(default_factory=dict)
    # keys this version does not know, written back unchanged (not part of equality: they are not settings)
    unknown: dict = field(default_factory=dict, compare=False, repr=False)

    def to_json(self) -> dict:
        d = asdict(self)
        del d["unknown"]
        d["resolution"] = list(self.resolution)
        d["schema"] = SCHEMA
        return {**self.unknown, **d}

    @classmethod
    def from_json(cls, data: dict) -> Settings:
        return parse_settings(data)[0]


def _text_ok(value: object) -> bool:
    if not isinstance(value, str) or len(value) > MAX_TEXT or "\x00" in value:
        return False
    try:
        value.encode("utf-8")  # lone surrogates ("\ud800" in JSON) break file paths and Qt
    except UnicodeEncodeError:
        return False
    return True


def _int_in(value: object, lo: int, hi: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and lo <= value <= hi


def _check(name: str, value: object) -> tuple[bool, object]:
    """(usable, the value as Settings holds it) for one known field."""
    if name == "resolution":
        ok = isinstance(value, list | tuple) and len(value) == 2 and all(_int_in(v, *RESOLUTION_RANGE)
                                                                         for v in value)
        return ok, (tuple(value) if ok else None)
    if name == "fps":
        return _int_in(value, *FPS_RANGE), value
    if name == "strength":
        ok = (isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
              and STRENGTH_RANGE[0] <= value <= STRENGTH_RANGE[1])
        return ok, (float(value) if ok else None)
    if name in ("mirror", "compare"):
        return isinstance(value, bool), value
    if name == "extra":
        return isinstance(value, dict), value
    if name == "window_geometry":  # the window decodes it as ASCII base64
        return _text_ok(value) and value.isascii() and bool(_BASE64.fullmatch(value)), value
    return _text_ok(value), value


def parse_settings(data: dict) -> tuple[Settings, list[str]]:
    """The Settings in `data`, and the names of the fields that were unusable and took their defaults."""
    known = {f.name for f in fields(Settings)} - {"unknown"}
    kwargs: dict = {}
    rejected = []
    for name in known & data.keys():
        ok, value = _check(name, data[name])
        if ok:
            kwargs[name] = value
        else:
            rejected.append(name)
    unknown = {k: v for k, v in data.items() if k not in known and k != "schema"}
    return Settings(**kwargs, unknown=unknown), sorted(rejected)


@dataclass
class LoadResult:
    settings: Settings
    warning: str = ""


class _Unusable(Exception):
    """The file as a whole cannot be used; the message says why, for the person."""


def _depth(value: object) -> int:
    """Nesting depth of a JSON value, without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, dict | list):
            deepest = max(deepest, d)
            if d > MAX_DEPTH:
                break
            stack.extend((c, d + 1) for c in (v.values() if isinstance(v, dict) else v))
    return deepest


def _read(path: Path) -> dict:
    try:
        st = path.stat()
        if stat.S_ISDIR(st.st_mode):
            raise _Unusable("it is a folder, not a file")
        if not stat.S_ISREG(st.st_mode):  # a pipe or a device could block the start or never end
            raise _Unusable("it is not a regular file")
        if st.st_size > MAX_BYTES:
            raise _Unusable(f"it is {st.st_size / 1e6:.1f} MB, far larger than settings ever are")
        with open(path, "rb") as f:
            raw = f.read(MAX_BYTES + 1)  # the size on disk may not tell (it may grow while read)
        if len(raw) > MAX_BYTES:
            raise _Unusable("it is far larger than settings ever are")
    except OSError as exc:
        raise _Unusable(f"it cannot be opened: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")  # -sig: Windows editors may add a byte-order mark
    except UnicodeDecodeError:
        raise _Unusable("it is not text") from None
    try:
        data = json.loads(text)
    except RecursionError:
        raise _Unusable("it is nested too deeply") from None
    except (ValueError, MemoryError) as exc:
        raise _Unusable(f"it is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise _Unusable("it does not hold a JSON object")
    if _depth(data) > MAX_DEPTH:
        raise _Unusable("it is nested too deeply")
    return data


def _backup_name(path: Path, kind: str) -> Path:
    """A name no earlier backup has: two problems in the same second must not overwrite each other."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    candidate = path.with_name(f"{path.stem}.{kind}-{stamp}{path.suffix}")
    n = 2
    while candidate.exists() or candidate.is_symlink():
        candidate = path.with_name(f"{path.stem}.{kind}-{stamp}-{n}{path.suffix}")
        n += 1
    return candidate


def _move_aside(path: Path) -> str:
    """Rename the unusable file (a rename keeps any content, even one we cannot read); its new name."""
    backup = _backup_name(path, "corrupt")
    try:
        path.replace(backup)
    except OSError as exc:
        log.warning("settings file %s could not be moved aside: %s", path, exc)
        return path.name
    return backup.name


def _keep_copy(path: Path) -> str:
    """Copy the file before its unusable values are replaced; reuses an identical earlier copy."""
    try:
        raw = path.read_bytes()
        for old in path.parent.glob(f"{path.stem}.invalid-*{path.suffix}"):
            if old.is_file() and old.stat().st_size == len(raw) and old.read_bytes() == raw:
                return old.name
        backup = _backup_name(path, "invalid")
        shutil.copyfile(path, backup)
        return backup.name
    except OSError as exc:
        log.warning("settings file %s could not be copied: %s", path, exc)
        return ""


def load_settings(path: Path | None = None) -> LoadResult:
    try:
        path = path or paths.settings_file()
        if not (path.exists() or path.is_symlink()):
            return LoadResult(Settings())
    except OSError as exc:  # e.g. the config folder itself cannot be created or read
        msg = f"Your settings folder cannot be used ({exc}); defaults are used and will not be saved."
        log.warning(msg)
        return LoadResult(Settings(), warning=msg)
    try:
        data = _read(path)
    except _Unusable as exc:
        kept = _move_aside(path)
        msg = (f"Your settings file could not be read ({exc}); defaults are used. "
               f"The old file was kept as {kept}.")
        log.warning(msg)
        return LoadResult(Settings(), warning=msg)
    settings, rejected = parse_settings(data)
    if rejected:
        # Quietly: a newer version may store these differently. Logged, and the file kept as it was.
        log.warning("settings %s were not usable and take their defaults; the file as it was is kept as %s",
                    ", ".join(rejected), _keep_copy(path) or "(no copy could be made)")
    return LoadResult(settings)


def save_settings(settings: Settings, path: Path | None = None) -> None:
    """Write atomically: a crash mid-write leaves the previous file intact."""
    path = path or paths.settings_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(settings.to_json(), indent=2), encoding="utf-8")
    os.replace(tmp, path)

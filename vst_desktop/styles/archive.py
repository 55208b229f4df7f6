"""Reading `.vststyle` files (a zip of `<id>.onnx`, `<id>.json`, `<id>.png`) without trusting them.

A style file may come from anywhere, so every member is checked before a byte is written: no absolute
paths, no `..`, no folders, no links, no extra or duplicate members, sizes within limits, and the
bytes actually read may not exceed the declared size (a zip bomb declares small sizes and inflates).
"""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

from vst_desktop.core.errors import StyleError

SUFFIXES = (".onnx", ".json", ".png")
MAX_BYTES = {".onnx": 100 * 1024 * 1024, ".json": 1024 * 1024, ".png": 8 * 1024 * 1024}
# Real models and PNGs compress a little; a member that inflates this much is treated as a zip bomb.
MAX_RATIO = 200
_CHUNK = 1024 * 1024
_HINT = "Only import .vststyle files exported by vst-desktop from a source you trust."


def _bad(path: Path, what: str) -> StyleError:
    return StyleError(f"{path.name} was rejected: {what}.", _HINT)


def _check_member(path: Path, info: zipfile.ZipInfo) -> str:
    """The member's suffix if it is acceptable, else StyleError."""
    name = info.filename
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        raise _bad(path, f"it contains an absolute path ({name!r})")
    parts = name.replace("\\", "/").split("/")
    if ".." in parts:
        raise _bad(path, f"it contains a path that leaves its folder ({name!r})")
    if info.is_dir() or len(parts) > 1:
        raise _bad(path, f"it contains a folder ({name!r}); the three files must be at the top level")
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise _bad(path, f"it contains a symbolic link ({name!r})")
    if info.flag_bits & 0x1:
        raise _bad(path, f"{name!r} is encrypted")
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise _bad(path, f"it contains an unexpected file {name!r} (a style holds .onnx, .json and .png)")
    if info.file_size > MAX_BYTES[suffix]:
        raise _bad(path, f"{name!r} is {info.file_size / 1e6:.0f} MB, more than the "
                         f"{MAX_BYTES[suffix] / 1e6:.0f} MB allowed")
    if info.file_size > _CHUNK and info.file_size > MAX_RATIO * max(1, info.compress_size):
        raise _bad(path, f"{name!r} expands {info.file_size // max(1, info.compress_size)}x (a zip bomb?)")
    return suffix


def _copy_member(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo, dst: Path) -> None:
    written = 0
    with zf.open(info) as src, open(dst, "wb") as out:
        while chunk := src.read(_CHUNK):
            written += len(chunk)
            if written > info.file_size:
                raise _bad(path, f"{info.filename!r} holds more data than its header declares")
            out.write(chunk)


def extract_members(path: Path, staging: Path) -> None:
    """Check `path` and extract its members as `staging/style.{onnx,json,png}`. Raises StyleError."""
    if not path.is_file():
        raise StyleError(f"{path} does not exist.", "Check the path of the .vststyle file.")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            by_suffix: dict[str, zipfile.ZipInfo] = {}
            for info in infos:
                suffix = _check_member(path, info)
                if suffix in by_suffix:
                    raise _bad(path, f"it holds two {suffix} files")
                by_suffix[suffix] = info
            missing = [s for s in SUFFIXES if s not in by_suffix]
            if missing:
                raise _bad(path, f"it has no {', '.join(missing)} file (a style holds .onnx, .json and .png)")
            stems = {Path(i.filename).stem for i in infos}
            if len(stems) != 1:
                raise _bad(path, f"its files have different names ({', '.join(sorted(stems))})")
            for suffix, info in by_suffix.items():
                _copy_member(path, zf, info, staging / f"style{suffix}")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError) as e:
        raise _bad(path, f"it is not a valid .vststyle (zip) file ({e})") from e
    except OSError as e:
        raise StyleError(f"Could not read {path.name}: {e}.", "Check the file and free disk space.") from e

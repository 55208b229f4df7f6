"""Reading `.vststyle` files (a zip of `<id>.onnx`, `<id>.json`, `<id>.png`) without trusting them.

A style file may come from anywhere, so every member is checked before a byte is written: no absolute
paths, no `..`, no folders, no links, no extra or duplicate members, sizes within limits, and the
bytes actually read may not exceed the declared size (a zip bomb declares small sizes and inflates).
"""

from __future__ import annotations

import stat
import struct
import zipfile
import zlib
from pathlib import Path

from vst_desktop.core.errors import StyleError

SUFFIXES = (".onnx", ".json", ".png")
MAX_BYTES = {".onnx": 100 * 1024 * 1024, ".json": 1024 * 1024, ".png": 8 * 1024 * 1024}
# Real models and PNGs compress a little; a member that inflates this much is treated as a zip bomb.
MAX_RATIO = 200
_CHUNK = 1024 * 1024
_HINT = "Only import .vststyle files exported by vst-desktop from a source you trust."


def _bad(path: Path, what: str) -> StyleError:
    return StyleError(f"{path} was rejected: {what}.", _HINT)


def _show(name: str) -> str:
    """A member name for a message: quoted (no control characters reach the terminal) and bounded."""
    return repr(name[:100]) + ("…" if len(name) > 100 else "")


def _size(n: int) -> str:
    """Binary units, as the limits are set: 100 MiB, not "105 MB"."""
    for unit, scale in (("MiB", 2**20), ("KiB", 2**10)):
        if n >= scale:
            return f"{n // scale} {unit}" if n % scale == 0 else f"{n / scale:.1f} {unit}"
    return f"{n} bytes"


def _check_member(path: Path, info: zipfile.ZipInfo) -> str:
    """The member's suffix if it is acceptable, else StyleError."""
    name = info.filename
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        raise _bad(path, f"it contains an absolute path ({_show(name)})")
    parts = name.replace("\\", "/").split("/")
    if ".." in parts:
        raise _bad(path, f"it contains a path that leaves its folder ({_show(name)})")
    if info.is_dir() or len(parts) > 1:
        raise _bad(path, f"it contains a folder ({_show(name)}); the three files must be at the top level")
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise _bad(path, f"it contains a symbolic link ({_show(name)})")
    if info.flag_bits & 0x1:
        raise _bad(path, f"{_show(name)} is encrypted")
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise _bad(path, f"it contains an unexpected file {_show(name)} (a style holds .onnx, .json and .png)")
    if info.file_size > MAX_BYTES[suffix]:
        raise _bad(path, f"{_show(name)} is {_size(info.file_size)}, "
                         f"more than the {_size(MAX_BYTES[suffix])} allowed")
    if info.file_size > _CHUNK and info.file_size > MAX_RATIO * max(1, info.compress_size):
        raise _bad(path, f"{_show(name)} expands {info.file_size // max(1, info.compress_size)}x (a zip bomb?)")
    return suffix


def _copy_member(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo, dst: Path) -> None:
    written = 0
    with zf.open(info) as src, open(dst, "wb") as out:
        while chunk := src.read(_CHUNK):
            written += len(chunk)
            if written > info.file_size:
                raise _bad(path, f"{_show(info.filename)} holds more data than its header declares")
            out.write(chunk)


def extract_members(path: Path, staging: Path) -> dict[str, str]:
    """Check `path` and extract its members as `staging/style.{onnx,json,png}`; returns the members'
    names by suffix (what the person knows them as). Raises StyleError."""
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
                raise _bad(path, f"its files have different names ({', '.join(map(_show, sorted(stems)))})")
            for suffix, info in by_suffix.items():
                _copy_member(path, zf, info, staging / f"style{suffix}")
            return {suffix: info.filename for suffix, info in by_suffix.items()}
    # zlib.error (damaged deflate data), ValueError (e.g. names that are not UTF-8), struct.error (a
    # truncated header): what the zip reader raises for a damaged file besides its own BadZipFile.
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, zlib.error, ValueError,
            struct.error, RuntimeError) as e:
        raise _bad(path, f"it is not a valid .vststyle (zip) file ({str(e)[:200] or type(e).__name__})") from e
    except OSError as e:
        raise StyleError(f"Could not read {path}: {e}.", "Check the file and free disk space.") from e

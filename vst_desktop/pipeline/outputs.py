"""Where offline results may be written: never over an input, never half-written.

Every check runs before the first frame is stylized, so a refused command has changed nothing on disk.
Results are written beside their final name and moved into place only when complete: an interrupted
job leaves the previous file (or nothing), never a truncated one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from vst_desktop.core.errors import VstError
from vst_desktop.core.images import IMAGE_SUFFIXES

VIDEO_OUTPUT_EXT = ".mp4"


def _same_file(a: Path, b: Path) -> bool:
    """True when `a` and `b` name one file (hard links and symlinks included) or one path."""
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return a.resolve() == b.resolve()


def refuse_input_as_output(src: Path, dst: Path) -> None:
    """The output would replace the file or folder being read: refuse before anything is opened."""
    if _same_file(src, dst):
        raise VstError(f"The output {dst} is the input itself: stylizing would overwrite your original.",
                       "Give another name with -o, for example "
                       f"{dst.with_name(dst.stem + '_styled' + (dst.suffix or ''))}.")


def check_output_folder(dst_dir: Path) -> None:
    """`dst_dir` can be created or already is a folder; a file anywhere on the way is a clear error."""
    for part in (dst_dir, *dst_dir.parents):
        if part.exists():
            if not part.is_dir():
                raise VstError(f"Cannot write into {dst_dir}: {part} is a file, not a folder.",
                               "Choose an output path whose folders are folders.")
            if not os.access(part, os.W_OK | os.X_OK):
                raise VstError(f"Cannot write into {dst_dir}: {part} is not writable.",
                               "Choose a folder you can write to.")
            return


def check_image_output(dst: Path) -> None:
    if dst.suffix.lower() not in IMAGE_SUFFIXES:
        raise VstError(f"Cannot write an image called {dst.name}: the extension "
                       f"{dst.suffix or '(none)'} is not an image format.",
                       f"Use one of {', '.join(IMAGE_SUFFIXES)}.")
    if dst.is_dir():
        raise VstError(f"The output {dst} is a folder.", "Give a file name, for example result.png.")
    check_output_folder(dst.parent)


def video_output(dst: Path) -> Path:
    """Videos are written as MP4: no extension gets `.mp4`, another extension is refused (renaming it
    silently could land on an existing file, the input included)."""
    if dst.suffix == "":
        dst = dst.with_suffix(VIDEO_OUTPUT_EXT)
    if dst.suffix.lower() != VIDEO_OUTPUT_EXT:
        raise VstError(f"Videos are written as MP4, but the output is called {dst.name}.",
                       f"Use -o {dst.with_suffix(VIDEO_OUTPUT_EXT)}.")
    if dst.is_dir():
        raise VstError(f"The output {dst} is a folder.", "Give a file name, for example result.mp4.")
    check_output_folder(dst.parent)
    return dst


@contextlib.contextmanager
def written_atomically(dst: Path) -> Iterator[Path]:
    """Yield a temporary path beside `dst`; on success it replaces `dst`, on failure it is removed."""
    try:
        dst.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{dst.stem}.", suffix=f".partial{dst.suffix}",
                                        dir=dst.parent)
        os.close(fd)
    except OSError as exc:
        raise VstError(f"Cannot write into {dst.parent}: {exc.strerror or exc}.",
                       "Choose a folder you can write to, on a disk with free space.") from exc
    tmp = Path(tmp_name)
    try:
        yield tmp
        try:
            os.replace(tmp, dst)
        except OSError as exc:
            raise VstError(f"Cannot write {dst}: {exc.strerror or exc}.",
                           "Choose a path you can write to.") from exc
    finally:
        if tmp.exists():
            tmp.unlink()

"""How the process's heap holds memory: large blocks kept for reuse frame after frame, and freed memory
given back to the operating system after a style switch.

A style session holds tens of megabytes in many native allocations; when one is dropped, glibc keeps the
freed pages in its arenas, so switching styles for an hour made the live app's RSS climb by ~20-60 MB per
round of the gallery (measured with the soak run). `malloc_trim(0)` returns those pages; elsewhere (macOS,
Windows, musl) there is no such call and the allocators already give large blocks back.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import sys

# glibc's mallopt parameters (malloc.h)
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
# A 1080p frame's largest arrays are 6-25 MB; larger blocks are rare and may keep being mapped
REUSE_BELOW = 64 * 1024 * 1024


@functools.cache
def _libc_function(name: str):
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return getattr(libc, name)
    except (OSError, AttributeError):  # not glibc
        return None


def release_freed_memory() -> bool:
    """Return freed heap pages to the OS where the C library can; True when it did anything."""
    trim = _libc_function("malloc_trim")
    return bool(trim(0)) if trim is not None else False


def reuse_large_blocks() -> bool:
    """Let the C library serve a frame's large arrays (1-6 MB at 720p) from its heap and keep them for the
    next frame, instead of mapping fresh pages for each and unmapping them when freed; True when it could.

    Every fresh page costs a page fault: guided HD enlargement alone took 6,900 a frame, half of its 18 ms
    at 1280x720 (docs/research/painter_round22.md). The heap keeps one frame's worth of blocks more; after
    a style switch `release_freed_memory` still gives what is free back to the OS. Elsewhere than glibc,
    nothing to do."""
    mallopt = _libc_function("mallopt")
    if mallopt is None:
        return False
    # trim the heap's top only above twice what a block may be, or each frame's last free would give it back
    return bool(mallopt(M_MMAP_THRESHOLD, REUSE_BELOW)) and bool(mallopt(M_TRIM_THRESHOLD, 2 * REUSE_BELOW))

from __future__ import annotations

import json
import logging

import numpy as np

from vst_desktop.core import paths
from vst_desktop.core.errors import CameraError, DiskFullError, RecordingError, VstError
from vst_desktop.core.frame import Frame
from vst_desktop.core.logging_setup import setup_logging
from vst_desktop.core.settings import SCHEMA, Settings, load_settings, save_settings


def test_settings_round_trip(isolated_home):
    s = Settings(camera="camera:1", resolution=(1280, 720), style="bw_film", strength=0.4, mirror=False,
                 compare=True, recordings_dir="/tmp/rec")
    save_settings(s)
    assert paths.settings_file().is_relative_to(isolated_home)
    loaded = load_settings()
    assert loaded.warning == ""
    assert loaded.settings == s
    assert json.loads(paths.settings_file().read_text())["schema"] == SCHEMA


def test_settings_ignore_unknown_keys_and_bad_types(isolated_home):
    f = paths.settings_file()
    f.write_text(json.dumps({"schema": 99, "style": "x", "from_the_future": [1, 2], "strength": "loud",
                             "resolution": [1, "a"], "mirror": 1}))
    r = load_settings()
    assert r.warning == ""
    assert r.settings.style == "x"
    assert r.settings.strength == Settings().strength
    assert r.settings.resolution == Settings().resolution
    assert r.settings.mirror == Settings().mirror


def test_corrupt_settings_are_backed_up_and_replaced_by_defaults(isolated_home):
    f = paths.settings_file()
    f.write_text("{ this is not json")
    r = load_settings()
    assert r.settings == Settings()
    assert "could not be read" in r.warning
    backups = list(f.parent.glob("settings.corrupt-*.json"))
    assert len(backups) == 1 and backups[0].read_text() == "{ this is not json"
    assert not f.exists()


def test_errors_carry_message_and_hint():
    e = CameraError("No camera was found.", "Plug one in or open a video file.")
    assert isinstance(e, VstError) and e.exit_code == 2
    assert "Plug one in" in str(e)
    assert issubclass(DiskFullError, RecordingError)


def test_frame_reports_its_size():
    f = Frame(np.zeros((360, 640, 3), np.uint8), 1.5, 7)
    assert f.size == (640, 360) and f.index == 7


def test_user_dirs_follow_home_override(isolated_home):
    for d in (paths.data_dir(), paths.config_dir(), paths.log_dir(), paths.user_styles_dir(),
              paths.default_recordings_dir()):
        assert d.is_dir() and d.is_relative_to(isolated_home)


def test_logging_writes_to_rotating_file(isolated_home):
    log_file = setup_logging()
    try:
        assert log_file.is_relative_to(isolated_home)
        logging.getLogger("vst_desktop.test").warning("hello log")
        for h in logging.getLogger().handlers:
            h.flush()
        assert "hello log" in log_file.read_text()
    finally:
        for h in [h for h in logging.getLogger().handlers if getattr(h, "_vst", False)]:
            logging.getLogger().removeHandler(h)
            h.close()


def test_freed_heap_memory_goes_back_to_the_os():
    """Dropped style sessions leave pages in glibc's arenas; release_freed_memory returns them (Linux)."""
    import sys

    import pytest

    from vst_desktop.core.memory import release_freed_memory

    if not sys.platform.startswith("linux"):
        pytest.skip("malloc_trim is glibc's; other allocators give large blocks back themselves")
    blocks = [bytearray(64 * 1024) for _ in range(2000)]  # below the mmap threshold: heap pages
    del blocks
    assert release_freed_memory() is True


def test_large_blocks_are_reused_instead_of_faulted_in_afresh():
    """A frame's arrays are megabytes; glibc maps each one fresh and unmaps it on free, a page fault per
    page every frame. After reuse_large_blocks the same allocations cost (almost) none. In a child process,
    as the setting is the process's."""
    import subprocess
    import sys

    import pytest

    if not sys.platform.startswith("linux"):
        pytest.skip("mallopt is glibc's")
    probe = (
        "import resource, numpy as np\n"
        "from vst_desktop.core.memory import reuse_large_blocks\n"
        "def faults():\n"
        "    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt\n"
        "    for _ in range(20):\n"  # a frame: a few arrays of megabytes, all freed at its end
        "        frame = [np.ones(8 * 1024 * 1024 // 8) for _ in range(4)]; del frame\n"
        "    return (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 20\n"
        "fresh = faults()\n"
        "assert reuse_large_blocks()\n"
        "faults()\n"  # the first block after the change is still mapped in once
        "print(fresh, faults())\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    fresh, reused = map(float, out.stdout.split())
    assert fresh > 1000  # 32 MB of 4 KB pages given back and faulted in again: up to ~8,000 each time
    assert reused < 50

"""Recorder: encoder thread, bounded queue, free-space checks, results."""

from __future__ import annotations

import itertools
import threading
import time

import av
import numpy as np
import pytest
from _helpers import wait_for

from vst_desktop.capture.video import iter_video_frames
from vst_desktop.core.errors import DiskFullError, RecordingError
from vst_desktop.core.frame import Frame
from vst_desktop.recording import disk
from vst_desktop.recording.recorder import Recorder

BOTTLE = "video/bottle-detection.mp4"
GB = 1024**3



def count_frames(path) -> int:
    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(video=0))


@pytest.fixture
def free_space(monkeypatch):
    """Pretend free space: tests change `free_space["bytes"]` to fill the disk."""
    state = {"bytes": 100 * GB}
    monkeypatch.setattr(disk, "free_bytes", lambda path: state["bytes"])
    return state


def test_records_real_frames(shared_data, tmp_path, free_space):
    frames = list(itertools.islice(iter_video_frames(shared_data / BOTTLE), 45))
    rec = Recorder(tmp_path / "rec", fps=179 / 6)
    path = rec.start(640, 360)
    assert rec.is_recording and path.parent == tmp_path / "rec" and path.suffix == ".mp4"
    assert all(rec.submit(f) for f in frames)
    result = rec.stop()
    assert not rec.is_recording
    assert (result.path, result.frames, result.dropped, result.error) == (path, 45, 0, None)
    assert result.duration_s == pytest.approx(45 / (179 / 6), abs=0.01)
    assert result.bytes == path.stat().st_size > 0
    assert count_frames(path) == 45
    assert rec.submit(frames[0]) is False  # stopped: nothing more is taken


def test_refuses_to_start_when_disk_is_nearly_full(tmp_path, free_space):
    free_space["bytes"] = 100 * 1024**2
    rec = Recorder(tmp_path, fps=30, min_free_bytes=500 * 1024**2)
    with pytest.raises(DiskFullError) as info:
        rec.start(64, 64)
    assert "100.0 MB free" in info.value.message and info.value.hint
    assert not rec.is_recording and list(tmp_path.iterdir()) == []


def test_stops_and_keeps_file_when_disk_fills_up(tmp_path, free_space):
    rec = Recorder(tmp_path, fps=30, min_free_bytes=GB, disk_check_interval_s=0.0)
    path = rec.start(64, 48)
    img = np.zeros((48, 64, 3), np.uint8)
    for i in range(5):
        assert rec.submit(Frame(img, i / 30, i))
    assert wait_for(lambda: rec.frames_written == 5)
    free_space["bytes"] = GB // 2
    index = 5
    while rec.is_recording and index < 10_000:  # keep feeding, as the live path would
        rec.submit(Frame(img, index / 30, index))
        index += 1
        time.sleep(0.002)
    assert isinstance(rec.error, DiskFullError)
    assert "was kept" in rec.error.message and path.name in rec.error.message
    assert rec.submit(Frame(img, 1.0, 99)) is False
    result = rec.stop()
    assert isinstance(result.error, DiskFullError) and result.path == path
    assert result.frames >= 5
    assert count_frames(path) == result.frames


class StuckWriter:
    """An encoder that hangs on its first frame until released: the queue must absorb, then drop."""

    def __init__(self, path, width, height, fps) -> None:
        self.path = path
        self.entered = threading.Event()
        self.release = threading.Event()
        self.frames = 0
        self.bytes_written = 0
        StuckWriter.last = self

    def write(self, pixels, timestamp) -> None:
        self.entered.set()
        self.release.wait(10)
        self.frames += 1

    def close(self) -> None:
        pass


def test_full_queue_drops_and_counts_without_blocking(tmp_path, free_space):
    rec = Recorder(tmp_path, fps=5, queue_seconds=1.0, writer_factory=StuckWriter)  # room for 5 frames
    rec.start(64, 64)
    img = np.zeros((64, 64, 3), np.uint8)
    assert rec.submit(Frame(img, 0.0, 0))
    assert StuckWriter.last.entered.wait(5)  # the encoder holds frame 0; the queue is empty
    accepted = [rec.submit(Frame(img, i / 5, i)) for i in range(1, 9)]
    assert accepted == [True] * 5 + [False] * 3
    assert rec.dropped == 3
    StuckWriter.last.release.set()
    result = rec.stop()
    assert (result.frames, result.dropped) == (6, 3)


def test_stop_without_start_and_double_start(tmp_path, free_space):
    rec = Recorder(tmp_path, fps=30)
    with pytest.raises(RecordingError):
        rec.stop()
    rec.start(64, 64)
    with pytest.raises(RecordingError, match="already running"):
        rec.start(64, 64)
    rec.stop()


def test_recordings_never_overwrite(tmp_path, free_space):
    rec = Recorder(tmp_path, fps=30)
    img = np.zeros((64, 64, 3), np.uint8)
    paths = []
    for _ in range(3):  # same second: names get -1, -2
        paths.append(rec.start(64, 64))
        rec.submit(Frame(img, 0.0, 0))
        rec.stop()
    assert len(set(paths)) == 3
    assert all(count_frames(p) == 1 for p in paths)


def test_free_bytes_of_a_folder_not_yet_created(tmp_path):
    assert disk.free_bytes(tmp_path / "not" / "yet") > 0

"""Video files through PyAV: probing, offline iteration, the live looping source and bad files."""

from __future__ import annotations

import time

import numpy as np
import pytest
from _helpers import wait_for

from vst_desktop.capture.demo import DemoSource
from vst_desktop.capture.video import VideoFileSource, iter_video_frames, probe_video
from vst_desktop.core.errors import SourceError

FACE = "video/head-pose-face-detection-male.gif"
BOTTLE = "video/bottle-detection.mp4"



def test_probe_gif_and_mp4(shared_data):
    face = probe_video(shared_data / FACE)
    assert (face.width, face.height, face.frame_count, face.has_audio) == (480, 270, 62, False)
    assert face.fps == pytest.approx(12.5)
    bottle = probe_video(shared_data / BOTTLE)
    assert (bottle.width, bottle.height, bottle.frame_count) == (640, 360, 1189)
    assert bottle.fps == pytest.approx(29.83, abs=0.01)


def test_iter_gif_yields_every_frame_with_pts_timestamps(shared_data):
    frames = list(iter_video_frames(shared_data / FACE))
    assert len(frames) == 62
    assert [f.index for f in frames] == list(range(62))
    assert frames[0].timestamp == 0.0
    assert all(b.timestamp > a.timestamp for a, b in zip(frames, frames[1:], strict=False))
    assert frames[0].pixels.shape == (270, 480, 3) and frames[0].pixels.dtype == np.uint8


def test_iter_mp4_counts_1189_frames(shared_data):
    count = 0
    last = -1.0
    for frame in iter_video_frames(shared_data / BOTTLE):
        assert frame.timestamp > last
        last = frame.timestamp
        count += 1
    assert count == 1189
    assert last == pytest.approx(1188 / (179 / 6), abs=0.05)


def test_missing_file(tmp_path):
    with pytest.raises(SourceError, match="not found"):
        probe_video(tmp_path / "nope.mp4")
    with pytest.raises(SourceError, match="not found"):
        VideoFileSource(tmp_path / "nope.mp4").open()


def test_text_file_named_mp4(tmp_path):
    fake = tmp_path / "notes.mp4"
    fake.write_text("this is not a video\n" * 20)
    with pytest.raises(SourceError) as info:
        probe_video(fake)
    assert "notes.mp4" in info.value.message and info.value.hint
    with pytest.raises(SourceError):
        list(iter_video_frames(fake))


def test_truncated_mp4(shared_data, tmp_path):
    data = (shared_data / BOTTLE).read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(SourceError, match="cut.mp4"):
        probe_video(cut)
    with pytest.raises(SourceError):
        VideoFileSource(cut).open()


def test_play_once_then_finished(shared_data):
    with VideoFileSource(shared_data / FACE, loop=False, realtime=False) as src:
        assert src.info.kind == "video" and src.info.frame_count == 62
        seen = []
        while (frame := src.read_latest(timeout=2.0)) is not None:
            seen.append(frame.index)
        assert src.finished
        assert src.read_latest(timeout=0.5) is None
    assert seen and seen[-1] == 61  # the last frame is never lost, even when others were skipped
    assert seen == sorted(set(seen))


def test_loop_wraps_and_time_keeps_growing(shared_data):
    first_pass = list(iter_video_frames(shared_data / FACE))
    with VideoFileSource(shared_data / FACE, loop=True, realtime=False) as src:
        assert wait_for(lambda: src.loops_completed >= 2)
        frame = src.read_latest()
        assert frame is not None and not src.finished
        assert frame.index >= 2 * 62 - 1  # the last frame of the second pass, or later
        np.testing.assert_array_equal(frame.pixels, first_pass[frame.index % 62].pixels)
        assert frame.timestamp > first_pass[-1].timestamp  # media time does not restart at 0


def test_latest_frame_wins(shared_data):
    """A consumer that reads late gets the newest frame; the skipped ones are counted, not queued."""
    with VideoFileSource(shared_data / BOTTLE, loop=True, realtime=True) as src:
        assert wait_for(lambda: src.dropped_frames >= 5)
        frame = src.read_latest()
        assert frame is not None and frame.index >= 5
        following = src.read_latest()
        assert following is not None and following.index > frame.index


def test_realtime_timestamps_are_monotonic_clock(shared_data):
    with VideoFileSource(shared_data / FACE, realtime=True) as src:
        before = time.monotonic()
        frame = src.read_latest(timeout=2.0)
        assert frame is not None
        assert before - 1.0 <= frame.timestamp <= time.monotonic()


def test_demo_source_loops_the_demo_clip():
    with DemoSource() as demo:
        info = demo.info
        assert (info.kind, info.width, info.height) == ("demo", 640, 360)
        assert demo.read_latest(timeout=2.0) is not None
        assert demo.error is None

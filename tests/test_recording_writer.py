"""Mp4Writer: real frames in, H.264 MP4 out, readable back, and still playable after a hard kill."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import av
import numpy as np
import pytest

from vst_desktop.capture.video import iter_video_frames
from vst_desktop.core.errors import RecordingError
from vst_desktop.recording.writer import Mp4Writer

ROOT = Path(__file__).resolve().parents[1]
BOTTLE = "video/bottle-detection.mp4"


def decode(path: Path) -> tuple[av.video.stream.VideoStream, list[av.VideoFrame]]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = list(container.decode(stream))
        return stream, frames


def test_records_real_frames_as_h264(shared_data, tmp_path):
    out = tmp_path / "bottle.mp4"
    source = list(itertools.islice(iter_video_frames(shared_data / BOTTLE), 40))
    with Mp4Writer(out, 640, 360, 179 / 6) as writer:
        for frame in source:
            writer.write(frame.pixels, frame.timestamp)
    assert writer.frames_written == 40
    with av.open(str(out)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert (stream.width, stream.height) == (640, 360)
        frames = list(container.decode(stream))
    assert len(frames) == 40
    assert frames[0].format.name == "yuv420p"
    times = [f.time for f in frames]
    assert times[0] == 0.0 and all(b > a for a, b in zip(times, times[1:], strict=False))
    assert times[-1] == pytest.approx(source[-1].timestamp - source[0].timestamp, abs=0.002)
    # Quality sanity: the decoded picture is close to what went in (CRF 23, not garbage).
    diff = np.abs(frames[20].to_ndarray(format="bgr24").astype(int) - source[20].pixels.astype(int))
    assert diff.mean() < 6


def test_odd_size_and_repeated_timestamps(tmp_path):
    out = tmp_path / "odd.mp4"
    with Mp4Writer(out, 321, 179, 30) as writer:
        assert (writer.width, writer.height) == (320, 178)
        for i in range(10):
            writer.write(np.full((179, 321, 3), i * 20, np.uint8), 5.0)  # a clock that did not advance
        writer.write(np.zeros((100, 100, 3), np.uint8), 5.1)  # wrong size: resized, not fatal
    stream, frames = decode(out)
    assert (stream.width, stream.height) == (320, 178)
    assert len(frames) == 11
    pts = [f.pts for f in frames]
    assert pts == sorted(set(pts))


def test_unwritable_destination(tmp_path):
    with pytest.raises(RecordingError) as info:
        Mp4Writer(tmp_path / "no" / "such" / "dir" / "x.mp4", 64, 64, 30)
    assert info.value.hint


def test_write_after_close_is_a_recording_error(tmp_path):
    writer = Mp4Writer(tmp_path / "x.mp4", 64, 64, 30)
    writer.close()
    writer.close()  # twice is fine
    with pytest.raises(RecordingError):
        writer.write(np.zeros((64, 64, 3), np.uint8), 0.0)


KILLED_WRITER = textwrap.dedent("""
    import itertools, os, signal, sys
    from vst_desktop.capture.video import iter_video_frames
    from vst_desktop.recording.writer import Mp4Writer
    source, out, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    writer = Mp4Writer(out, 640, 360, 30)
    for frame in itertools.islice(iter_video_frames(source), count):
        writer.write(frame.pixels, frame.timestamp)
    # Die without close(): no trailer, no flush, as in a crash or power loss.
    if hasattr(signal, "SIGKILL"):
        os.kill(os.getpid(), signal.SIGKILL)
    os._exit(3)
""")


def test_killed_mid_file_leaves_playable_file(shared_data, tmp_path):
    out = tmp_path / "killed.mp4"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(shared_data / BOTTLE), str(out), "75"],
                          env=env, cwd=ROOT, capture_output=True, timeout=120)
    assert proc.returncode != 0, proc.stderr.decode(errors="replace")
    assert out.exists() and out.stat().st_size > 0
    stream, frames = decode(out)
    assert stream.codec_context.name == "h264"
    assert 0 < len(frames) <= 75

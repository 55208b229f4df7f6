"""A recording killed at any moment keeps all but its last second.

A child process records real frames in real time with the real Mp4Writer and prints, after each write,
how many frames it has written and their capture time; the test SIGKILLs it (no close(), no trailer)
and decodes what is left. The bound is on capture time rather than wall time: a stalled child (the
2 cores are shared) has not lost frames it never got to write.
"""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import av
import pytest

from vst_desktop.capture.video import iter_video_frames
from vst_desktop.recording.writer import Mp4Writer

ROOT = Path(__file__).resolve().parents[1]
BOTTLE = "video/bottle-detection.mp4"
KEPT_ALL_BUT_S = 1.0

RECORDING_CHILD = textwrap.dedent("""
    import itertools, sys, time
    from vst_desktop.capture.video import iter_video_frames
    from vst_desktop.recording.writer import Mp4Writer
    source, out, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    frames = [f for f in itertools.takewhile(lambda f: f.timestamp <= seconds, iter_video_frames(source))]
    writer = Mp4Writer(out, 640, 360, 179 / 6)
    start = time.monotonic()
    print("start", flush=True)
    for frame in frames:  # at the clip's own pace, like a live camera
        time.sleep(max(0.0, start + frame.timestamp - time.monotonic()))
        writer.write(frame.pixels, frame.timestamp)
        print("wrote", writer.frames_written, repr(frame.timestamp), flush=True)
    time.sleep(60)  # never closes: the test kills it first
""")


def record_and_kill(source: Path, out: Path, kill_after_s: float) -> list[float]:
    """Run the child, SIGKILL it `kill_after_s` after it started recording; the capture times it wrote."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-c", RECORDING_CHILD, str(source), str(out),
                              str(kill_after_s + 5)], env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "start", "the recording child did not start"
        time.sleep(kill_after_s)
        child.send_signal(signal.SIGKILL)
        child.wait(30)
        lines = child.stdout.read().splitlines()
    finally:
        child.kill()
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    written = [line.split() for line in lines if line.startswith("wrote ")]
    assert [int(n) for _, n, _ in written] == list(range(1, len(written) + 1))
    return [float(t) for _, _, t in written]


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
@pytest.mark.parametrize("kill_after_s", [1.5, 3.5])
def test_killed_recording_keeps_all_but_the_last_second(shared_data, tmp_path, kill_after_s):
    out = tmp_path / "killed.mp4"
    written = record_and_kill(shared_data / BOTTLE, out, kill_after_s)
    # Every frame captured a second or more before the newest one written must have reached the file.
    required = sum(1 for t in written if t <= written[-1] - KEPT_ALL_BUT_S)
    assert required >= 10, f"the child wrote too little to test anything ({len(written)} frames)"
    with av.open(str(out)) as container:
        times = [frame.time for frame in container.decode(video=0)]
    assert len(times) >= required, (
        f"killed after {kill_after_s} s: {len(written)} frames written (last at {written[-1]:.2f} s), "
        f"{len(times)} decodable, {required} required")
    # ...and they are those frames, in order, with their capture times.
    assert times == pytest.approx([t - written[0] for t in written[: len(times)]], abs=0.002)


def test_slow_source_still_gets_a_keyframe_every_second(shared_data, tmp_path):
    """A style that delivers 10 fps on a 30 fps source: a frame-counted GOP alone would span 3 s."""
    out = tmp_path / "slow.mp4"
    with Mp4Writer(out, 640, 360, 30) as writer:
        for i, frame in enumerate(itertools.islice(iter_video_frames(shared_data / BOTTLE), 45)):
            writer.write(frame.pixels, i / 10)
    with av.open(str(out)) as container:
        keys = [float(p.pts * p.time_base) for p in container.demux(video=0) if p.is_keyframe]
    assert keys == pytest.approx([0.0, 1.0, 2.0, 3.0, 4.0])

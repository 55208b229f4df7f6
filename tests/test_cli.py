"""End-to-end checks of the command line on real clips and photos (the acceptance of the engine issue)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import av
import pytest

from vst_desktop.cli import main


def _run(args: list[str], env_home) -> subprocess.CompletedProcess:
    """The real console entry point in a child process: exit codes and stdout as a user sees them."""
    import os

    env = dict(os.environ, VST_DESKTOP_HOME=str(env_home))
    return subprocess.run([sys.executable, "-m", "vst_desktop", *args], capture_output=True, text=True,
                          env=env, timeout=600)


def _decode(path) -> tuple[int, float, str, str]:
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        n = sum(1 for _ in c.decode(s))
        return n, float(s.average_rate), s.codec_context.name, s.codec_context.format.name


def test_stylize_gif_keeps_every_frame_and_the_rate(shared_data, tmp_path, capsys):
    out = tmp_path / "face.mp4"
    src = shared_data / "video" / "head-pose-face-detection-male.gif"
    assert main(["stylize", str(src), "-o", str(out), "--style", "classic_film", "-q"]) == 0
    n, fps, codec, pix = _decode(out)
    with av.open(str(src)) as c:
        src_fps = float(c.streams.video[0].average_rate)
    assert n == 62
    assert codec == "h264" and pix == "yuv420p"
    assert abs(fps - src_fps) < 0.5


@pytest.mark.slow
def test_stylize_long_mp4_keeps_all_1189_frames(shared_data, tmp_path):
    out = tmp_path / "bottles.mp4"
    src = shared_data / "video" / "bottle-detection.mp4"
    assert main(["stylize", str(src), "-o", str(out), "--style", "bw_film", "--size", "320x176", "-q"]) == 0
    n, fps, codec, _ = _decode(out)
    assert n == 1189 and codec == "h264" and abs(fps - 30) < 0.5


def test_stylize_folder_writes_one_image_per_photo(shared_data, tmp_path):
    src = tmp_path / "photos"
    src.mkdir()
    for p in sorted((shared_data / "content" / "val").glob("*.png"))[:3]:
        shutil.copy(p, src / p.name)
    out = tmp_path / "styled"
    assert main(["stylize", str(src), "-o", str(out), "--style", "bw_film", "-q"]) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in src.iterdir())


def test_stylize_bad_input_exits_2_with_a_message(tmp_path, isolated_home):
    bad = tmp_path / "notes.mp4"
    bad.write_text("this is not a video")
    r = _run(["stylize", str(bad), "-o", str(tmp_path / "o.mp4"), "--style", "bw_film"], isolated_home)
    assert r.returncode == 2
    assert "error:" in r.stderr and "Traceback" not in r.stderr
    r = _run(["stylize", str(tmp_path / "missing.mp4"), "-o", str(tmp_path / "o.mp4"), "--style", "bw_film"],
             isolated_home)
    assert r.returncode == 2 and "does not exist" in r.stderr


def test_unknown_style_exits_2(shared_data, tmp_path, isolated_home):
    src = shared_data / "content" / "val" / "skimage_coffee.png"
    r = _run(["stylize", str(src), "-o", str(tmp_path / "o.png"), "--style", "no-such-style"], isolated_home)
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_doctor_json_reports_providers_and_cameras(isolated_home):
    r = _run(["doctor", "--json"], isolated_home)
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["providers"]["used"] == "CPUExecutionProvider"
    assert report["providers"]["requested"]
    assert report["providers"]["reason"]  # no GPU here: doctor must say why
    assert isinstance(report["cameras"], list)
    assert report["versions"]["onnxruntime-gpu"] or report["versions"]["onnxruntime"]


def test_bench_json_has_reference_and_per_style_numbers(isolated_home):
    r = _run(["bench", "--json", "--size", "320x180", "--seconds", "0.6"], isolated_home)
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout)
    assert res["reference_ms"] > 0
    ids = {row["id"] for row in res["styles"]}
    assert {"bw_film", "classic_film"} <= ids
    for row in res["styles"]:
        assert row["model_ms"] > 0 and row["e2e_fps"] > 0 and row["p95_latency_ms"] >= row["p50_latency_ms"]


def test_styles_list_json(isolated_home):
    r = _run(["styles", "list", "--json"], isolated_home)
    assert r.returncode == 0, r.stderr
    kinds = {s["id"]: s["kind"] for s in json.loads(r.stdout)["styles"]}
    assert kinds.get("bw_film") == "filter" and kinds.get("classic_film") == "filter"


def _clip_with_sound(src, dst, seconds: float = 2.0) -> None:
    """Real frames from a shared clip plus a 440 Hz AAC tone: a video with an audio track to keep."""
    import numpy as np

    with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
        vs = out.add_stream("libx264", rate=15)
        vs.width, vs.height, vs.pix_fmt = 480, 270, "yuv420p"
        aus = out.add_stream("aac", rate=44100)
        for i, frame in enumerate(inp.decode(video=0)):
            if i >= int(seconds * 15):
                break
            img = frame.to_ndarray(format="rgb24")[:270, :480]
            for p in vs.encode(av.VideoFrame.from_ndarray(np.ascontiguousarray(img), format="rgb24")):
                out.mux(p)
        for p in vs.encode(None):
            out.mux(p)
        t = np.arange(int(44100 * seconds)) / 44100
        tone = (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)[None, :]
        af = av.AudioFrame.from_ndarray(tone, format="fltp", layout="mono")
        af.sample_rate = 44100
        for p in aus.encode(af):
            out.mux(p)
        for p in aus.encode(None):
            out.mux(p)


def test_stylize_copies_the_audio_track(shared_data, tmp_path):
    src = tmp_path / "talk.mp4"
    _clip_with_sound(shared_data / "video" / "head-pose-face-detection-male.gif", src)
    out = tmp_path / "talk_styled.mp4"
    assert main(["stylize", str(src), "-o", str(out), "--style", "classic_film", "-q"]) == 0
    with av.open(str(out)) as c:
        assert len(c.streams.audio) == 1 and c.streams.audio[0].codec_context.name == "aac"
        assert len(c.streams.video) == 1
        assert c.duration and c.duration / 1e6 > 1.5
    assert not (tmp_path / "talk_styled.video-only.mp4").exists()


def test_train_without_the_training_extra_says_how_to_install(tmp_path, isolated_home, shared_data):
    """The live-only install (no torch): `train` with its usual options gets a message, not a usage error."""
    import os
    import textwrap

    blocker = tmp_path / "sitecustomize.py"
    blocker.write_text(textwrap.dedent("""
        import sys
        class _NoTorch:  # behaves like an environment without torch for `import torch`
            def find_spec(self, name, path=None, target=None):
                if name == "torch" or name.startswith("torch."):
                    raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        sys.meta_path.insert(0, _NoTorch())
    """))
    env = dict(os.environ, VST_DESKTOP_HOME=str(isolated_home), PYTHONPATH=str(tmp_path))
    r = subprocess.run([sys.executable, "-m", "vst_desktop", "train", "--styles", str(shared_data / "styles" / "munch_scream"),
                        "--iterations", "3", "--no-install"],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 2, r.stderr
    assert "not installed" in r.stderr and "pip install" in r.stderr and "Traceback" not in r.stderr
    r = subprocess.run([sys.executable, "-m", "vst_desktop", "doctor", "--bogus"], capture_output=True, text=True,
                       env=env, timeout=120)
    assert r.returncode == 2 and "unrecognized arguments" in r.stderr

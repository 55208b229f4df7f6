"""`stylize` and `bench` with careless input: never an overwritten original, never a traceback, exit 2.

Each case drives the real console entry point in a child process, as a person at a terminal meets it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import av
import pytest


def _run(args: list[str], home: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, VST_DESKTOP_HOME=str(home))
    return subprocess.run([sys.executable, "-m", "vst_desktop", *args], capture_output=True, text=True,
                          env=env, timeout=300)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _refused(r: subprocess.CompletedProcess, *words: str) -> None:
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert "Traceback" not in r.stderr and "Traceback" not in r.stdout
    for w in words:
        assert w in r.stderr, r.stderr


@pytest.fixture()
def clip(shared_data, tmp_path) -> Path:
    dst = tmp_path / "clip.mp4"
    shutil.copy(shared_data / "video" / "one-by-one-person-detection.mp4", dst)
    return dst


def test_output_equal_to_the_input_video_is_refused_and_the_clip_kept(clip, isolated_home):
    before = _digest(clip)
    spellings = [str(clip), str(clip.parent / "." / ".." / clip.parent.name / clip.name)]
    link = clip.parent / "same_clip.mp4"
    os.link(clip, link)  # another name for the same bytes
    spellings.append(str(link))
    for out in spellings:
        _refused(_run(["stylize", str(clip), "-o", out, "--style", "bw_film", "-q"], isolated_home),
                 "is the input itself")
        assert _digest(clip) == before


def test_output_that_would_be_renamed_onto_the_input_is_refused(clip, isolated_home):
    """Videos are written as MP4: `-o clip.mov` must not quietly become clip.mp4, the input."""
    before = _digest(clip)
    _refused(_run(["stylize", str(clip), "-o", str(clip.with_suffix(".mov")), "--style", "bw_film", "-q"],
                  isolated_home), "MP4")
    _refused(_run(["stylize", str(clip), "-o", str(clip.with_suffix("")), "--style", "bw_film", "-q"],
                  isolated_home), "is the input itself")
    assert _digest(clip) == before


def test_output_folder_equal_to_the_input_folder_is_refused(shared_data, tmp_path, isolated_home):
    photos = tmp_path / "photos"
    photos.mkdir()
    for p in sorted((shared_data / "content" / "val").glob("*.png"))[:2]:
        shutil.copy(p, photos / p.name)
    before = {p.name: _digest(p) for p in photos.iterdir()}
    alias = tmp_path / "alias"
    alias.symlink_to(photos, target_is_directory=True)
    for out in (photos, alias, tmp_path / "photos" / "."):
        _refused(_run(["stylize", str(photos), "-o", str(out), "--style", "bw_film", "-q"], isolated_home),
                 "overwrite your original")
        assert {p.name: _digest(p) for p in photos.iterdir()} == before


def test_an_image_onto_itself_is_refused(shared_data, tmp_path, isolated_home):
    img = tmp_path / "coffee.png"
    shutil.copy(shared_data / "content" / "val" / "skimage_coffee.png", img)
    before = _digest(img)
    _refused(_run(["stylize", str(img), "-o", str(img), "--style", "bw_film"], isolated_home), "input itself")
    assert _digest(img) == before


@pytest.mark.parametrize("size", ["abc", "0x0", "100000x100000", "640", "-640x360", "16x16"])
def test_bad_sizes_are_usage_errors(shared_data, tmp_path, isolated_home, size):
    src = shared_data / "content" / "val" / "skimage_coffee.png"
    _refused(_run(["stylize", str(src), "-o", str(tmp_path / "o.png"), "--style", "bw_film", "--size", size],
                  isolated_home), "--size")
    assert not (tmp_path / "o.png").exists()
    if size in ("abc", "100000x100000"):  # bench parses the same option
        _refused(_run(["bench", "--size", size, "--seconds", "0.1"], isolated_home), "--size")


@pytest.mark.parametrize("strength", ["-5", "nan", "inf", "1.5", "strong"])
def test_strength_outside_0_to_1_is_refused(shared_data, tmp_path, isolated_home, strength):
    src = shared_data / "content" / "val" / "skimage_coffee.png"
    _refused(_run(["stylize", str(src), "-o", str(tmp_path / "o.png"), "--style", "bw_film",
                   f"--strength={strength}"], isolated_home), "--strength")


def test_output_under_a_file_or_with_an_unknown_extension_is_refused(shared_data, tmp_path, isolated_home):
    src = shared_data / "content" / "val" / "skimage_coffee.png"
    a_file = tmp_path / "notes.txt"
    a_file.write_text("keep me")
    _refused(_run(["stylize", str(src), "-o", str(a_file / "x.png"), "--style", "bw_film"], isolated_home),
             "is a file")
    assert a_file.read_text() == "keep me"
    _refused(_run(["stylize", str(src), "-o", str(tmp_path / "x.xyz"), "--style", "bw_film"], isolated_home),
             ".xyz")
    assert not (tmp_path / "x.xyz").exists()


def test_a_folder_with_bad_files_stylizes_the_rest_and_lists_them(shared_data, tmp_path, isolated_home):
    photos = tmp_path / "photos"
    photos.mkdir()
    good = sorted((shared_data / "content" / "val").glob("*.png"))[:2]
    for p in good:
        shutil.copy(p, photos / p.name)
    (photos / "0_broken.png").write_bytes(b"\x89PNG not really")
    out = tmp_path / "styled"
    r = _run(["stylize", str(photos), "-o", str(out), "--style", "bw_film", "-q"], isolated_home)
    _refused(r, "0_broken.png", "skipped")
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in good)
    assert not [p for p in out.iterdir() if ".partial" in p.name]


def test_a_video_result_replaces_an_earlier_one_only_when_complete(shared_data, tmp_path, isolated_home):
    src = shared_data / "video" / "head-pose-face-detection-male.gif"
    out = tmp_path / "face.mp4"
    out.write_bytes(b"an earlier result")
    not_a_video = tmp_path / "broken.mp4"
    not_a_video.write_bytes(b"\x00" * 4096)
    _refused(_run(["stylize", str(not_a_video), "-o", str(out), "--style", "bw_film", "-q"], isolated_home))
    assert out.read_bytes() == b"an earlier result"
    r = _run(["stylize", str(src), "-o", str(out), "--style", "bw_film", "-q"], isolated_home)
    assert r.returncode == 0, r.stderr
    with av.open(str(out)) as c:
        assert sum(1 for _ in c.decode(video=0)) == 62
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_an_unexpected_error_is_one_line_with_the_traceback_in_the_log(tmp_path, isolated_home):
    """A bug (here: a doctor probe that raises) prints one line naming the log; the log holds the trace."""
    boot = tmp_path / "sitecustomize.py"
    boot.write_text("import vst_desktop.pipeline.doctor as d\n"
                    "def _boom():\n    raise RuntimeError('probe exploded')\n"
                    "d.collect = _boom\n")
    env = dict(os.environ, VST_DESKTOP_HOME=str(isolated_home), PYTHONPATH=str(tmp_path))
    r = subprocess.run([sys.executable, "-m", "vst_desktop", "doctor"], capture_output=True, text=True,
                       env=env, timeout=120)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "probe exploded" in lines[0] and "vst-desktop.log" in lines[0], r.stderr
    log_text = Path(lines[0].split("The details are in ")[1].split(";")[0]).read_text()
    assert "Traceback" in log_text and "RuntimeError: probe exploded" in log_text


def test_an_output_folder_for_one_file_takes_the_input_name_but_never_the_input(shared_data, tmp_path,
                                                                                 isolated_home):
    img = tmp_path / "coffee.png"
    shutil.copy(shared_data / "content" / "val" / "skimage_coffee.png", img)
    before = _digest(img)
    _refused(_run(["stylize", str(img), "-o", str(tmp_path), "--style", "bw_film"], isolated_home),
             "input itself")
    assert _digest(img) == before
    out_dir = tmp_path / "styled"
    out_dir.mkdir()
    r = _run(["stylize", str(img), "-o", str(out_dir), "--style", "bw_film"], isolated_home)
    assert r.returncode == 0, r.stderr
    assert [p.name for p in out_dir.iterdir()] == ["coffee.png"]


def test_an_unwritable_output_place_is_a_message(shared_data, isolated_home):
    src = shared_data / "content" / "val" / "skimage_coffee.png"
    _refused(_run(["stylize", str(src), "-o", "/proc/x.png", "--style", "bw_film"], isolated_home),
             "Cannot write")

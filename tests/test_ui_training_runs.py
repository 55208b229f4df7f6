"""The dialog's torch-free helpers: folder checks, run folders, JSON-lines following, the train command."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import cv2
import numpy as np

from vst_desktop.core.images import scan_image_folder, scan_training_folder, thumbnail_bgr
from vst_desktop.trainspec import runs
from vst_desktop.ui.training.estimate import SpeedMeasurement, format_duration, load_cached, store


def _write_image(path: Path, w: int, h: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    img = np.random.default_rng(0).integers(0, 255, (h, w, 3), dtype=np.uint8)
    cv2.imwrite(str(path), img)


def test_folder_scan_lists_usable_and_skipped_files(tmp_path, shared_data):
    folder = tmp_path / "style"
    _write_image(folder / "big.png", 200, 120)
    _write_image(folder / "tiny.png", 40, 30)
    (folder / "notes.txt").write_text("hello")
    (folder / "broken.jpg").write_bytes(b"not a jpeg")
    scan = scan_image_folder(folder)
    assert scan.ok and [p.name for p in scan.images] == ["big.png"]
    reasons = {p.name: why for p, why in scan.skipped}
    assert reasons["notes.txt"] == "not an image file"
    assert reasons["broken.jpg"] == "cannot be read as an image"
    assert reasons["tiny.png"].startswith("too small (40x30 px")
    munch = scan_training_folder(shared_data / "styles" / "munch_scream")
    assert munch.ok and len(munch.images) == 1 and thumbnail_bgr(munch.images[0], 72).shape == (72, 72, 3)


def test_folder_scan_problems_and_pairs(tmp_path):
    assert "does not exist" in scan_image_folder(tmp_path / "missing").problem
    (tmp_path / "empty").mkdir()
    assert "is empty" in scan_image_folder(tmp_path / "empty").problem
    _write_image(tmp_path / "small" / "a.png", 20, 20)
    small = scan_image_folder(tmp_path / "small")
    assert not small.ok and "holds no usable images" in small.problem and "64x64" in small.hint
    _write_image(tmp_path / "pairs" / "input" / "x.png", 100, 80)
    _write_image(tmp_path / "pairs" / "target" / "x.png", 100, 80)
    _write_image(tmp_path / "pairs" / "input" / "y.png", 100, 80)
    pairs = scan_training_folder(tmp_path / "pairs")
    assert pairs.paired and pairs.ok and [p.name for p in pairs.images] == ["x.png"]
    assert ("y.png", "no target image with the same name") in [(p.name, w) for p, w in pairs.skipped]


def test_follower_reads_only_complete_lines(tmp_path):
    path = tmp_path / "out.jsonl"
    path.write_bytes(b'{"event": "start", "total": 5}\n{"event": "prog')
    f = runs.JsonLinesFollower(path)
    assert f.read_events() == [{"event": "start", "total": 5}]
    with open(path, "ab") as fh:
        fh.write(b'ress", "step": 1}\nnot json\n')
    assert f.read_events() == [{"event": "progress", "step": 1}]
    assert f.read_events() == []


def test_train_arguments_and_program():
    args = runs.train_arguments(styles="/s", preset="balanced", name="My look", out=Path("/r"), iterations=50,
                                device="cpu", overrides={"w_temporal": 5.0, "crop_size": "64"})
    assert args == ["--styles", "/s", "--preset", "balanced", "--name", "My look", "--out", "/r",
                    "--set", "w_temporal=5.0", "--set", "crop_size=64", "--iterations", "50", "--device", "cpu",
                    "--progress", "jsonl"]
    assert runs.train_arguments(resume=Path("/r")) == ["--resume", "/r", "--progress", "jsonl"]
    program, base = runs.train_program()
    assert program == sys.executable and base == ["-m", "vst_desktop", "train"]
    prog, wrapped = runs.posix_wrapper(Path("/r/train.pid"), program, base)
    assert prog == "/bin/sh" and wrapped[2] == "/r/train.pid" and wrapped[-3:] == base


def test_run_listing_tells_unfinished_from_finished(tmp_path):
    root = tmp_path / "runs"
    a, b, c = root / "a", root / "b", root / "c"
    for d, name in ((a, "Alpha"), (b, "Beta"), (c, "Gamma")):
        d.mkdir(parents=True)
        (d / "config.json").write_text(json.dumps({"name": name, "iterations": 100, "preset": "quick"}))
    (a / "log.jsonl").write_text('{"event": "progress", "step": 30}\n{"event": "checkpoint", "step": 25}\n')
    (b / "log.jsonl").write_text('{"event": "progress", "step": 10}\n')  # no checkpoint: nothing to resume
    (c / "package").mkdir()
    (c / "package" / "gamma.json").write_text('{"id": "gamma"}')
    (c / "package" / "gamma.onnx").write_bytes(b"x")
    infos = {r.name: r for r in runs.list_runs(root)}
    assert infos["Alpha"].resumable and infos["Alpha"].checkpoint_step == 25 and infos["Alpha"].step == 30
    assert not infos["Beta"].resumable and infos["Gamma"].finished
    assert [r.name for r in runs.unfinished_runs(root)] == ["Alpha"]
    assert "stopped at step 25 of 100" in infos["Alpha"].describe()
    assert runs.new_run_dir("My Look!", root).name.startswith("my-look-")


def test_pid_alive():
    assert runs.pid_alive(os.getpid(), expect_in_cmdline="")
    assert not runs.pid_alive(None) and not runs.pid_alive(2**22 + 12345)


def test_duration_and_speed_cache():
    assert format_duration(20) == "under a minute"
    assert format_duration(25 * 60) == "about 25 min"
    assert format_duration(100 * 60) == "about 1 h 40 min"
    m = SpeedMeasurement("quick", "cpu", 0.5, 10.0, 3000, measured_at=__import__("time").time())
    assert abs(m.total_seconds() - (10 + 3000 * 0.5 * 1.02 + 30)) < 1e-6
    store(m, "cpu")
    assert load_cached("quick", "cpu") == m and load_cached("quick", "cuda") is None

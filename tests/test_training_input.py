"""`vst-desktop train` with careless or hostile input: a message and exit 2, an `error` event with --progress
jsonl, no traceback, no half-made run folder."""

from __future__ import annotations

import argparse
import json
import os

import pytest
import torch

from vst_desktop.cli import main
from vst_desktop.core import paths
from vst_desktop.trainspec.config import FIELD_KINDS, RANGES, TrainConfig, parse_setting
from vst_desktop.trainspec.presets import PRESETS, make_config

pytestmark = pytest.mark.usefixtures("one_torch_thread")

# Bounds any run these tests could start (today's code trains with some of the bad values): seconds, not minutes.
SMALL = ["--iterations", "2", "--no-install", "--no-evaluate", "--device", "cpu", "--set", "crop_size=48",
         "--set", "batch_size=2", "--set", "max_image_side=160", "--set", "threads=1", "--set", "marks=strokes",
         "--set", "val_photos=2"]


def _train(capsys, *args: str) -> tuple[int, str, list[dict]]:
    rc = main(["train", *args, "--progress", "jsonl"])
    out, err = capsys.readouterr()
    events = [json.loads(line) for line in out.splitlines() if line.strip()]
    return rc, err, events


def _assert_refused(rc: int, err: str, events: list[dict], *words: str) -> None:
    assert rc == 2, err
    assert "Traceback" not in err
    assert events and events[-1]["event"] == "error", events
    said = events[-1]["message"] + " " + events[-1].get("hint", "")
    for word in words:
        assert word in err and word in said, (word, err)


# ---- case 8: --resume with a checkpoint that is not ours ----

class _Hostile:
    """Unpickling this would run os.mkdir: what a checkpoint from the internet could do."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return os.mkdir, (self.marker,)


def _write_checkpoint(run, what, tmp_path) -> None:
    path = run / "checkpoints" / "latest.pt"
    path.parent.mkdir(parents=True)
    if what == "hostile pickle":
        torch.save({"format": 1, "payload": _Hostile(str(tmp_path / "code-ran"))}, path)
    elif what == "pickled object":
        torch.save(argparse.Namespace(format=1), path)
    elif what == "random bytes":
        path.write_bytes(bytes(range(256)) * 8)
    elif what == "text":
        path.write_text("hello")
    elif what == "empty":
        path.write_bytes(b"")
    elif what == "a list":
        torch.save([1, 2, 3], path)
    elif what == "a tensor":
        torch.save(torch.zeros(3), path)
    elif what == "dict without format":
        torch.save({"weights": torch.zeros(3)}, path)
    elif what == "format without the rest":
        torch.save({"format": 1, "config": "x"}, path)


@pytest.mark.parametrize("what", ["hostile pickle", "pickled object", "random bytes", "text", "empty", "a list",
                                  "a tensor", "dict without format", "format without the rest"])
def test_resume_from_a_file_that_is_not_a_checkpoint(capsys, tmp_path, what):
    run = tmp_path / "run"
    _write_checkpoint(run, what, tmp_path)
    rc, err, events = _train(capsys, "--resume", str(run))
    _assert_refused(rc, err, events, "is not a vst-desktop checkpoint", str(run / "checkpoints" / "latest.pt"))
    assert "weights_only" not in err + json.dumps(events)  # torch's advice to load it unsafely is never shown
    assert not (tmp_path / "code-ran").exists()
    logs = "".join(p.read_text(errors="replace") for p in paths.log_dir().glob("*") if p.is_file())
    assert "weights_only" not in logs and "Traceback" not in logs
    assert sorted(p.name for p in run.rglob("*")) == ["checkpoints", "latest.pt"]  # nothing written or removed


def test_an_unexpected_error_during_a_run_still_ends_with_an_error_event(capsys, tmp_path, shared_data):
    """A checkpoint of the right shape whose weights fit no network: training fails inside torch, which is
    not a message we wrote; the jsonl reader must still learn that the run ended."""
    run = tmp_path / "run"
    config = make_config("quick", styles_dir=str(shared_data / "styles" / "van_gogh"), iterations=2, batch_size=2,
                         crop_size=48, max_image_side=160, val_photos=2, threads=1, marks="strokes", device="cpu")
    (run / "checkpoints").mkdir(parents=True)
    torch.save({"format": 1, "step": 0, "config": config.to_dict(), "G": {}, "EMA": {},
                "gen_step": {"not_a_layer": torch.zeros(1)}, "D": {}, "opt_g": {}, "opt_d": {}, "rng": {}},
               run / "checkpoints" / "latest.pt")
    rc, err, events = _train(capsys, "--resume", str(run))
    assert rc == 1 and "Traceback" not in err
    assert events[-1]["event"] == "error" and events[-1]["kind"] == "unexpected", events
    assert str(paths.log_dir()) in events[-1]["hint"]
    logged = [json.loads(line) for line in (run / "log.jsonl").read_text().splitlines()]
    assert logged[-1] == events[-1]  # a GUI that reattaches to the run folder reads how it ended


# ---- case 9: --set values checked before any work ----

@pytest.mark.parametrize(("args", "words"), [
    (["--set", "crop_size=abc"], ["crop_size must be a whole number", "--set 'crop_size=abc'"]),
    (["--set", "batch_size=0"], ["batch_size=0 is out of range", "from 1 to"]),
    (["--set", "crop_size=50"], ["multiple of 4"]),
    (["--set", "w_temporal=-1"], ["w_temporal=-1.0 is out of range"]),
    (["--set", "lr_g=NaN"], ["lr_g=nan is out of range"]),
    (["--set", "diffaug_cutout=1.5"], ["diffaug_cutout=1.5 is out of range", "from 0 to 1"]),
    (["--set", "betas=[0.5]"], ["betas must be two numbers"]),
    (["--set", "scale_jitter=[1.0, 0.5]"], ["the first number must not be larger"]),
    (["--set", "paired=maybe"], ["paired must be true or false"]),
    (["--set", "generator=huge"], ["generator='huge' is not one of", "painter"]),
    (["--set", "sample_every=0"], ["sample_every=0 is out of range"]),
    (["--set", "crop=128"], ["no training setting named 'crop'", "Did you mean crop_size?"]),
    (["--set", "w_temporl=5"], ["Did you mean w_temporal"]),
    (["--set", "crop_size"], ["is not KEY=VALUE"]),
    (["--iterations", "abc"], ["--iterations 'abc'", "iterations must be a whole number"]),
    (["--iterations", "0"], ["iterations=0 is out of range"]),
    (["--seed", "-1"], ["seed=-1 is out of range"]),
    (["--name", "x" * 81], ["name must be plain text of at most 80 characters"]),
    (["--set", "name=Sun\u202eset"], ["name must be plain text"]),
])
def test_bad_settings_are_refused_before_any_work(capsys, tmp_path, shared_data, args, words):
    run = tmp_path / "run"
    rc, err, events = _train(capsys, "--styles", str(shared_data / "styles" / "van_gogh"), "--out", str(run),
                             *SMALL, *args)
    _assert_refused(rc, err, events, *words)
    assert [e["event"] for e in events] == ["error"]  # refused before any work: nothing else happened
    assert not run.exists()
    assert list(paths.runs_dir().iterdir()) == []


def test_bad_settings_are_refused_on_resume_too(capsys, tmp_path):
    rc, err, events = _train(capsys, "--resume", str(tmp_path / "no-such-run"), "--set", "batch_size=abc")
    _assert_refused(rc, err, events, "batch_size must be a whole number")


def test_good_settings_are_read_for_their_field_type():
    assert parse_setting("crop_size=128") == ("crop_size", 128)
    assert parse_setting("crop_size=128.0") == ("crop_size", 128)
    assert parse_setting("w_temporal=5") == ("w_temporal", 5.0)
    assert parse_setting("name=2024") == ("name", "2024")  # text stays text
    assert parse_setting('name="My style"') == ("name", "My style")
    assert parse_setting("paired=True") == ("paired", True)
    assert parse_setting("stroke_direction=null") == ("stroke_direction", None)
    assert parse_setting("scale_jitter=[0.5, 1]") == ("scale_jitter", [0.5, 1.0])


def test_every_field_has_a_known_type_and_every_number_a_range():
    for name, kind in FIELD_KINDS.items():
        assert kind in ("str", "bool", "int", "float", "float | None", "list[float]"), (name, kind)
        if kind not in ("str", "bool"):
            assert name in RANGES, name
    for preset in PRESETS:  # the values the app ships pass its own checks
        for changes in ({}, {"recipe": "gan"}, {"paired": True}):
            make_config(preset, **changes).check()
    TrainConfig().check()


def test_set_name_trains_and_resume_takes_only_the_allowed_changes(capsys, tmp_path, shared_data):
    run = tmp_path / "run"
    rc, err, events = _train(capsys, "--styles", str(shared_data / "styles" / "van_gogh"), "--out", str(run), *SMALL,
                             "--iterations", "1", "--set", "name=2024")  # text stays text, and no clash with --name
    assert rc == 0, err
    assert events[0]["name"] == "2024" and events[-1]["event"] == "done"
    rc, err, events = _train(capsys, "--resume", str(run), "--set", "crop_size=64")
    _assert_refused(rc, err, events, "Cannot resume with different settings: crop_size")


def test_a_long_or_odd_folder_name_gives_a_name_the_package_accepts(tmp_path):
    from vst_desktop.trainspec.config import default_name

    folder = tmp_path / ("very_long-" * 12 + "\x07bell")
    name = default_name(str(folder))
    assert len(name) <= 80 and name.startswith("Very Long") and "\x07" not in name
    assert default_name(str(tmp_path / "ukiyo_e")) == "Ukiyo E"

"""The training loop on real style and content images: run folder, exact resume, NaN stop, Ctrl-C, collapse."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from vst_desktop.core.errors import TrainingError
from vst_desktop.training import checkpoint as ckpt
from vst_desktop.training import losses
from vst_desktop.training.progress import BarReporter, JsonLinesReporter
from vst_desktop.training.run import train
from vst_desktop.trainspec.config import TrainConfig
from vst_desktop.trainspec.presets import make_config


def tiny_config(shared_data, **changes) -> TrainConfig:
    """Real images, tiny crops and few steps: seconds on 2 cores."""
    values = dict(styles_dir=str(shared_data / "styles" / "van_gogh"), iterations=6, batch_size=2, crop_size=48,
                  max_image_side=160, val_photos=3, sample_every=3, checkpoint_every=3, log_every=1, threads=1,
                  marks="strokes")  # "auto" trains the folder's style critic first (test_training_marks.py)
    values.update(changes)
    return make_config("quick", **values)


class Recorder:
    def __init__(self, stop_at: int | None = None) -> None:
        self.events: list[dict] = []
        self.stop_at = stop_at

    def __call__(self, event: dict) -> None:
        self.events.append(event)
        if self.stop_at is not None and event["event"] == "progress" and event["step"] == self.stop_at:
            raise KeyboardInterrupt  # as if Ctrl-C arrived right after this step

    def kinds(self) -> list[str]:
        return [e["event"] for e in self.events]


RECIPE_TERMS = {
    "painted": {"temporal", "paired_l1", "highpass"},  # the stroke teacher's targets, no discriminator
    "gan": {"d", "adv", "nce", "lowfreq", "identity", "tv", "temporal"},
}


@pytest.mark.parametrize("recipe", list(RECIPE_TERMS))
def test_a_few_steps_make_a_complete_run_folder(tmp_path, shared_data, recipe):
    rec = Recorder()
    result = train(tiny_config(shared_data, recipe=recipe), tmp_path / "run", progress=rec)
    run = tmp_path / "run"
    assert result.status == "done" and result.step == 6
    assert TrainConfig.load(run / "config.json") == tiny_config(shared_data, recipe=recipe)
    assert sorted(p.name for p in (run / "samples").iterdir()) == [
        "step_000000.png", "step_000003.png", "step_000006.png"]
    log = [json.loads(line) for line in (run / "log.jsonl").read_text().splitlines()]
    progress = [e for e in log if e["event"] == "progress"]
    assert [e["step"] for e in progress] == [1, 2, 3, 4, 5, 6]
    assert {"step", "total", "losses", "it_per_s", "eta_s"} <= set(progress[-1])
    assert set(progress[-1]["losses"]) == RECIPE_TERMS[recipe] | {"g_total"}
    assert rec.kinds()[0] == "start" and "checkpoint" in rec.kinds()
    state = ckpt.load(run / "checkpoints" / "latest.pt")  # weights_only=True
    assert state["step"] == 6 and state["config"]["iterations"] == 6
    assert not (run / "checkpoints" / "latest.pt.tmp").exists()
    # the generator moved away from the identity it started at
    assert any(v.abs().sum() > 0 for k, v in state["G"].items() if k.startswith("head"))
    if recipe == "painted":  # the colour stage holds the fitted palette transform, not the identity
        assert not torch.allclose(state["G"]["colour.matrix"], torch.eye(3))


def _assert_same_state(a: dict, b: dict) -> None:
    for key in ("G", "EMA", "D", "gen_step"):
        for name, tensor in a[key].items():
            assert torch.equal(tensor, b[key][name]), f"{key}.{name} differs"
    for key in ("opt_g", "opt_d"):
        for pid, st in a[key]["state"].items():
            for name, tensor in st.items():
                assert torch.equal(tensor, b[key]["state"][pid][name]), f"{key}[{pid}].{name} differs"


def test_resume_continues_exactly(tmp_path, shared_data):
    cfg = tiny_config(shared_data, sample_every=100, checkpoint_every=100)
    straight = train(cfg, tmp_path / "straight")
    rec = Recorder(stop_at=3)
    first = train(cfg, tmp_path / "split", progress=rec)
    assert first.status == "interrupted" and first.step == 3
    assert ckpt.load(first.checkpoint)["step"] == 3
    second = train(None, tmp_path / "split", resume=tmp_path / "split")
    assert second.status == "done" and second.step == straight.step == 6
    _assert_same_state(ckpt.load(straight.checkpoint), ckpt.load(second.checkpoint))


def test_resume_refuses_other_settings(tmp_path, shared_data):
    cfg = tiny_config(shared_data, iterations=1)
    train(cfg, tmp_path / "run")
    with pytest.raises(TrainingError, match="crop_size"):
        train(cfg.replace(crop_size=64), tmp_path / "run", resume=tmp_path / "run")
    more = train(cfg.replace(iterations=2), tmp_path / "run", resume=tmp_path / "run")  # iterations may change
    assert more.step == 2


def test_nan_loss_stops_and_keeps_the_last_good_checkpoint(tmp_path, shared_data, monkeypatch):
    calls = {"n": 0}
    real_term = losses.GENERATOR_TERMS["temporal"]

    def term_then_nan(t, s):
        calls["n"] += 1
        value = real_term(t, s)
        return value * float("nan") if calls["n"] > 4 else value

    monkeypatch.setitem(losses.GENERATOR_TERMS, "temporal", term_then_nan)
    with pytest.raises(TrainingError, match="diverged at step 5") as e:
        train(tiny_config(shared_data), tmp_path / "run")
    assert "last good checkpoint" in e.value.hint
    state = ckpt.load(tmp_path / "run" / "checkpoints" / "latest.pt")
    assert state["step"] == 3
    assert all(torch.isfinite(v).all() for v in state["G"].values())


def test_interrupt_saves_a_checkpoint_at_the_step_reached(tmp_path, shared_data):
    cfg = tiny_config(shared_data, checkpoint_every=100)
    result = train(cfg, tmp_path / "run", progress=Recorder(stop_at=2))
    assert result.status == "interrupted"
    assert ckpt.load(result.checkpoint)["step"] == 2


def test_stop_request_between_steps(tmp_path, shared_data):
    """What Ctrl-C / SIGTERM do: the handler sets a flag; the loop stops after the current step."""
    from vst_desktop.training import run as run_module

    seen = []

    class StopAfterTwo(run_module.Trainer):
        def train_step(self):
            parts = super().train_step()
            seen.append(self.step)
            if self.step == 2:
                self.stop_requested = True
            return parts

    original = run_module.Trainer
    run_module.Trainer = StopAfterTwo
    try:
        result = train(tiny_config(shared_data), tmp_path / "run")
    finally:
        run_module.Trainer = original
    assert result.status == "interrupted" and seen == [1, 2]
    assert ckpt.load(result.checkpoint)["step"] == 2


def test_collapse_warning(tmp_path, shared_data):
    from vst_desktop.training.data import load_training_data
    from vst_desktop.training.loop import DistInfo, Trainer
    from vst_desktop.training.progress import collapse_score

    cfg = tiny_config(shared_data)
    data = load_training_data(cfg.styles_dir, "", False, 48, (0.5, 1.0), 160, 3)
    rec = Recorder()
    trainer = Trainer(cfg, data, torch.device("cpu"), DistInfo(), tmp_path, rec)
    trainer.write_sample()
    assert "warning" not in rec.kinds()  # the identity keeps photos apart

    class Constant(torch.nn.Module):
        def forward(self, x):
            return torch.full_like(x, 0.5) + 0.001 * x

    trainer.ema = Constant()
    trainer.write_sample()
    warnings = [e for e in rec.events if e["event"] == "warning"]
    assert warnings and warnings[0]["kind"] == "collapse"
    photos = data.val_inputs
    assert collapse_score(photos, photos) == pytest.approx(1.0)
    assert collapse_score(photos, np.repeat(photos[:1], len(photos), axis=0)) < 1e-6


def test_ctrl_c_on_the_command_saves_and_exits_130(tmp_path, shared_data, isolated_home):
    """A real SIGINT to `python -m vst_desktop.training.entry`: checkpoint saved, `done` interrupted."""
    run = tmp_path / "run"
    cmd = [sys.executable, "-m", "vst_desktop.training.entry", "--styles", str(shared_data / "styles" / "monet"),
           "--out", str(run), "--iterations", "100000", "--progress", "jsonl", "--no-install", "--no-evaluate",
           "--set", "crop_size=48", "--set", "batch_size=2", "--set", "max_image_side=160", "--set", "threads=1",
           "--set", "log_every=1", "--set", "marks=strokes"]
    env = {**os.environ, "VST_DESKTOP_HOME": str(isolated_home)}
    proc = subprocess.Popen(cmd, cwd=Path(__file__).resolve().parents[1], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    try:
        for line in proc.stdout:
            if json.loads(line)["event"] == "progress":
                break
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 130, err[-2000:]
    done = json.loads(out.splitlines()[-1])
    assert done["event"] == "done" and done["status"] == "interrupted"
    assert ckpt.load(run / "checkpoints" / "latest.pt")["step"] == done["step"] >= 1


def test_reporters_write_json_lines_and_a_bar():
    events = [{"event": "start", "step": 0, "total": 4, "preset": "quick", "device": "cpu", "name": "x",
               "style_images": 3},
              {"event": "progress", "step": 2, "total": 4, "losses": {"adv": 0.5}, "it_per_s": 1.0, "eta_s": 2.0},
              {"event": "warning", "kind": "collapse", "message": "outputs look the same"},
              {"event": "done", "status": "done", "step": 4, "seconds": 3.0}]
    out, err = io.StringIO(), io.StringIO()
    jsonl = JsonLinesReporter(out, err)
    for e in events:
        jsonl(e)
    assert [json.loads(line) for line in out.getvalue().splitlines()] == events
    assert "warning: outputs look the same" in err.getvalue()
    bar_err = io.StringIO()
    bar = BarReporter(bar_err)
    for e in events:
        bar(e)
    text = bar_err.getvalue()
    assert "2/4" in text and "warning: outputs look the same" in text and "done (done)" in text

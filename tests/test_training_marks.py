"""`marks="auto"`: the folder's style critic chooses the stroke teacher's marks before step 0, on real
folders where the default strokes fail (Monet's horizontal dabs, Udnie's flat planes)."""

from __future__ import annotations

import json

import pytest

from vst_desktop.core.errors import TrainingError
from vst_desktop.training.config import TrainConfig
from vst_desktop.training.data import load_training_data
from vst_desktop.training.presets import make_config
from vst_desktop.training.run import train
from vst_desktop.training.texture.marks import FAMILIES, choose_marks, teacher_settings

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_each_family_is_a_different_teacher_and_brush_strength_scales_the_dabs():
    cfg = make_config("quick")
    assert cfg.marks == "auto"
    settings = {f: teacher_settings(cfg.replace(marks=f)) for f in FAMILIES}
    assert settings["strokes"]["amp"] == cfg.stroke_amp and settings["strokes"]["direction"] is None
    assert settings["dabs"]["direction"] == 0.0 and settings["dabs"]["lines"] == 0.0
    assert settings["planes"]["amp"] == 0.0 and settings["planes"]["passes"] == 2
    bolder = teacher_settings(cfg.replace(marks="dabs", stroke_amp=2 * cfg.stroke_amp))
    assert bolder["amp"] == pytest.approx(2 * settings["dabs"]["amp"])


def test_the_critic_picks_horizontal_dabs_for_monet(shared_data):
    cfg = make_config("quick", styles_dir=str(shared_data / "styles" / "monet"))
    data = load_training_data(cfg.styles_dir, "", False, 64, (0.5, 1.0), 512, 2, content_pixel_scale=True)
    choice = choose_marks(cfg, data.style.images, data.content.images)
    assert set(choice.scores) == set(FAMILIES)
    assert choice.family == "dabs", choice.scores
    # the default strokes would not reach half of the way to Monet's own paintings
    assert choice.scores["dabs"]["texture_gain"] > choice.scores["strokes"]["texture_gain"] + 0.2


def test_a_run_records_its_choice_and_resumes_with_it(tmp_path, shared_data):
    cfg = make_config("quick", styles_dir=str(shared_data / "styles" / "picabia_udnie"), iterations=2,
                      batch_size=2, crop_size=48, max_image_side=256, val_photos=2, sample_every=100,
                      checkpoint_every=100, threads=1)
    events = []
    result = train(cfg, tmp_path / "run", progress=events.append)
    assert result.status == "done"
    marks = [e for e in events if e["event"] == "marks"]
    assert len(marks) == 1 and marks[0]["chosen"] == "planes", marks  # flat planes, not strokes
    assert marks[0]["scores"]["planes"]["texture_gain"] > 0.5 > marks[0]["scores"]["strokes"]["texture_gain"]
    assert TrainConfig.load(tmp_path / "run" / "config.json").marks == "planes"
    log = [json.loads(line) for line in (tmp_path / "run" / "log.jsonl").read_text().splitlines()]
    assert any(e["event"] == "marks" for e in log)
    # resuming with the preset's "auto" keeps the recorded choice and does not choose again
    events.clear()
    more = train(cfg.replace(iterations=3), tmp_path / "run", resume=tmp_path / "run", progress=events.append)
    assert more.step == 3 and more.config.marks == "planes"
    assert not any(e["event"] == "marks" for e in events)


def test_an_unknown_family_is_a_clear_error(tmp_path, shared_data):
    cfg = make_config("quick", styles_dir=str(shared_data / "styles" / "monet"), marks="sponge", iterations=1)
    with pytest.raises(TrainingError, match="Unknown marks 'sponge'"):
        train(cfg, tmp_path / "run")

"""`marks="auto"`: the folder's style critic chooses the stroke teacher's marks before step 0, on real
folders where the default strokes fail (Monet's horizontal dabs, Udnie's flat planes)."""

from __future__ import annotations

import json

import pytest

from vst_desktop.core.errors import TrainingError
from vst_desktop.training.data import load_training_data
from vst_desktop.training.run import train
from vst_desktop.training.texture.marks import (
    AUTO_FAMILIES,
    FAMILIES,
    choose_marks,
    pick_family,
    teacher_settings,
)
from vst_desktop.trainspec.config import MARK_FAMILIES, TrainConfig
from vst_desktop.trainspec.presets import make_config

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_every_family_the_config_accepts_has_a_teacher():
    assert FAMILIES == MARK_FAMILIES


def test_each_family_is_a_different_teacher_and_brush_strength_scales_the_dabs():
    cfg = make_config("quick")
    assert cfg.marks == "auto"
    settings = {f: teacher_settings(cfg.replace(marks=f)) for f in AUTO_FAMILIES}
    assert settings["strokes"]["amp"] == cfg.stroke_amp and settings["strokes"]["direction"] is None
    assert settings["dabs"]["direction"] == 0.0 and settings["dabs"]["lines"] == 0.0
    assert settings["planes"]["amp"] == 0.0 and settings["planes"]["passes"] >= 2
    bolder = teacher_settings(cfg.replace(marks="dabs", stroke_amp=2 * cfg.stroke_amp))
    assert bolder["amp"] == pytest.approx(2 * settings["dabs"]["amp"])


def test_a_family_replaces_the_default_strokes_only_when_clearly_better():
    """The decision on scores measured by `choose_marks` (research/experiments/marks_choice.py): Monet's dabs and
    The Scream's dabs win by 0.49 and 0.15; Stained Glass's planes by 0.03 on a one-image critic, which is
    noise (its planes student then scored 0.05 against the strokes student's 0.25)."""
    def scores(strokes, dabs, planes, ssim=0.6):
        return {f: {"texture_gain": tg, "content_edge_ssim": ssim}
                for f, tg in zip(AUTO_FAMILIES, (strokes, dabs, planes), strict=True)}

    assert pick_family(scores(0.28, 0.77, -0.02)).family == "dabs"  # monet
    assert pick_family(scores(0.127, 0.28, -0.084)).family == "dabs"  # munch_scream
    assert pick_family(scores(-0.24, -0.198, 0.578)).family == "planes"  # picabia_udnie
    kept = pick_family(scores(0.086, 0.054, 0.119))  # stained_glass_mosaic
    assert kept.family == "strokes" and "default strokes" in kept.why
    unreadable = scores(0.9, 0.5, 0.1)
    unreadable["strokes"]["content_edge_ssim"] = 0.3  # strokes would lose the picture: the best readable one
    assert pick_family(unreadable).family == "dabs"


def test_the_critic_picks_horizontal_dabs_for_monet(shared_data):
    cfg = make_config("quick", styles_dir=str(shared_data / "styles" / "monet"))
    data = load_training_data(cfg.styles_dir, "", False, 64, (0.5, 1.0), 512, 2, content_pixel_scale=True)
    choice = choose_marks(cfg, data.style.images, data.content.images)
    assert set(choice.scores) == set(AUTO_FAMILIES)
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

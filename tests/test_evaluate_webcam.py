"""`evaluate` reports the webcam set (a person before a plain background) apart from the detailed photos,
identification beside the critic on both, and a null texture_gain when the critic's ceiling is unreliable."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from vst_desktop.evaluation import known_cases
from vst_desktop.evaluation.identify import PHOTO, IdentifyConfig, train_identifiers
from vst_desktop.evaluation.media import image_files, read_image
from vst_desktop.evaluation.run import evaluate_style, format_table, set_metrics
from vst_desktop.evaluation.style_critic import train_critic, working_image
from vst_desktop.evaluation.style_score import texture_gain
from vst_desktop.evaluation.webcam import PLAIN_PORTRAITS, split_photos, webcam_clips

FOLDERS = ("van_gogh", "ukiyo_e", "munch_scream")  # as test_identify.py: the same cached tiny classifier
TINY = IdentifyConfig(reps=1, max_photo_patches=600, photo_limit=20)


@pytest.fixture(scope="module")
def tiny(shared_data, tmp_path_factory):
    return train_identifiers([shared_data / "styles" / f for f in FOLDERS], shared_data / "content" / "train",
                             TINY, cache_dir=tmp_path_factory.getbasetemp() / "identify-cache")


@pytest.fixture(scope="module")
def scream_critic(shared_data, tmp_path_factory):
    return train_critic(shared_data / "styles" / "munch_scream", shared_data / "content" / "train",
                        max_photo_patches=500, photo_limit=20, cache_dir=tmp_path_factory.mktemp("critic"))


def test_the_webcam_set_is_the_face_clip_the_demo_clip_and_the_plain_portraits(shared_data):
    names = {c.name for c in webcam_clips()}
    assert names == {"head-pose-face-detection-male.gif", "demo.mp4"}
    detailed, portraits = split_photos(shared_data / "content" / "val")
    assert sorted(p.name for p in portraits) == sorted(PLAIN_PORTRAITS)  # every named portrait is there
    assert not {p.name for p in detailed} & set(PLAIN_PORTRAITS)


def test_evaluate_reports_both_sets_with_identification(shared_data, tiny, scream_critic):
    result = evaluate_style(known_cases.identity(), style_folder=shared_data / "styles" / "munch_scream",
                            videos=[shared_data / "video" / "classroom.gif"],
                            photos_dir=shared_data / "content" / "val", critic=scream_critic, identifiers=tiny,
                            max_frames=4, photo_limit=2, timing=False, webcam_frames=2)
    web = result["webcam"]
    assert web["inputs"]["count"] == 2 + 2 + len(PLAIN_PORTRAITS)
    assert set(web["ewarp_per_clip_raw"]) == {"head-pose-face-detection-male.gif", "demo.mp4"}
    assert all(v == pytest.approx(1.0, abs=1e-6) for v in web["ewarp_per_clip_raw"].values())  # the identity
    for r in (result, web):
        assert r["content_edge_ssim"] == pytest.approx(1.0, abs=1e-6)
        assert r["texture_gain"] == 0.0
        for mode in ("grey", "colour"):
            ident = r["identification"][mode]
            assert ident["top1"] == PHOTO  # the photos themselves are photos
            assert 0.0 <= ident["p_own"] < ident["ceiling_p_own"]
    table = format_table(result)
    assert "webcam set" in table and table.count("identify grey") == 2 and table.count("identify colour") == 2
    json.dumps(result, allow_nan=False)  # what --json prints: no NaN anywhere


def test_an_unreliable_ceiling_gives_a_null_texture_gain_with_the_reason(shared_data, scream_critic):
    # Inputs the critic rates as painted as the held-out quadrants (the painting itself): the ceiling is not
    # above them, and a gain would be noise divided by almost nothing (ink-sketch once printed 9.78).
    painting = [working_image(read_image(p)) for p in image_files(shared_data / "styles" / "munch_scream")]
    raw = texture_gain(scream_critic, painting, painting)
    assert not raw["reliable"] and np.isnan(raw["texture_gain"]) and "unreliable" in raw["reason"]
    r = set_metrics(painting, painting, scream_critic, painting, None, None)
    assert r["texture_gain"] is None and "unreliable" in r["texture"]["reason"]
    assert "n/a   (unreliable" in format_table({**r, "photos": {"count": 1}})


def test_a_barely_separated_ceiling_is_null_and_a_clear_one_is_a_number(scream_critic, shared_data):
    photos = [working_image(read_image(p)) for p in image_files(shared_data / "content" / "val")[:3]]
    p_photo = float(np.mean(scream_critic.fold_probas(photos)))
    barely = dataclasses.replace(scream_critic, heldout_proba=[p_photo + 0.02] * len(scream_critic.folds))
    assert np.isnan(texture_gain(barely, photos, photos)["texture_gain"])
    clear = dataclasses.replace(scream_critic, heldout_proba=[p_photo + 0.3] * len(scream_critic.folds))
    assert texture_gain(clear, photos, photos)["texture_gain"] == 0.0


def test_evaluate_can_skip_identification_and_the_webcam_set():
    import argparse

    from vst_desktop.evaluation import entry

    parser = argparse.ArgumentParser()
    entry.add_arguments(parser)
    args = parser.parse_args(["--style", "x", "--no-identify", "--no-webcam"])
    assert args.no_identify and args.no_webcam
    assert not parser.parse_args(["--style", "x"]).no_identify

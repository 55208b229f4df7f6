"""The texture score must agree with the eye: validated on known cases with real paintings and photos.

One critic per folder is trained once per test session (about half a minute on two cores) and shared.
"""

from __future__ import annotations

import numpy as np
import pytest

from vst_desktop.evaluation import known_cases
from vst_desktop.evaluation.media import read_image
from vst_desktop.evaluation.run import evaluate_style, format_table, model_sized
from vst_desktop.evaluation.style_critic import StyleCritic, train_critic, working_image
from vst_desktop.evaluation.style_score import texture_gain


@pytest.fixture(scope="session")
def val_photos(shared_data):
    files = sorted((shared_data / "content" / "val").iterdir())[::2]  # 11 photos: faces, Kodak, frames
    return [model_sized(read_image(p)) for p in files]


@pytest.fixture(scope="session")
def van_gogh_critic(shared_data) -> StyleCritic:
    return train_critic(shared_data / "styles" / "van_gogh", shared_data / "content" / "train", seed=0,
                        max_photo_patches=2500, photo_limit=50)


@pytest.fixture(scope="session")
def van_gogh_images(shared_data):
    return [working_image(read_image(p)) for p in sorted((shared_data / "styles" / "van_gogh").iterdir())]


@pytest.fixture(scope="session")
def painted_photos(val_photos):
    paint = known_cases.painterly()
    return [paint(p) for p in val_photos]


def _gain(critic, photos, stylize) -> float:
    return texture_gain(critic, photos, [stylize(p) for p in photos])["texture_gain"]


def test_held_out_paintings_score_far_above_photos(van_gogh_critic, val_photos):
    t = texture_gain(van_gogh_critic, val_photos, val_photos)
    assert t["method"] == "leave-one-image-out"
    assert len(t["heldout_per_piece"]) == 8
    assert t["p_heldout_painting"] - t["p_photo"] > 0.3
    assert t["reliable"]
    # nearly every painting, unseen by its critic, passes as a painting more than the photos do
    above = [p > t["p_photo"] + 0.1 for p in t["heldout_per_piece"].values()]
    assert sum(above) >= 7


def test_identity_scores_zero(van_gogh_critic, val_photos):
    assert _gain(van_gogh_critic, val_photos, known_cases.identity()) == 0.0


@pytest.mark.parametrize("name", ["tone_curve", "colour_matrix", "palette_transfer"])
def test_colour_only_changes_score_like_photos(name, van_gogh_critic, val_photos, van_gogh_images):
    stylize = (known_cases.palette_transfer(van_gogh_images) if name == "palette_transfer"
               else getattr(known_cases, name)())
    assert abs(_gain(van_gogh_critic, val_photos, stylize)) < 0.15


def test_painted_renderings_score_above_photos(van_gogh_critic, val_photos, painted_photos):
    assert texture_gain(van_gogh_critic, val_photos, painted_photos)["texture_gain"] > 0.2


def test_pixel_noise_does_not_score_as_a_painting(van_gogh_critic, val_photos, painted_photos):
    noise = _gain(van_gogh_critic, val_photos, known_cases.pixel_noise(20.0))
    painted = texture_gain(van_gogh_critic, val_photos, painted_photos)["texture_gain"]
    assert noise < 0.35
    assert noise < painted


def test_critic_survives_a_cache_round_trip(van_gogh_critic, val_photos, tmp_path):
    path = tmp_path / "critic.npz"
    van_gogh_critic.save(path)
    loaded = StyleCritic.load(path)
    assert loaded.method == van_gogh_critic.method
    assert loaded.heldout_proba == van_gogh_critic.heldout_proba
    assert loaded.fold_probas(val_photos[:2]) == pytest.approx(van_gogh_critic.fold_probas(val_photos[:2]))


def test_single_image_folder_holds_out_quadrants(shared_data, tmp_path):
    critic = train_critic(shared_data / "styles" / "cartoon_lithograph", shared_data / "content" / "train",
                          max_photo_patches=800, photo_limit=12, cache_dir=tmp_path)
    assert critic.method.startswith("leave-one-quadrant-out")
    assert len(critic.folds) == 4
    assert list(tmp_path.glob("critic_cartoon_lithograph_*.npz"))  # cached for the next evaluation
    again = train_critic(shared_data / "styles" / "cartoon_lithograph", shared_data / "content" / "train",
                         max_photo_patches=800, photo_limit=12, cache_dir=tmp_path)
    assert again.heldout_proba == pytest.approx(critic.heldout_proba)


def test_evaluate_style_on_the_identity(shared_data, van_gogh_critic):
    result = evaluate_style(known_cases.identity(), style_folder=shared_data / "styles" / "van_gogh",
                            videos=[shared_data / "video" / "classroom.gif"],
                            photos_dir=shared_data / "content" / "val", critic=van_gogh_critic,
                            max_frames=6, photo_limit=4, identify=False)  # identification: test_evaluate_webcam.py
    assert result["ewarp_ratio_raw"] == pytest.approx(1.0, abs=1e-6)  # the identity is as stable as its source
    assert result["ewarp_ratio"] < 1.0  # and the stabiliser even calms the source's own noise
    assert result["texture_gain"] == 0.0
    assert result["colour_gain"] == pytest.approx(0.0, abs=1e-6)
    assert result["content_edge_ssim"] == pytest.approx(1.0, abs=1e-6)
    assert set(result["ms_per_frame"]) == {"640x360", "1280x720"}
    assert "texture_gain" in format_table(result)


def test_evaluate_style_without_a_style_folder_reports_why(shared_data):
    result = evaluate_style(known_cases.tone_curve(), videos=[shared_data / "video" / "classroom.gif"],
                            photos_dir=shared_data / "content" / "val", max_frames=4, photo_limit=2,
                            timing=False)
    assert result["texture_gain"] is None
    assert "styles_dir" in result["texture"]["reason"]
    assert np.isfinite(result["ewarp_ratio"])

"""Style identification (evaluation/identify.py) on the real shared folders, with a tiny classifier.

The tiny classifier (three folders, one of them a single painting, 20 training photos, few patches) is
trained once per session; what is checked is what the metric must get right whatever its size: the
held-out ceiling is computed leave-one-out, colour-only changes are not identified in grey mode, pixel
noise is not a painting, flat fields are no evidence, the cache round-trips, installed styles score.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from vst_desktop.evaluation.identify import PHOTO, IdentifyConfig, summarise, train_identifiers
from vst_desktop.evaluation.media import image_files, read_image
from vst_desktop.evaluation.run import model_sized
from vst_desktop.evaluation.style_critic import working_image
from vst_desktop.evaluation.webcam import split_photos

FOLDERS = ("van_gogh", "ukiyo_e", "munch_scream")
TINY = IdentifyConfig(reps=1, max_photo_patches=600, photo_limit=20)


@pytest.fixture(scope="session")
def tiny(shared_data, tmp_path_factory):
    cache = tmp_path_factory.getbasetemp() / "identify-cache"  # shared with test_evaluate_webcam.py
    return train_identifiers([shared_data / "styles" / f for f in FOLDERS], shared_data / "content" / "train",
                             TINY, cache_dir=cache), cache


@pytest.fixture(scope="session")
def detailed(shared_data):
    return [model_sized(read_image(p)) for p in split_photos(shared_data / "content" / "val")[0][:4]]


def _reinhard(photo: np.ndarray, paintings: list[np.ndarray]) -> np.ndarray:
    """The photo's Lab mean and spread moved to the paintings': the palette changes, the marks do not."""
    ref = np.concatenate([cv2.cvtColor(p, cv2.COLOR_BGR2LAB).reshape(-1, 3) for p in paintings]).astype(np.float32)
    lab = cv2.cvtColor(photo, cv2.COLOR_BGR2LAB).astype(np.float32)
    flat = lab.reshape(-1, 3)
    out = (lab - flat.mean(0)) / (flat.std(0) + 1e-3) * ref.std(0) + ref.mean(0)
    return cv2.cvtColor(np.clip(out, 0, 255).astype(np.uint8), cv2.COLOR_LAB2BGR)


def test_the_ceiling_is_leave_one_out_and_names_the_painter(tiny):
    idents, _ = tiny
    grey = idents["grey"]
    ukiyo = grey.ceiling("ukiyo_e")
    assert ukiyo["method"] == "leave-one-image-out" and len(ukiyo["per_piece"]) == 8
    assert ukiyo["top1"] == "ukiyo_e" and ukiyo["p_own"] > 0.4  # chance is 0.25 with four classes
    scream = grey.ceiling("munch_scream")
    assert scream["method"].startswith("leave-one-quadrant-out") and len(scream["per_piece"]) == 4


def test_colour_only_maps_are_not_identified_in_grey_mode(tiny, shared_data, detailed):
    grey = tiny[0]["grey"]
    for folder in FOLDERS:
        paintings = [working_image(read_image(p)) for p in image_files(shared_data / "styles" / folder)]
        recoloured = grey.score([_reinhard(p, paintings) for p in detailed], folder)
        assert recoloured["top1"] != folder, (folder, recoloured)
        assert recoloured["p_own"] < grey.ceiling(folder)["p_own"]
        blurred = grey.score([cv2.GaussianBlur(p, (0, 0), 12) for p in paintings], folder)  # colours, no marks
        assert blurred["top1"] != folder, (folder, blurred)


def test_a_flat_colour_field_is_no_evidence(tiny):
    grey = tiny[0]["grey"]
    field = np.full((256, 320, 3), (40, 120, 200), np.uint8)
    r = grey.score([field], "ukiyo_e")
    assert r["top1"] is None and r["p_own"] == pytest.approx(1 / len(grey.classes), abs=1e-3)


def test_photos_and_pixel_noise_are_called_photo(tiny, detailed):
    for mode in ("grey", "colour"):
        ident = tiny[0][mode]
        assert ident.score(detailed)["top1"] == PHOTO
        rng = np.random.default_rng(0)
        noisy = [np.clip(p + rng.normal(0, 20, p.shape), 0, 255).astype(np.uint8) for p in detailed]
        assert ident.score(noisy)["top1"] == PHOTO, mode


def test_the_cache_round_trips_with_its_ceilings(tiny, shared_data):
    idents, cache = tiny
    before = idents["grey"].score([np.full((128, 128, 3), 7, np.uint8)], "van_gogh")
    idents["grey"].ceiling("munch_scream")
    again = train_identifiers([shared_data / "styles" / f for f in FOLDERS], shared_data / "content" / "train",
                              TINY, cache_dir=cache, modes=("grey",))["grey"]
    assert "munch_scream" in again.ceilings  # read from the cache, not recomputed
    assert again.score([np.full((128, 128, 3), 7, np.uint8)], "van_gogh") == before
    assert len(list(cache.glob("identify_*.npz"))) == 2  # one per mode


def test_installed_style_outputs_are_scored_in_both_modes(tiny, detailed, library):
    from vst_desktop.evaluation.stylizers import open_session

    session = open_session(library.get("ukiyo-e").onnx_path, prefer_gpu=False)
    outs = [session.run(p, 1.0) for p in detailed[:2]]
    for mode in ("grey", "colour"):
        r = tiny[0][mode].score(outs, "ukiyo_e")
        assert 0.0 <= r["p_own"] <= 1.0 and r["top1"] in tiny[0][mode].classes
        assert sum(r["proba"].values()) == pytest.approx(1.0, abs=1e-3)


def test_summary_counts_pictures_equally():
    classes = ["a", "b", PHOTO]
    r = summarise(classes, [np.array([0.8, 0.1, 0.1]), np.array([0.2, 0.1, 0.7])], "a")
    assert r["p_own"] == pytest.approx(0.5) and r["top1"] == "a" and r["top1_is_own"]

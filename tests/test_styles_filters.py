from __future__ import annotations

import cv2
import numpy as np
import pytest
from _helpers import coffee_photo

from vst_desktop.core.paths import builtin_styles_dir
from vst_desktop.inference.session import StyleSession
from vst_desktop.styles.validate import validate_onnx


@pytest.fixture(scope="module")
def photo(shared_data) -> np.ndarray:
    return coffee_photo(shared_data, (640, 360))


@pytest.fixture(scope="module")
def bw() -> StyleSession:
    return StyleSession(builtin_styles_dir() / "bw_film.onnx", prefer_gpu=False)


@pytest.fixture(scope="module")
def classic() -> StyleSession:
    return StyleSession(builtin_styles_dir() / "classic_film.onnx", prefer_gpu=False)


def _warmth(img: np.ndarray) -> float:
    """Mean red minus mean blue (BGR order)."""
    return float(img[..., 2].astype(float).mean() - img[..., 0].astype(float).mean())


@pytest.mark.parametrize("style_id", ["bw_film", "classic_film"])
def test_builtin_models_pass_full_validation(style_id):
    validate_onnx(builtin_styles_dir() / f"{style_id}.onnx")


def test_bw_film_is_grey(bw, photo):
    out = bw.run(photo)
    assert np.array_equal(out[..., 0], out[..., 1]) and np.array_equal(out[..., 1], out[..., 2])
    assert out.std() > 20  # still a picture, not a flat grey


def test_bw_strength_zero_is_the_input(bw, photo):
    assert np.array_equal(bw.run(photo, 0.0), photo)


def test_classic_film_warms_and_lifts_blacks(classic, shared_data):
    # Photos that are not already orange (the coffee cup is): each one comes out warmer.
    val = shared_data / "content" / "val"
    for name in ("faces_cc0_004.jpg", "faces_cc0_072.jpg", "kodak_kodim19.png"):
        img = cv2.resize(cv2.imread(str(val / name), cv2.IMREAD_COLOR), (320, 240))
        assert _warmth(classic.run(img)) > _warmth(img) + 3, name
    grey = np.full((240, 320, 3), 128, np.uint8)
    assert _warmth(classic.run(grey)) > 3  # a neutral grey turns warm
    black = np.zeros((240, 320, 3), np.uint8)
    centre = classic.run(black)[100:140, 140:180]
    assert centre.mean() > 8  # faded print: black becomes a dark grey


@pytest.mark.parametrize("style", ["bw", "classic"])
def test_vignette_darkens_corners(style, request):
    session = request.getfixturevalue(style)
    grey = np.full((360, 640, 3), 150, np.uint8)
    out = session.run(grey).astype(float)
    centre = out[150:210, 290:350].mean()
    corners = np.mean([out[:30, :30].mean(), out[:30, -30:].mean(), out[-30:, :30].mean(), out[-30:, -30:].mean()])
    assert corners < centre - 15


@pytest.mark.parametrize("size", [(640, 360), (320, 240), (72, 40)])
def test_any_frame_size(bw, classic, photo, size):
    img = cv2.resize(photo, size)
    for s in (bw, classic):
        assert s.run(img).shape == (size[1], size[0], 3)


def test_grain_is_fresh_each_frame_and_moderate(bw):
    grey = np.full((240, 320, 3), 128, np.uint8)
    a, b = bw.run(grey).astype(float), bw.run(grey).astype(float)
    diff = a - b
    assert np.abs(diff).mean() > 1  # a new grain pattern every frame, not a fixed "dirty lens"
    # Fine grain: a few grey levels of spread, and it averages out over a small patch.
    centre = a[100:140, 140:180, 0]
    assert 2 < centre.std() < 15
    blurred = cv2.blur(a[..., 0], (8, 8))[100:140, 140:180]
    assert blurred.std() < centre.std() / 2

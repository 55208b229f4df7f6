from __future__ import annotations

import cv2
import numpy as np
import pytest

from vst_desktop.core.frame import Frame
from vst_desktop.inference.session import StyleSession
from vst_desktop.pipeline.pipeline import Pipeline
from vst_desktop.pipeline.sizing import fit_height, parse_size, round8
from vst_desktop.styles.library import StyleLibrary


@pytest.fixture(scope="module")
def photo(shared_data) -> np.ndarray:
    img = cv2.imread(str(shared_data / "content" / "val" / "skimage_coffee.png"))
    assert img is not None
    return img


@pytest.fixture(scope="module")
def film_session() -> StyleSession:
    return StyleSession(StyleLibrary().get("classic_film").onnx_path, prefer_gpu=False)


def test_sizes_are_multiples_of_8_and_keep_aspect():
    assert fit_height((1920, 1080), 360) == (640, 360)
    assert fit_height((640, 360), 720) == (640, 360)  # never upscales
    assert round8(13) == 16
    assert parse_size("640x360") == (640, 360)
    with pytest.raises(ValueError):
        parse_size("big")


def test_original_passes_frames_through(photo):
    pipe = Pipeline(None)
    out = pipe.step(Frame(photo, 0.0, 0))
    assert np.array_equal(out.pixels, photo)
    assert out.stats.inference_ms == 0


def test_step_resizes_for_inference_and_back(photo, film_session):
    pipe = Pipeline(film_session, inference_size=(320, 208), output_size=(600, 400))
    out = pipe.step(Frame(photo, 0.0, 3))
    assert out.pixels.shape == (400, 600, 3) and out.pixels.dtype == np.uint8
    assert out.stats.inference_size == (320, 208)
    assert out.stats.inference_ms > 0 and out.stats.total_ms >= out.stats.inference_ms
    assert out.stats.provider == "CPUExecutionProvider"
    assert out.source.index == 3
    assert np.abs(out.pixels.astype(int) - photo.astype(int)).mean() > 3


def test_strength_zero_is_the_original(photo, film_session):
    pipe = Pipeline(film_session, strength=0.0)
    assert np.array_equal(pipe.step(Frame(photo, 0.0, 0)).pixels, photo)


def test_mirror_flips_horizontally(photo):
    pipe = Pipeline(None, mirror=True)
    assert np.array_equal(pipe.step(Frame(photo, 0.0, 0)).pixels, photo[:, ::-1])

"""evaluation/repetition.py: a wall painted from a tile reads as repeating, a painting or a camera frame
does not, and the measure finds the tile's period."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from vst_desktop.core import paths
from vst_desktop.evaluation.media import image_files, read_image
from vst_desktop.evaluation.repetition import SIZE, live_sized, repetition
from vst_desktop.evaluation.webcam import clip_frames

SHARED = paths.shared_data_dir()


def _tiled(period: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    tile = cv2.GaussianBlur(rng.random((period, period)).astype(np.float32), (0, 0), 1.5)
    reps = (SIZE[1] // period + 1, SIZE[0] // period + 1)
    grey = np.tile(tile, reps)[:SIZE[1], :SIZE[0]]
    grey = (grey - grey.min()) / (grey.max() - grey.min())
    return cv2.cvtColor((grey * 255).astype(np.uint8), cv2.COLOR_GRAY2BGR)


def test_a_tiled_wall_repeats_at_its_period():
    score, (dy, dx) = repetition(_tiled(128))
    assert score > 0.9
    assert (abs(dy), abs(dx)) in {(0, 128), (128, 0), (128, 128)}


def test_fresh_noise_does_not_repeat():
    rng = np.random.default_rng(1)
    noise = cv2.GaussianBlur(rng.random((SIZE[1], SIZE[0])).astype(np.float32), (0, 0), 1.5)
    img = cv2.cvtColor((noise / noise.max() * 255).astype(np.uint8), cv2.COLOR_GRAY2BGR)
    assert repetition(img)[0] < 0.2


def test_live_sized_crops_to_the_live_frame_from_the_centre():
    img = np.zeros((400, 1000, 3), np.uint8)
    img[:, 500:] = 255
    out = live_sized(img)
    assert out.shape == (SIZE[1], SIZE[0], 3)
    assert out[:, : SIZE[0] // 2 - 2].max() == 0 and out[:, SIZE[0] // 2 + 2:].min() == 255  # centred crop


@pytest.mark.skipif(SHARED is None or not (SHARED / "styles").is_dir(), reason="needs ../shared/data")
def test_camera_frames_and_paintings_do_not_repeat():
    frames = clip_frames(paths.demo_clip(), 3)
    assert max(repetition(live_sized(f))[0] for f in frames) < 0.25
    paintings = image_files(SHARED / "styles" / "van_gogh")[:3]
    assert max(repetition(live_sized(read_image(p)))[0] for p in paintings) < 0.25

"""evaluation/parts.py: what a choice may look at (tune) and what reports are made on (held out) share
nothing: no photo, no portrait, no clip."""

from __future__ import annotations

import numpy as np
import pytest

from vst_desktop.core import paths
from vst_desktop.evaluation import parts
from vst_desktop.evaluation.webcam import PLAIN_PORTRAITS

SHARED = paths.shared_data_dir()
pytestmark = pytest.mark.skipif(SHARED is None or not (SHARED / "content").is_dir(), reason="needs ../shared/data")


def test_the_tune_part_comes_from_train_photos_and_the_demo_clip_only():
    train = {p.name for p in (SHARED / "content" / "train").iterdir()}
    val = {p.name for p in (SHARED / "content" / "val").iterdir()}
    assert set(parts.TUNE_DETAILED + parts.TUNE_PORTRAITS) <= train - val
    assert not set(PLAIN_PORTRAITS) & set(parts.TUNE_PORTRAITS) and set(PLAIN_PORTRAITS) <= val
    assert parts.HELDOUT_CLIP != paths.demo_clip().name


def test_both_parts_are_detailed_photos_and_webcam_frames_at_the_evaluation_size():
    for detailed, webcam in (parts.tune_sets(), parts.heldout_sets()):
        assert len(detailed) >= 10 and len(webcam) >= 11
        for img in detailed + webcam:
            assert img.dtype == np.uint8 and img.ndim == 3 and max(img.shape[:2]) <= 512
            assert img.shape[0] % 8 == 0 and img.shape[1] % 8 == 0
    tune_frames, held_frames = parts.tune_sets()[1][0], parts.heldout_sets()[1][0]
    assert tune_frames.shape != held_frames.shape or not np.array_equal(tune_frames, held_frames)

"""The motion set (evaluation/motion_set.py): deterministic, its two parts share no source, the camera moves
by what it says, and a clip that does not move has no warping error for any steady style."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from vst_desktop.evaluation import metrics
from vst_desktop.evaluation import motion_set as ms
from vst_desktop.evaluation.media import read_image


@pytest.fixture(scope="module")
def specs(shared_data):
    return {p: ms.clip_specs(p, shared_data) for p in ms.PARTS}


@pytest.fixture(scope="module")
def photo(specs):
    return read_image(specs[ms.TUNE][0].source)


def grey(img: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(img, cv2.COLOR_BGR2GRAY).astype(np.float32)


def test_specs_are_deterministic_and_varied(specs, shared_data):
    assert ms.clip_specs(ms.TUNE, shared_data) == specs[ms.TUNE]
    for part, clips in specs.items():
        photos = [s for s in clips if s.motion is not None]
        assert len(photos) == ms.PHOTOS_PER_PART and len(clips) == ms.PHOTOS_PER_PART + 2
        assert len({s.motion.name for s in photos}) == len(ms.MOTIONS[part])  # every motion kind is used
    assert any(s.source.name.startswith("faces_") for s in specs[ms.HELD_OUT])  # webcam-like portraits


def test_the_parts_share_no_photo_and_no_clip(specs):
    tune = {s.source.name for s in specs[ms.TUNE]}
    held_out = {s.source.name for s in specs[ms.HELD_OUT]}
    assert not tune & held_out
    assert {s.source.parent.name for s in specs[ms.TUNE] if s.motion} == {"train"}
    assert {s.source.parent.name for s in specs[ms.HELD_OUT] if s.motion} == {"val"}
    videos = {s.source.name for p in ms.PARTS for s in specs[p] if s.excerpt}
    assert len(videos) == 4  # all four shared clips, two a part


def test_rendering_is_deterministic(specs):
    spec = specs[ms.HELD_OUT][3]
    a, b = ms.render(spec), ms.render(spec)
    assert len(a) == spec.frames and a[0].shape == (360, 640, 3) and a[0].dtype == np.uint8
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


@pytest.mark.parametrize("pan", [(2.0, 0.0), (1.5, 0.0), (0.0, -1.0), (1.25, -0.75)])
def test_a_pan_moves_the_picture_by_the_stated_amount(photo, pan):
    frames = ms.photo_clip(photo, ms.Motion("pan", pan=pan), frames=7)
    window = cv2.createHanningWindow((640, 360), cv2.CV_32F)
    # Over 4 frames each move is a whole number of pixels, where phase correlation has no sub-pixel bias;
    # three overlapping 4-frame spans that agree mean the steps between are even too.
    for t in range(3):
        (dx, dy), _ = cv2.phaseCorrelate(grey(frames[t]), grey(frames[t + 4]), window)
        assert dx == pytest.approx(-4 * pan[0], abs=0.05)  # the camera pans right: the picture moves left
        assert dy == pytest.approx(-4 * pan[1], abs=0.05)


def test_an_integer_pan_is_an_exact_shift(photo):
    a, b = ms.photo_clip(photo, ms.Motion("pan", pan=(2.0, 0.0)), frames=2)
    assert np.array_equal(a[:, 2:], b[:, :-2])


def test_a_zoom_keeps_the_centre_and_grows_the_picture(photo):
    frames = ms.photo_clip(photo, ms.Motion("zoom", zoom=1.01), frames=11)
    a, b = grey(frames[0]), grey(frames[10])
    centre = (slice(170, 190), slice(310, 330))
    assert np.abs(a[centre] - b[centre]).mean() < 3.0  # the centre stays in place
    grown = cv2.resize(a, None, fx=1.01**10, fy=1.01**10, interpolation=cv2.INTER_CUBIC)
    y0, x0 = (grown.shape[0] - 360) // 2, (grown.shape[1] - 640) // 2
    assert np.abs(grown[y0:y0 + 360, x0:x0 + 640] - b).mean() < np.abs(a - b).mean() / 2


def test_a_still_clip_has_the_warping_error_of_its_input(photo):
    frames = ms.photo_clip(photo, ms.IDENTITY, frames=4)
    assert all(np.array_equal(frames[0], f) for f in frames[1:])
    pairs = metrics.warp_pairs(frames)
    assert all(np.all(back == 0) for back, _ in pairs)  # identical frames: the flow is exactly zero
    steady_style = lambda bgr: cv2.applyColorMap(bgr, cv2.COLORMAP_JET)  # noqa: E731 - any per-pixel style
    res = metrics.ewarp_ratio(frames, steady_style, pairs)
    assert res["ewarp_stylized"] == res["ewarp_input"] == 0.0


def test_an_unchanged_clip_scores_exactly_one(specs):
    frames = ms.render(specs[ms.TUNE][0])[:4]  # a pan: its input warping error is not zero
    res = metrics.ewarp_ratio(frames, lambda bgr: bgr.copy())
    assert res["ewarp_input"] > 0 and res["ewarp_ratio"] == 1.0


def test_newly_visible_is_the_strip_the_camera_brings_in():
    assert not ms.newly_visible(ms.IDENTITY, 0).any()
    strip = ms.newly_visible(ms.Motion("pan", pan=(2.0, 0.0)), 0)
    assert strip[:, -2:].all() and not strip[:, :-2].any()  # panning right brings in the right edge
    assert not ms.newly_visible(ms.Motion("zoom", zoom=1.01), 0).any()  # zooming in reveals nothing
    assert ms.newly_visible(ms.Motion("zoom", zoom=1 / 1.01), 0)[[0, -1]].all()  # zooming out: every edge

"""Temporal, content, colour and speed metrics on stylizers with a known answer (real clips, real photos)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from vst_desktop.core.errors import SourceError
from vst_desktop.evaluation import known_cases, metrics
from vst_desktop.evaluation.media import read_clip, read_image
from vst_desktop.evaluation.run import model_sized
from vst_desktop.evaluation.style_critic import working_image
from vst_desktop.evaluation.style_score import colour_gain


@pytest.fixture(scope="module")
def clip(shared_data):
    return read_clip(shared_data / "video" / "bottle-detection.mp4", max_frames=8)


@pytest.fixture(scope="module")
def clip_pairs(clip):
    return metrics.warp_pairs(clip)


@pytest.fixture(scope="module")
def photos(shared_data):
    files = sorted((shared_data / "content" / "val").iterdir())[::3]
    return [model_sized(read_image(p)) for p in files]


@pytest.fixture(scope="module")
def van_gogh(shared_data):
    return [working_image(read_image(p)) for p in sorted((shared_data / "styles" / "van_gogh").iterdir())]


def test_clip_is_read_small_and_model_sized(clip):
    assert len(clip) == 8
    h, w = clip[0].shape[:2]
    assert w == 320 and h % 8 == 0


def test_identity_is_exactly_as_stable_as_the_source(clip, clip_pairs):
    r = metrics.ewarp_ratio(clip, known_cases.identity(), clip_pairs)
    assert r["ewarp_ratio"] == pytest.approx(1.0, abs=1e-6)
    assert r["visible_fraction"] > 0.5  # the occlusion mask keeps most of a mostly static scene


def test_per_frame_noise_flickers_far_more(clip, clip_pairs):
    noisy = metrics.ewarp_ratio(clip, known_cases.pixel_noise(10.0), clip_pairs)["ewarp_ratio"]
    curve = metrics.ewarp_ratio(clip, known_cases.tone_curve(), clip_pairs)["ewarp_ratio"]
    assert noisy > 5.0
    assert noisy > 5.0 * curve  # a deterministic per-pixel curve adds no flicker of its own


def test_warp_error_sees_a_shifted_frame_as_unstable(clip, clip_pairs):
    """A stylizer that jitters the picture by a few pixels per frame is unstable even though each frame
    is a faithful copy: the flow of the input does not explain the motion."""
    rng = np.random.default_rng(0)

    def jitter(bgr):
        dx, dy = rng.integers(-3, 4, 2)
        return np.roll(bgr, (int(dy), int(dx)), axis=(0, 1))

    assert metrics.ewarp_ratio(clip, jitter, clip_pairs)["ewarp_ratio"] > 2.0


def test_content_metrics_on_known_cases(photos):
    p = photos[0]
    assert metrics.content_edge_ssim(p, p) == pytest.approx(1.0, abs=1e-6)
    assert metrics.lowfreq_psnr(p, p) == 99.0
    # a colour curve keeps the structure; noise and an unrelated image do not
    assert metrics.content_edge_ssim(p, known_cases.tone_curve()(p)) > 0.85
    assert metrics.content_edge_ssim(p, photos[1][: p.shape[0], : p.shape[1]]) < 0.3
    assert metrics.lowfreq_psnr(p, known_cases.pixel_noise(20.0)(p)) > 35.0  # noise averages out
    assert metrics.lowfreq_psnr(p, known_cases.tone_curve()(p)) < 25.0  # the light changed


def test_edge_ssim_map_locates_where_structure_is_lost(photos):
    p = photos[0]
    marked = p.copy()
    h, w = p.shape[:2]
    # stripes drawn over the left half only: the map drops there and stays near 1 on the right
    marked[:, : w // 2][::6] = 0
    smap = metrics.content_edge_ssim_map(p, marked)
    assert smap.shape == (h, w)
    assert float(smap.mean()) == pytest.approx(metrics.content_edge_ssim(p, marked), abs=1e-6)
    assert smap[:, : w // 2 - 10].mean() < 0.6 < smap[:, w // 2 + 10:].mean()


def test_outputs_of_another_size_are_compared_at_the_input_size(photos):
    p = photos[0]
    smaller = p[:-8, :-8]
    assert 0.0 < metrics.content_edge_ssim(p, smaller) < 1.0


def test_colour_gain_positive_for_palette_moves_and_zero_for_identity(van_gogh, photos):
    assert colour_gain(van_gogh, photos, photos)["colour_gain"] == pytest.approx(0.0, abs=1e-6)
    curve = known_cases.histogram_curve(van_gogh, photos)
    assert colour_gain(van_gogh, photos, [curve(p) for p in photos])["colour_gain"] > 0.15
    palette = known_cases.palette_transfer(van_gogh)
    assert colour_gain(van_gogh, photos, [palette(p) for p in photos])["colour_gain"] > 0.4
    # noise does not move the palette toward the style
    noise = known_cases.pixel_noise(20.0)
    assert colour_gain(van_gogh, photos, [noise(p) for p in photos])["colour_gain"] < 0.2


def test_ms_per_frame_reports_both_sizes(photos):
    ms = metrics.ms_per_frame(known_cases.identity(), photos[0], runs=2, warmup=1)
    assert set(ms) == {"640x360", "1280x720"}
    assert all(v >= 0.0 for v in ms.values())


def test_unreadable_and_missing_videos_are_source_errors(tmp_path):
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(b"this is not a video")
    with pytest.raises(SourceError):
        read_clip(bad)
    with pytest.raises(SourceError):
        read_clip(tmp_path / "missing.mp4")


@pytest.fixture(scope="module")
def pan(shared_data):
    """A photo panned by a known sub-pixel move: every frame is the same picture, moved."""
    from vst_desktop.evaluation import motion_set

    photo = read_image(sorted((shared_data / "content" / "val").iterdir())[0])
    frames = motion_set.photo_clip(photo, motion_set.Motion("pan", pan=(1.5, 0.5)), frames=6)
    return frames, metrics.warp_pairs(frames)


def _sharpen(bgr: np.ndarray) -> np.ndarray:
    """An unsharp mask: the same linear filter at every pixel, so it moves exactly with the picture."""
    blurred = cv2.GaussianBlur(bgr, (0, 0), 1.0)
    return cv2.addWeighted(bgr, 2.0, blurred, -1.0, 0)


def test_the_ruler_counts_sharpness_as_flicker_and_the_floor_says_how_much(pan):
    """A filter that cannot flicker still scores far above 1 when it sharpens: the metric's flow and
    bilinear warp err most on fine detail. The floor, a clip as steady as the input and as sharp as the
    output, recovers that score; real flicker (a jitter) stays far above its floor."""
    frames, pairs = pan
    sharp = metrics.ewarp_ratio(frames, _sharpen, pairs)
    assert sharp["ewarp_ratio"] > 1.5
    assert sharp["ewarp_floor"] == pytest.approx(sharp["ewarp_ratio"], rel=0.1)
    identity = metrics.ewarp_ratio(frames, known_cases.identity(), pairs)
    assert identity["ewarp_floor"] == pytest.approx(1.0, abs=0.02)
    blur = metrics.ewarp_ratio(frames, lambda f: cv2.GaussianBlur(f, (0, 0), 1.5), pairs)
    assert blur["ewarp_floor"] < 0.7 and blur["ewarp_ratio"] < 0.7
    rng = np.random.default_rng(0)

    def jitter(bgr):
        dx, dy = rng.integers(-2, 3, 2)
        return np.roll(bgr, (int(dy), int(dx)), axis=(0, 1))

    shaken = metrics.ewarp_ratio(frames, jitter, pairs)
    assert shaken["ewarp_ratio"] > 3.0 * shaken["ewarp_floor"]

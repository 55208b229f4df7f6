"""The temporal stabiliser on real clips: it calms a flickering stylizer, leaves a steady one alone, does not
ghost across a cut, and the pipeline and `stylize` use it the way the live view does."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from vst_desktop.core.frame import Frame
from vst_desktop.evaluation import metrics
from vst_desktop.evaluation.media import read_clip
from vst_desktop.inference.temporal import TemporalStabilizer
from vst_desktop.pipeline.pipeline import Pipeline


@pytest.fixture(scope="module")
def clip(shared_data):
    return read_clip(shared_data / "video" / "head-pose-face-detection-male.gif", max_frames=12)


def flickering(seed: int = 0):
    """A stand-in for a frame-by-frame network: the frame plus fresh fine texture every frame."""
    rng = np.random.default_rng(seed)

    def run(bgr):
        noise = rng.normal(0, 12, bgr.shape[:2])[..., None]
        return np.clip(bgr.astype(np.float32) + noise, 0, 255).astype(np.uint8)
    return run


def steadied(stylize):
    stab = TemporalStabilizer()
    return lambda bgr: stab(bgr, stylize(bgr))


def test_it_calms_a_flickering_stylizer(clip):
    pairs = metrics.warp_pairs(clip)
    raw = metrics.ewarp_ratio(clip, flickering(), pairs)["ewarp_ratio"]
    calm = metrics.ewarp_ratio(clip, steadied(flickering()), pairs)["ewarp_ratio"]
    assert raw > 3.0
    assert calm < 0.5 * raw


def test_a_steady_stylizer_stays_as_it_was(clip):
    stab = TemporalStabilizer()
    outs = [stab(f, f) for f in clip]  # identity "style"
    diff = np.mean([np.abs(o.astype(int) - f).mean() for o, f in zip(outs, clip, strict=True)])
    assert diff < 2.0  # grey levels: the past it blends in is the same picture


def test_no_ghost_across_a_cut(clip, shared_data):
    other = cv2.imread(str(shared_data / "content" / "val" / "skimage_coffee.png"))
    other = cv2.resize(other, (clip[0].shape[1], clip[0].shape[0]))
    stab = TemporalStabilizer()
    for f in clip[:3]:
        stab(f, f)
    out = stab(other, other)
    assert np.abs(out.astype(int) - other).mean() < 3.0  # nothing of the face shows through


def test_reset_and_first_frame_pass_through(clip):
    stab = TemporalStabilizer()
    styled = flickering()(clip[0])
    assert np.array_equal(stab(clip[0], styled), styled)
    stab(clip[1], flickering(1)(clip[1]))
    stab.reset()
    styled2 = flickering(2)(clip[2])
    assert np.array_equal(stab(clip[2], styled2), styled2)


class NoisySession:
    provider = "test"

    def __init__(self):
        self.fn = flickering()

    def run(self, bgr, strength=1.0):
        return self.fn(bgr)


def test_pipeline_steadies_video_and_reports_its_time(clip):
    pipe = Pipeline(NoisySession())
    assert pipe.stabilize
    results = [pipe.step(Frame(f, i / 25, i)) for i, f in enumerate(clip)]
    assert results[-1].stats.stabilize_ms > 0
    pairs = metrics.warp_pairs(clip)
    outs = iter([r.pixels for r in results])
    calm = metrics.ewarp_ratio(clip, lambda _f: next(outs), pairs)["ewarp_ratio"]
    pipe_raw = Pipeline(NoisySession(), stabilize=False)
    outs_raw = iter([pipe_raw.step(Frame(f, i / 25, i)).pixels for i, f in enumerate(clip)])
    raw = metrics.ewarp_ratio(clip, lambda _f: next(outs_raw), pairs)["ewarp_ratio"]
    assert calm < 0.5 * raw
    pipe.set_stabilize(False)
    assert not pipe.stabilize and pipe.step(Frame(clip[0], 0, 0)).stats.stabilize_ms == 0

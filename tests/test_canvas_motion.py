"""A canvas style's canvas carried along the camera's motion: the model's `canvas` input and the tile stored
beside it (training/models.py, training/export.py), the map that follows the camera and the tile read at it
(inference/canvas_motion.py), and the live path that feeds one to the other (pipeline/pipeline.py)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch
from _helpers import coffee_photo

from vst_desktop.core.frame import Frame
from vst_desktop.evaluation import motion_set as ms
from vst_desktop.evaluation.media import read_clip
from vst_desktop.inference.canvas_motion import STILL, CanvasMotion, CanvasTile, canvas_positions
from vst_desktop.inference.session import StyleSession
from vst_desktop.pipeline.pipeline import Pipeline
from vst_desktop.styles.validate import validate_onnx
from vst_desktop.training import export
from vst_desktop.training.fixed_stages import CanvasStage
from vst_desktop.training.models import build_generator
from vst_desktop.training.texture.marks import generator_stages
from vst_desktop.trainspec.presets import make_config


def test_the_canvas_read_at_a_moved_grid_is_the_canvas_moved():
    stage = CanvasStage("painting", wall=True)
    with torch.no_grad():
        stage.tile.normal_()
        stage.wall.normal_()
    x = torch.zeros(1, 3, 72, 300)  # wider than two tiles: the read wraps around the tile
    where = torch.from_numpy(canvas_positions(72, 300))
    assert torch.equal(stage.at(where), stage(x))
    # a canvas read 7 px to the left and a whole number of tiles away is the canvas moved 7 px to the right
    moved = stage.at(where + torch.tensor([-7.0 - 5 * 128, 3 * 128.0]))
    assert torch.allclose(moved[..., 7:], stage(x)[..., :-7], atol=1e-5)
    # between pixels it is read bilinearly, not rounded
    half = stage.at(where + torch.tensor([0.5, 0.0]))
    assert torch.allclose(half[..., :-1], (stage(x)[..., :-1] + stage(x)[..., 1:]) / 2, atol=1e-5)


def test_the_run_time_reads_the_tile_as_training_does():
    stage = CanvasStage("painting", wall=True)
    with torch.no_grad():
        stage.tile.normal_()
        stage.wall.normal_()
    tile = CanvasTile(stage._tile().numpy())
    assert np.array_equal(tile.read(72, 300)[0], stage(torch.zeros(1, 3, 72, 300))[0].numpy())
    # a carried map (turned, shifted by tiles and fractions): OpenCV's bilinear weights are 1/32 px steps
    for moved in (np.array([[0.99, -0.02, -700.3], [0.02, 0.99, 1.7]]),
                  np.array([[1.9, 0.0, 5.25], [0.0, 1.9, -3.0]])):  # a long zoom: past the repeated tiles' margin
        expected = stage.at(torch.from_numpy(canvas_positions(72, 300, moved)))[0].numpy()
        assert np.abs(tile.read(72, 300, moved)[0] - expected).max() < 0.1 * np.abs(expected).max()
    with pytest.raises(ValueError):
        CanvasTile(np.zeros((1, 5, 8, 8), np.float32))


def test_a_still_scene_keeps_the_canvas_in_place(shared_data):
    photo = coffee_photo(shared_data, (640, 360))
    noise = np.random.default_rng(0)
    carrier = CanvasMotion()
    for _ in range(8):  # a still camera: the same picture with sensor noise
        grainy = np.clip(photo.astype(np.float32) + noise.normal(0, 2.0, photo.shape), 0, 255).astype(np.uint8)
        where = carrier(grainy)
    assert np.array_equal(where, STILL) and not carrier.followed  # the flow's noise is not followed


def test_a_person_walking_before_a_still_camera_leaves_the_canvas_in_place(shared_data):
    frames = read_clip(shared_data / "video" / "one-by-one-person-detection.mp4", max_frames=24)
    carrier = CanvasMotion()
    corners = np.array([[0, 0, 1], [639, 0, 1], [0, 359, 1], [639, 359, 1]], float).T
    drift = [np.abs((carrier(cv2.resize(f, (640, 360))) - STILL) @ corners).max() for f in frames]
    assert max(drift) < 1.0


def test_the_canvas_follows_a_pan_and_a_cut_puts_it_back(shared_data):
    photo = coffee_photo(shared_data, (960, 540))
    frames = ms.photo_clip(photo, ms.Motion("pan", pan=(2.0, 0.0)), frames=8)
    carrier = CanvasMotion()
    for f in frames:
        where = carrier(f)
    # the camera moved right 2 px a frame, so the picture (and its canvas) moved left: each pixel now carries
    # the canvas that sat 2 px a frame to its right
    assert carrier.followed
    offset = (canvas_positions(360, 640, where) - canvas_positions(360, 640))[0]
    assert np.median(offset[..., 0]) == pytest.approx(14.0, abs=0.5) and abs(np.median(offset[..., 1])) < 0.5
    # one camera motion for the whole frame: no tearing, at most a slight turn fitted from the flow's noise
    assert np.abs(offset[..., 0] - 14.0).max() < 1.5 and np.abs(offset[..., 1]).max() < 1.5
    carrier.reset()
    assert np.array_equal(carrier(frames[-1]), STILL)


@pytest.fixture(scope="module")
def canvas_style(tmp_path_factory):
    """A real canvas generator (the analogy recipe's painted wall and gain), random weights, exported."""
    torch.manual_seed(0)
    g = build_generator("painter", **generator_stages(make_config("quick", marks="analogy", analogy_canvas_wall=True,
                                                                  analogy_canvas_gain="pixel")))
    with torch.no_grad():
        g.canvas.wall.copy_(torch.randn_like(g.canvas.wall) * 0.3)
    torch.nn.init.normal_(g.last_conv.weight, std=0.2)
    path = export.export_onnx(g, tmp_path_factory.mktemp("canvas") / "canvas.onnx")
    return g, path


def test_a_canvas_style_exports_its_canvas_as_an_input(canvas_style, shared_data):
    g, path = canvas_style
    validate_onnx(path)  # the style contract accepts (and feeds) the canvas input
    frame = coffee_photo(shared_data, (320, 184))
    # the exporter's parity check covers a carried canvas too
    assert export.check_parity(g, path, [frame]) <= export.PARITY_TOLERANCE
    session = StyleSession(path, prefer_gpu=False)
    assert session.has_canvas
    in_place = session.run(frame)
    assert np.array_equal(in_place, session.run(frame, canvas_at=STILL))
    moved = session.run(frame, canvas_at=np.array([[1.0, 0.0, -16.0], [0.0, 1.0, 0.0]]))
    assert np.abs(moved.astype(int) - in_place).mean() > 1  # the marks moved
    # anything but a 2x3 map falls back to the canvas in place
    assert np.array_equal(in_place, session.run(frame, canvas_at=np.zeros((1, 184, 320, 2), np.float32)))


class RecordingSession:
    """The real session, remembering the canvas maps the pipeline gives it."""

    def __init__(self, session: StyleSession) -> None:
        self.session, self.has_canvas, self.provider, self.maps = session, True, session.provider, []

    def run(self, bgr, strength=1.0, canvas_at=None):
        self.maps.append(canvas_at)
        return self.session.run(bgr, strength, canvas_at=canvas_at)


def test_the_live_path_carries_a_canvas_style_along_the_motion(canvas_style, shared_data):
    _, path = canvas_style
    session = RecordingSession(StyleSession(path, prefer_gpu=False))
    pipe = Pipeline(session, inference_size=(320, 184))
    photo = coffee_photo(shared_data, (960, 540))
    for i, f in enumerate(ms.photo_clip(photo, ms.Motion("pan", pan=(-3.0, 0.0)), frames=6)):
        pipe.step(Frame(f, 0.0, i))
    assert session.maps[-1][0, 2] < -3  # the camera panned left 1.5 px a frame at this size
    pipe.reset_temporal()  # a cut (another source): the canvas starts in place again
    pipe.step(Frame(cv2.resize(photo, (640, 360)), 0.0, 6))
    assert np.array_equal(session.maps[-1], STILL)

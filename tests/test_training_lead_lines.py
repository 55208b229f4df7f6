"""Lines along the painted picture's borders (`analogy_lead`, `fixed_stages.LeadStage`): a fixed stage the teacher's
targets and the generator's output share, dark where the grey changes fastest and nowhere else."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch

from vst_desktop.training.data import load_training_data
from vst_desktop.training.export import PARITY_TOLERANCE, check_parity, export_onnx, parity_frames
from vst_desktop.training.fixed_stages import LeadStage
from vst_desktop.training.models import build_generator
from vst_desktop.training.recipes import make_recipe
from vst_desktop.training.texture.marks import generator_stages
from vst_desktop.trainspec.config import config_problems
from vst_desktop.trainspec.presets import make_config

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def config(shared_data, **changes):
    return make_config("quick", styles_dir=str(shared_data / "styles" / "picabia_udnie"), marks="analogy",
                       analogy_patch=24, analogy_canvas=1.5, analogy_canvas_form="painting", analogy_keep=1.5,
                       analogy_flatten=2, analogy_flatten_passes=3, analogy_flatten_sigma=1.0,
                       iterations=2, batch_size=2, crop_size=96, max_image_side=256, sample_every=2,
                       checkpoint_every=2, val_photos=2, threads=1, **changes)


def test_the_gradient_is_a_gaussian_blur_then_sobel_of_the_grey():
    rng = np.random.default_rng(0)
    x = cv2.GaussianBlur(rng.random((40, 50, 3)).astype(np.float32), (0, 0), 2.0)
    stage = LeadStage(0.8)
    with torch.no_grad():
        d = stage.gradient(torch.from_numpy(x).permute(2, 0, 1)[None])[0].numpy()
    grey = cv2.GaussianBlur(x.mean(2), (9, 9), 1.0, borderType=cv2.BORDER_REPLICATE)
    gx = cv2.Sobel(grey, cv2.CV_32F, 1, 0, borderType=cv2.BORDER_REPLICATE)
    gy = cv2.Sobel(grey, cv2.CV_32F, 0, 1, borderType=cv2.BORDER_REPLICATE)
    inner = (slice(6, -6), slice(6, -6))  # the borders' padding differs (one pad of 4, not two passes)
    np.testing.assert_allclose(d[0][inner], gx[inner], atol=1e-3 * np.abs(gx).max())
    np.testing.assert_allclose(d[1][inner], gy[inner], atol=1e-3 * np.abs(gy).max())


def test_lines_follow_a_planes_border_and_a_plain_walls_noise_draws_none():
    planes = torch.full((1, 3, 32, 48), 0.2)
    planes[..., 24:] = 0.8  # two flat planes, one vertical border
    noise = torch.from_numpy(np.random.default_rng(1).normal(0.6, 2 / 255, (1, 3, 32, 48)).astype(np.float32))
    stage = LeadStage(0.8)
    with torch.no_grad():
        out, wall = stage(planes), stage(noise)
    changed = (out - planes).abs().amax((0, 1)) > 1e-6
    assert changed[:, 22:26].all()  # the border is drawn, over its full height
    assert not changed[:, :18].any() and not changed[:, 30:].any()  # the planes themselves are untouched
    assert float(out[0, 0, 16, 24]) < 0.8 * 0.5  # darkened by most of the darkness at the border
    torch.testing.assert_close(wall, noise)  # under the threshold: no lines on sensor noise
    with torch.no_grad():
        torch.testing.assert_close(stage(planes, strength=0.0), planes)  # the strength slider fades them


def test_the_setting_builds_the_stage_and_the_teachers_targets_carry_the_same_lines(shared_data):
    cfg = config(shared_data, analogy_lead=0.8)
    stages = generator_stages(cfg)
    assert stages["lead_darkness"] == 0.8 and stages["flatten_sigma"] == 1.0
    assert build_generator("fast", **generator_stages(config(shared_data))).lead is None
    assert config_problems(cfg.replace(analogy_lead=1.5))
    targets = {}
    for lead in (0.0, 0.8):
        c = cfg.replace(analogy_lead=lead)
        data = load_training_data(c.styles_dir, c.content_dir, c.paired, c.crop_size, tuple(c.scale_jitter),
                                  c.max_image_side, c.val_photos, paired_scale_range=tuple(c.paired_scale_jitter),
                                  content_pixel_scale=True)
        recipe = make_recipe(c, data, torch.device("cpu"))
        generator = build_generator("fast", **generator_stages(c))
        recipe.prepare(generator, torch.device("cpu"))
        targets[lead] = recipe.teach(data.val_inputs)
    with torch.no_grad():
        expected = LeadStage(0.8)(torch.from_numpy(targets[0.0])).numpy()
    np.testing.assert_allclose(targets[0.8], expected, atol=1e-5)
    assert (targets[0.8] < targets[0.0] - 0.05).mean() > 0.005  # some lines were drawn


def test_a_generator_with_lines_exports_and_matches_torch(tmp_path, shared_data):
    generator = build_generator("fast", **generator_stages(config(shared_data, analogy_lead=0.8))).eval()
    with torch.no_grad():  # a residual that is not zero, so the lines follow a painted output, not the planes
        generator.last_conv.weight.normal_(0, 0.05)
    path = export_onnx(generator, tmp_path / "lead.onnx")
    assert check_parity(generator, path, parity_frames(2)) <= PARITY_TOLERANCE


def test_the_fixed_stages_export_no_plain_convolution_to_a_few_channels(tmp_path, shared_data):
    """onnxruntime runs a plain (group 1) convolution in its blocked layout with reorders around it; to three
    or fewer channels at full resolution the reorders cost more than the arithmetic (2-3 ms a frame at
    640x360: docs/research/painter_round22.md). The colour stage and the lines are written as grouped
    convolutions for that reason; only the residual network's own layers may be plain."""
    import onnx

    stages = generator_stages(config(shared_data, analogy_lead=0.8))
    generator = build_generator("painter", **stages).eval()
    assert generator.colour is not None and generator.lead is not None
    model = onnx.load(str(export_onnx(generator, tmp_path / "stages.onnx")))
    weights = {init.name: init.dims for init in model.graph.initializer}
    fixed = [n for n in model.graph.node if n.op_type == "Conv" and ("/colour/" in n.name or "/lead/" in n.name)]
    assert len(fixed) == 3  # the colour matrix, the lines' two passes
    for node in fixed:
        group = next((a.i for a in node.attribute if a.name == "group"), 1)
        out_channels = weights[node.input[1]][0] if node.input[1] in weights else None
        assert group > 1, f"{node.name} is a plain convolution to {out_channels} channels"

"""The analogy marks on flat planes (`analogy_flatten`): the generator's soft Kuwahara flattens the photo, and
the teacher paints the folder's marks on those planes instead of on the photo's own fine structure."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch

from vst_desktop.training.data import load_training_data
from vst_desktop.training.export import PARITY_TOLERANCE, check_parity, export_onnx, parity_frames
from vst_desktop.training.fixed_stages import FlattenStage
from vst_desktop.training.models import build_generator
from vst_desktop.training.recipes import make_recipe
from vst_desktop.training.run import train
from vst_desktop.training.texture.marks import generator_stages
from vst_desktop.trainspec.config import config_problems
from vst_desktop.trainspec.presets import make_config

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def config(shared_data, **changes):
    return make_config("quick", styles_dir=str(shared_data / "styles" / "picabia_udnie"), marks="analogy",
                       analogy_patch=24, analogy_canvas=1.5, analogy_canvas_form="painting", analogy_keep=1.5,
                       iterations=2, batch_size=2, crop_size=96, max_image_side=256, sample_every=2,
                       checkpoint_every=2, val_photos=2, threads=1, **changes)


def highpass(x: np.ndarray) -> np.ndarray:
    g = x.mean(0)
    return g - cv2.GaussianBlur(g, (0, 0), 2.0)


def test_the_flattening_is_built_into_the_generator_beside_the_canvas(shared_data):
    stages = generator_stages(config(shared_data, analogy_flatten=2, analogy_flatten_passes=3))
    assert (stages["flatten_radius"], stages["flatten_passes"], stages["flatten_scale"]) == (2, 3, 2)
    assert stages["canvas"] == "painting"
    generator = build_generator("fast", **stages)
    assert generator.flatten is not None and generator.canvas is not None
    assert build_generator("fast", **generator_stages(config(shared_data))).flatten is None
    assert config_problems(config(shared_data).replace(analogy_flatten=9))


def test_the_teacher_paints_on_the_planes_not_on_the_photos_fine_structure(shared_data):
    """With keep 1.5 the teacher keeps the photo's own fine detail; on the planes that detail is gone, so the
    target's fine detail follows the photo's far less (the marks are the paintings')."""
    follow = {}
    for flatten in (0, 2):
        cfg = config(shared_data, analogy_flatten=flatten)
        data = load_training_data(cfg.styles_dir, cfg.content_dir, cfg.paired, cfg.crop_size,
                                  tuple(cfg.scale_jitter), cfg.max_image_side, cfg.val_photos,
                                  paired_scale_range=tuple(cfg.paired_scale_jitter), content_pixel_scale=True)
        recipe = make_recipe(cfg, data, torch.device("cpu"))
        generator = build_generator("fast", **generator_stages(cfg))
        recipe.prepare(generator, torch.device("cpu"))
        content = data.val_inputs
        targets = recipe.teach(content)
        photo = generator.prepare(torch.from_numpy(content)).numpy()
        corr = [np.corrcoef(highpass(t).ravel(), highpass(p).ravel())[0, 1] for t, p in zip(targets, photo, strict=True)]
        follow[flatten] = float(np.mean(corr))
    assert follow[0] > 0.5
    assert follow[2] < follow[0] - 0.2


def test_a_short_run_on_planes_trains_and_saves(tmp_path, shared_data):
    cfg = config(shared_data, analogy_flatten=1, w_adv=0.5)
    result = train(cfg, tmp_path / "run")
    assert result.status == "done" and result.step == 2
    assert (tmp_path / "run" / "checkpoints" / "latest.pt").exists()


def photo_tensor(shared_data, name: str = "faces_cc0_003.jpg") -> torch.Tensor:
    img = cv2.imread(str(shared_data / "content" / "train" / name))[..., ::-1].astype(np.float32) / 255.0
    img = cv2.resize(img, (256, round(256 * img.shape[0] / img.shape[1])), interpolation=cv2.INTER_AREA)
    return torch.from_numpy(np.ascontiguousarray(img.transpose(2, 0, 1)))[None]


def test_gaussian_sectors_flatten_texture_and_keep_edges_like_the_box_sectors(shared_data):
    """analogy_flatten_sigma: the sectors are Gaussian-weighted quadrants (rounded planes on a face instead of the
    box sectors' square blocks); the planes are as flat and their borders as sharp."""
    x = photo_tensor(shared_data)

    def gradients(a):
        g = a.mean(1)
        return (g[..., :, 1:] - g[..., :, :-1]).abs().flatten()

    with torch.no_grad():
        box = FlattenStage(1, 3, scale=2)(x)
        gauss = FlattenStage(2, 3, scale=2, sigma=1.0)(x)
        blur = torch.nn.functional.avg_pool2d(torch.nn.functional.pad(x, (4,) * 4, mode="reflect"), 9, 1)
    assert float(gradients(gauss).median()) < 0.3 * float(gradients(x).median())
    assert float(gradients(gauss).median()) <= 1.2 * float(gradients(box).median())
    assert float(torch.quantile(gradients(gauss), 0.99)) > 1.5 * float(torch.quantile(gradients(blur), 0.99))
    assert FlattenStage(2, 3, sigma=1.0).state_dict() == {}  # rebuilt from the spec: old checkpoints still load
    stages = generator_stages(config(shared_data, analogy_flatten=2, analogy_flatten_sigma=1.0))
    assert build_generator("fast", **stages).flatten.rows is not None


def test_one_gaussian_sector_pass_is_the_weighted_quadrant_means(shared_data):
    """Checked against a direct per-pixel computation: each sector's mean colour and grey variance over its
    Gaussian-weighted quadrant, mixed by (least variance / variance)^8."""
    x = photo_tensor(shared_data)[..., 100:116, 100:120]
    stage = FlattenStage(2, 1, sigma=1.0)
    with torch.no_grad():
        out = stage(x)[0]
    pad = torch.nn.functional.pad(x, (2,) * 4, mode="reflect")[0]
    grey = pad.mean(0)
    yy, xx = torch.meshgrid(torch.arange(-2, 3.0), torch.arange(-2, 3.0), indexing="ij")
    g = torch.exp(-(yy ** 2 + xx ** 2) / 2.0)
    for y, xpos in ((3, 4), (10, 15), (0, 0)):
        win, gwin = pad[:, y:y + 5, xpos:xpos + 5], grey[y:y + 5, xpos:xpos + 5]
        means, variances = [], []
        for sy in (-1, 1):
            for sx in (-1, 1):
                w = g * ((sy * yy >= 0) & (sx * xx >= 0))
                w = w / w.sum()
                m = (gwin * w).sum()
                means.append((win * w).sum((1, 2)))
                variances.append((gwin * gwin * w).sum() - m * m + 1e-4)
        least = min(variances)
        weights = [(least / v) ** 8 for v in variances]
        expected = sum(wt * m for wt, m in zip(weights, means, strict=True)) / sum(weights)
        torch.testing.assert_close(out[:, y, xpos], expected, atol=1e-5, rtol=1e-4)


def test_a_generator_with_gaussian_sectors_exports_and_matches_torch(tmp_path, shared_data):
    generator = build_generator("fast", **generator_stages(config(shared_data, analogy_flatten=2,
                                                                   analogy_flatten_sigma=1.0))).eval()
    path = export_onnx(generator, tmp_path / "gauss.onnx")
    assert check_parity(generator, path, parity_frames(2)) <= PARITY_TOLERANCE

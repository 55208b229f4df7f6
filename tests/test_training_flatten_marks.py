"""The analogy marks on flat planes (`analogy_flatten`): the generator's soft Kuwahara flattens the photo, and
the teacher paints the folder's marks on those planes instead of on the photo's own fine structure."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch

from vst_desktop.training.data import load_training_data
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

"""The painter classifier learning during the run (painter_online_lr): the run's output becomes a class of its
own, so a glyph that fooled the frozen classifier stops paying, and a resumed run keeps what it learned."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import torch

from vst_desktop.training import checkpoint as ckpt
from vst_desktop.training import painter
from vst_desktop.training.run import train
from vst_desktop.trainspec import layout
from vst_desktop.trainspec.presets import make_config

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def marks(kind: str, seed: int, size: int = 160) -> np.ndarray:
    """Grey uint8 pictures: vertical stripes, a checker, or soft photo-like shading."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[:size, :size].astype(np.float32)
    level = rng.uniform(70, 180)
    if kind == "stripes":
        pic = level + 45 * np.sin(2 * np.pi * (x + rng.uniform(0, 9)) / 9)
    elif kind == "checker":
        pic = level + 45 * np.sign(np.sin(2 * np.pi * x / 12) * np.sin(2 * np.pi * y / 12))
    else:
        pic = level + 35 * np.cos(x / 45 + rng.uniform(0, 6)) * np.sin(y / 60)
    return np.clip(pic + rng.normal(0, 2, pic.shape), 0, 255).astype(np.uint8)


def as_rgb(grey: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(grey).float()[None, None].repeat(2, 3, 1, 1) / 255


def test_a_pattern_that_fooled_the_frozen_classifier_moves_to_the_runs_own_class():
    own, other, photos = ([marks(k, s) for s in range(3)] for k in ("stripes", "checker", "smooth"))
    guide = painter.build_guide(own, [other], photos, "k", None, steps=150, seed=0)
    # a photo optimised against the frozen classifier, as a student's output is: it ends up called the own folder
    torch.manual_seed(0)
    fooling = as_rgb(marks("smooth", 11)).requires_grad_(True)
    opt = torch.optim.Adam([fooling], 0.01)
    first = float(guide.loss(fooling).detach())
    for _ in range(60):
        cost = guide.loss(fooling)
        opt.zero_grad()
        cost.backward()
        opt.step()
    fooling = fooling.detach()
    torch.manual_seed(0)
    frozen_cost = float(guide.loss(fooling))
    assert frozen_cost < 0.5 * first
    guide.learn_during_run(2e-3, seed=0)
    assert guide.nets[0].head.out_features == 4  # three classes and the run's output
    for _ in range(150):
        guide.update(fooling)
    torch.manual_seed(0)
    crops = painter.random_crops(painter.grey(fooling), 32)
    p_student = torch.softmax(guide.nets[0](crops), 1)[:, 3].mean()
    assert p_student > 0.7
    torch.manual_seed(0)
    assert float(guide.loss(fooling)) > frozen_cost + 1.0
    # the painters are still told apart: real stripes stay the own class
    held = painter.sample_patches(painter.grey_views([marks("stripes", 99)], (1.0,)), 32,
                                  np.random.default_rng(1), False)
    assert (guide.nets[0](torch.from_numpy(held)[:, None]).argmax(1) == 0).float().mean() > 0.8
    assert not any(p.requires_grad for p in guide.nets[0].parameters())  # frozen again for the generator's pass


def test_a_run_learns_its_output_as_a_class_and_resumes_with_it(tmp_path, shared_data):
    styles = shared_data / "styles"
    reference = tmp_path / "reference"
    shutil.copytree(styles / "monet", reference / "monet")
    cfg = make_config("quick", styles_dir=str(styles / "ukiyo_e"), iterations=2, batch_size=2, crop_size=64,
                      max_image_side=256, sample_every=2, checkpoint_every=2, val_photos=2, threads=1,
                      w_painter=0.3, painter_reference=str(reference), painter_steps=5, painter_online_lr=1e-3)
    events: list[dict] = []
    assert train(cfg, tmp_path / "run", progress=events.append).status == "done"
    losses = [e["losses"] for e in events if e["event"] == "progress"]
    assert losses and all(parts["painter_d"] > 0 for parts in losses)
    saved = ckpt.load(layout.checkpoint_path(tmp_path / "run"))["painter"]
    assert saved["nets"][0]["head.weight"].shape[0] == 4  # ukiyo-e, Monet, photos and the run's output
    assert train(cfg.replace(iterations=3), tmp_path / "run", resume=tmp_path / "run").step == 3

"""The painter classifier as a loss (training/painter.py): it learns marks, its gradient pulls a picture's marks
toward the run's own folder, the run wires it to the right folders, and with painter_online_lr it keeps
learning during the run with the run's output as a class of its own."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
import torch

from vst_desktop.core.errors import TrainingDataError
from vst_desktop.training import checkpoint as ckpt
from vst_desktop.training import painter
from vst_desktop.training.run import train
from vst_desktop.trainspec import layout
from vst_desktop.trainspec.presets import make_config

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def texture(kind: str, seed: int, size: int = 160) -> np.ndarray:
    """Grey uint8 pictures with a known kind of mark: horizontal dashes, round dots, or a smooth photo-like
    shading (random phase and brightness, so only the marks tell them apart)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[:size, :size].astype(np.float32)
    base = rng.uniform(60, 190)
    if kind == "dashes":
        img = base + 50 * np.sin(2 * np.pi * (y + rng.uniform(0, 8)) / 8)
    elif kind == "dots":
        img = base + 50 * np.sin(2 * np.pi * x / 10 + rng.uniform(0, 6)) * np.sin(2 * np.pi * y / 10)
    else:
        img = base + 40 * np.sin(x / 40 + rng.uniform(0, 6)) * np.cos(y / 55)
    return np.clip(img + rng.normal(0, 2, img.shape), 0, 255).astype(np.uint8)


def as_rgb(grey: np.ndarray, n: int = 1) -> torch.Tensor:
    """`n` copies of a grey picture as an NCHW RGB [0, 1] batch."""
    return torch.from_numpy(grey).float()[None, None].repeat(n, 3, 1, 1) / 255


def test_the_classifier_learns_marks_and_its_gradient_paints_them(descend):
    classes = [painter.grey_views([texture(k, s) for s in range(3)], (1.0,)) for k in ("dashes", "dots", "smooth")]
    net = painter.train_painter_net(classes, steps=150, seed=0)
    assert not any(p.requires_grad for p in net.parameters())
    rng = np.random.default_rng(5)
    for k, kind in enumerate(("dashes", "dots", "smooth")):
        held = painter.sample_patches(painter.grey_views([texture(kind, 99)], (1.0,)), 32, rng, False)
        assert (net(torch.from_numpy(held)[:, None]).argmax(1) == k).float().mean() > 0.8, kind
    # a smooth picture optimised against the term gets its own folder's marks: the dashes' 8 px period
    # (either axis: the classifier learned them rotated too) or the dots' diagonal 10 px one
    ratio: dict[int, float] = {}
    for own in (0, 1):
        torch.manual_seed(own)  # the crops are drawn from torch's generator
        guide = painter.PainterGuide([net], own=own)
        start = as_rgb(texture("smooth", 7))
        x, first = descend(guide.loss, start, 60)
        assert float(guide.loss(x)) < 0.5 * first
        change = (x - start)[0, 0].numpy()
        spectrum = np.abs(np.fft.fft2(change - change.mean()))
        n = change.shape[0]
        dashes = sum(spectrum[f - 1:f + 2, :2].sum() + spectrum[:2, f - 1:f + 2].sum() for f in (n // 8, n - n // 8))
        dots = spectrum[n // 10 - 1:n // 10 + 2, n // 10 - 1:n // 10 + 2].sum()
        ratio[own] = dashes / dots
    assert ratio[0] > 5 and ratio[1] < 1 and ratio[0] > 10 * ratio[1]


def test_the_crops_are_patches_of_the_pictures():
    grey = torch.rand(2, 1, 100, 120)
    crops = painter.random_crops(grey, 8, torch.Generator().manual_seed(0))
    assert crops.shape == (8, 1, painter.PATCH, painter.PATCH)
    assert 0 <= float(crops.min()) and float(crops.max()) <= 1


def test_a_run_learns_its_own_folder_against_the_reference_painters(tmp_path, shared_data, monkeypatch):
    styles = shared_data / "styles"
    reference = tmp_path / "reference"
    for name in ("monet", "ukiyo_e", "van_gogh"):  # van_gogh is the run's own folder, copied: skipped
        shutil.copytree(styles / name, reference / name)
    (reference / "notes").mkdir()  # a folder without images is no painter
    built = []
    real_build = painter.build_guide
    monkeypatch.setattr(painter, "build_guide", lambda own, others, *a, **k: built.append(len(others)) or
                        real_build(own, others, *a, **k))
    cfg = make_config("quick", styles_dir=str(styles / "van_gogh"), iterations=3, batch_size=2, crop_size=64,
                      max_image_side=256, sample_every=3, checkpoint_every=3, val_photos=2, threads=1,
                      w_painter=0.3, painter_reference=str(reference), painter_steps=5)
    result = train(cfg, tmp_path / "run")
    assert result.status == "done"
    assert built == [2]  # Monet and Ukiyo-e; not the copy of the run's own paintings
    events = [json.loads(line) for line in (tmp_path / "run" / "log.jsonl").read_text().splitlines()]
    last = [e for e in events if e["event"] == "progress"][-1]["losses"]
    assert last["painter"] > 0
    # the same folders again: the cached classifier, not a second training
    monkeypatch.setattr(painter, "train_painter_net", lambda *a, **k: pytest.fail("retrained"))
    assert train(cfg, tmp_path / "run2").status == "done"


def test_a_painter_reference_that_is_not_a_folder_stops_with_a_message(tmp_path, shared_data):
    cfg = make_config("quick", styles_dir=str(shared_data / "styles" / "monet"), iterations=1, batch_size=1,
                      crop_size=32, val_photos=1, threads=1, w_painter=0.3,
                      painter_reference=str(tmp_path / "missing"))
    with pytest.raises(TrainingDataError, match="not a folder") as info:
        train(cfg, tmp_path / "run")
    assert "sub-folders" in info.value.hint


def test_a_damaged_cached_classifier_is_trained_again(tmp_path):
    views = [texture(k, 0) for k in ("dashes", "dots", "smooth")]
    (tmp_path / "painter_k.pt").write_bytes(b"not a torch file")
    guide = painter.build_guide([views[0]], [[views[1]]], [views[2]], "k", tmp_path, steps=3, seed=0)
    assert guide.own == 0 and guide.nets[0].head.out_features == 3
    reloaded = painter.build_guide([views[0]], [[views[1]]], [views[2]], "k", tmp_path, steps=3, seed=0)
    assert torch.equal(reloaded.nets[0].head.weight, guide.nets[0].head.weight)


def test_several_classifiers_are_other_seeds_each_cached_and_the_loss_is_their_mean(tmp_path, monkeypatch):
    views = [texture(k, 0) for k in ("dashes", "dots", "smooth")]
    guide = painter.build_guide([views[0]], [[views[1]]], [views[2]], "k", tmp_path, steps=20, seed=0, nets=3)
    assert len(guide.nets) == 3 and len(list(tmp_path.glob("painter_k*.pt"))) == 3
    assert not torch.equal(guide.nets[0].head.weight, guide.nets[1].head.weight)
    picture = as_rgb(texture("smooth", 7), 2)
    each = []
    for net in guide.nets:
        torch.manual_seed(3)  # the same crops for every net, as the guide draws them once
        each.append(float(painter.PainterGuide([net], own=0).loss(picture)))
    torch.manual_seed(3)
    assert float(guide.loss(picture)) == pytest.approx(np.mean(each), rel=1e-5)
    monkeypatch.setattr(painter, "train_painter_net", lambda *a, **k: pytest.fail("retrained"))
    again = painter.build_guide([views[0]], [[views[1]]], [views[2]], "k", tmp_path, steps=20, seed=0, nets=3)
    assert all(torch.equal(a.head.weight, b.head.weight) for a, b in zip(again.nets, guide.nets, strict=True))


# ---- learning during the run (painter_online_lr) ----


def test_a_pattern_that_fooled_the_frozen_classifier_moves_to_the_runs_own_class(descend):
    own, other, photos = ([texture(k, s) for s in range(3)] for k in ("dashes", "dots", "smooth"))
    guide = painter.build_guide(own, [other], photos, "k", None, steps=150, seed=0)
    # a photo optimised against the frozen classifier, as a student's output is: it ends up called the own folder
    torch.manual_seed(0)
    fooling, first = descend(guide.loss, as_rgb(texture("smooth", 11), 2), 60)
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
    # the painters are still told apart: real dashes stay the own class. Learning the run's class pulls a few
    # real patches toward it on some random draws (0.75-1.0 of them stay own over six draws measured), so
    # the bar is most of them and the own class first on average, far above chance (0.25).
    held = painter.sample_patches(painter.grey_views([texture("dashes", 99)], (1.0,)), 32,
                                  np.random.default_rng(1), False)
    with torch.no_grad():
        logits = guide.nets[0](torch.from_numpy(held)[:, None])
    assert (logits.argmax(1) == 0).float().mean() > 0.6
    assert int(torch.softmax(logits, 1).mean(0).argmax()) == 0
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
    assert saved["updates"] == 2  # one classifier step per training step: a resumed run draws on from there
    assert train(cfg.replace(iterations=3), tmp_path / "run", resume=tmp_path / "run").step == 3
    assert ckpt.load(layout.checkpoint_path(tmp_path / "run"))["painter"]["updates"] == 3

"""Networks and loss terms: identity start, no normalisation layers, shapes, and each term's behaviour."""

from __future__ import annotations

import dataclasses

import pytest
import torch
from torch import nn

from vst_desktop.training import losses
from vst_desktop.training.models import (
    GENERATOR_SIZES,
    MultiScaleDiscriminator,
    PatchSampleMLP,
    build_generator,
)
from vst_desktop.trainspec.config import GENERATORS, TrainConfig
from vst_desktop.trainspec.presets import PRESETS, make_config

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_every_generator_the_config_accepts_is_built():
    assert tuple(GENERATOR_SIZES) == GENERATORS


@pytest.mark.parametrize("size", list(GENERATOR_SIZES))
def test_generator_starts_at_identity_without_norm_layers(size):
    torch.manual_seed(0)
    g = build_generator(size)
    x = torch.rand(2, 3, 40, 56)
    assert torch.equal(g(x), x)  # zero-initialised last layer: the residual is exactly 0
    assert not any(isinstance(m, (nn.BatchNorm2d, nn.InstanceNorm2d, nn.GroupNorm, nn.LayerNorm))
                   for m in g.modules())
    # Transposed convs only where kernel == stride (a pixel shuffle of a 1x1 conv): overlapping ones leave
    # checkerboard patterns.
    assert all(m.kernel_size == m.stride for m in g.modules() if isinstance(m, nn.ConvTranspose2d))
    assert g.stem[0].stride == (2, 2)
    feats = g.encode(x)
    assert [f.shape[1] for f in feats] == g.feature_channels


def test_strength_scales_the_residual():
    torch.manual_seed(0)
    g = build_generator("fast")
    nn.init.normal_(g.head[-1].weight, std=0.1)
    x = torch.rand(1, 3, 32, 32)
    full, half = g(x, 1.0), g(x, 0.5)
    assert not torch.allclose(full, x)
    torch.testing.assert_close(half - x, 0.5 * (full - x))
    assert torch.equal(g(x, 0.0), x)


def test_the_stages_a_training_step_reads_are_the_generator_at_full_strength():
    torch.manual_seed(0)
    g = build_generator("painter", flatten_radius=1, flatten_passes=2, flatten_scale=2)
    nn.init.normal_(g.last_conv.weight, std=0.1)
    g.colour.set_transform(0.8 * torch.eye(3), torch.full((3,), 0.1))
    x = torch.rand(2, 3, 32, 32)
    with torch.no_grad():
        s = g.stages(x)
        assert torch.equal(s.prepared, g.prepare(x)) and torch.equal(s.base, g.flatten(s.prepared))
        assert [f.shape[1] for f in s.feats] == g.feature_channels
        torch.testing.assert_close(s.out, g(x))


def test_discriminator_two_scales_and_conditional():
    d = MultiScaleDiscriminator(width=8)
    outs = d(torch.rand(2, 3, 64, 64))
    assert len(outs) == 2 and outs[0].shape[-1] == 2 * outs[1].shape[-1]
    dc = MultiScaleDiscriminator(width=8, conditional=True)
    assert len(dc(torch.rand(2, 6, 64, 64))) == 2
    assert any("parametrizations" in n for n, _ in d.named_parameters())  # spectral norm


def test_lsgan_targets():
    ones, zeros = [torch.ones(2, 1, 4, 4)], [torch.zeros(2, 1, 4, 4)]
    assert losses.lsgan_d(ones, zeros).item() == 0.0
    assert losses.lsgan_g(ones).item() == 0.0
    assert losses.lsgan_g(zeros).item() == 1.0


def test_patch_nce_prefers_matching_patches():
    torch.manual_seed(0)
    heads = PatchSampleMLP([8])
    f = [torch.randn(2, 8, 6, 6)]
    ids = [torch.randperm(36)[:16]]
    q_same = heads(f, ids)
    q_other = heads([torch.randn(2, 8, 6, 6)], ids)
    same = losses.patch_nce(q_same, heads(f, ids), 2, 0.07)
    other = losses.patch_nce(q_other, heads(f, ids), 2, 0.07)
    assert same < other


def test_lowfreq_sees_shapes_not_fine_texture():
    x = torch.rand(1, 3, 32, 32)
    assert losses.lowfreq_luma_l1(x, x, 8).item() == 0.0
    grain = 0.05 * torch.randn(1, 1, 32, 32).repeat(1, 3, 1, 1)  # fine grain averages out in 8x8 blocks
    assert losses.lowfreq_luma_l1(x + grain, x, 8) < 0.02
    shapes = torch.zeros(1, 3, 32, 32)
    shapes[..., :16, :] = 1.0
    assert losses.lowfreq_luma_l1(shapes.flip(-2), shapes, 8) > 0.5


def test_temporal_term_is_zero_for_an_equivariant_generator():
    x = torch.rand(2, 3, 32, 32)
    flow = losses.random_smooth_flow(2, 32, 32, 3.0, torch.device("cpu"))
    moved = losses.warp(x, flow)
    assert (moved - x).abs().mean() > 0.01
    torch.testing.assert_close(losses.warp(x, torch.zeros_like(flow)), x, atol=1e-5, rtol=0)


def test_diff_augment_same_shape_and_no_colour_change():
    torch.manual_seed(0)
    x = torch.rand(3, 3, 32, 32)
    y = losses.diff_augment(x, 0.125, 0.5)
    assert y.shape == x.shape
    kept = y[y != 0]
    assert set(kept.tolist()) <= set(x.flatten().tolist())  # pixels move or vanish, never change colour


def test_objective_uses_only_weighted_terms():
    weights = losses.active_terms(dict(adv=0.0, nce=0.0, lowfreq=1.0, identity=0.0, tv=0.5, temporal=0.0,
                                       paired_l1=3.0), paired=False)
    assert weights == {"lowfreq": 1.0, "tv": 0.5}  # paired_l1 is paired-only
    x = torch.rand(1, 3, 16, 16)
    t = losses.StepTensors(content=x, fake=x.flip(-1))
    total, parts = losses.generator_objective(t, weights, losses.TermSettings(0.07, 4))
    assert set(parts) == {"lowfreq", "tv"}
    assert total.item() == pytest.approx(parts["lowfreq"] + 0.5 * parts["tv"], rel=1e-5)


def test_every_weight_has_a_term():
    assert set(TrainConfig().loss_weights()) == set(losses.GENERATOR_TERMS)


def test_config_json_round_trip_and_unknown_keys():
    cfg = make_config("balanced", styles_dir="/x", seed=7)
    assert TrainConfig.from_json(cfg.to_json()) == cfg
    with pytest.raises(Exception, match="unknown settings"):
        TrainConfig.from_dict(dict(cfg.to_dict(), bogus=1))
    fields = {f.name for f in dataclasses.fields(TrainConfig)}
    for preset in PRESETS.values():
        assert set(preset) <= fields

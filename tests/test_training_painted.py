"""The painted recipe: presets, the stroke teacher's targets, the colour stage and the sub-pixel head through
ONNX export (parity with torch on real frames)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from _helpers import coffee_photo

from vst_desktop.styles.validate import validate_onnx
from vst_desktop.training import export
from vst_desktop.training.data import load_training_data
from vst_desktop.training.loop import DistInfo, GeneratorStep, Trainer
from vst_desktop.training.models import build_generator
from vst_desktop.training.texture.marks import generator_stages, teacher_settings
from vst_desktop.training.texture.strokes import StrokeTeacher
from vst_desktop.training.texture.views import grey, highpass
from vst_desktop.trainspec.presets import PRESETS, make_config

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_presets_default_to_the_painted_recipe_and_gan_stays_available():
    for name in PRESETS:
        cfg = make_config(name)
        assert cfg.recipe == "painted" and cfg.w_adv == 0 and cfg.w_highpass > 0 and cfg.w_paired_l1 > 0
        assert build_generator(cfg.generator).colour is not None
    gan = make_config("quick", recipe="gan")
    assert gan.generator == "fast" and gan.w_adv > 0 and gan.w_nce > 0 and gan.w_highpass == 0
    paired = make_config("quick", paired=True)  # a folder of the user's own edits: the adversarial recipe
    assert paired.recipe == "gan" and paired.w_lowfreq == 0 and paired.w_nce == 0


def test_the_teacher_paints_deterministically(coffee):
    x = np.ascontiguousarray(coffee.transpose(2, 0, 1)[None])
    teacher = StrokeTeacher(r=6, amp=0.2, length=10)
    a, b = teacher(x), teacher(x)
    assert np.array_equal(a, b) and a.shape == x.shape and a.dtype == np.float32
    hp_in = highpass(grey(torch.from_numpy(x)), 3.0).abs().mean()
    hp_out = highpass(grey(torch.from_numpy(a)), 3.0).abs().mean()
    assert hp_out > 1.5 * hp_in  # strokes add fine texture a photo does not have
    assert np.abs(a - x).mean() > 0.02
    batch = np.concatenate([x, x[..., ::-1, :], x[..., ::-1]])
    serial = teacher(batch)  # a GPU run paints its crops on several threads: the same targets
    assert np.array_equal(StrokeTeacher(r=6, amp=0.2, length=10, workers=3)(batch), serial)


def test_other_marks_horizontal_dabs_and_flat_planes(coffee):
    """Monet's horizontal dabs (`direction`, `contrast_floor`) and Udnie's flat colour planes (`passes`)."""
    x = np.ascontiguousarray(coffee.transpose(2, 0, 1)[None])
    flat = StrokeTeacher(r=3, amp=0.0, lines=0.0)(x)[0]
    dabs = StrokeTeacher(r=3, amp=0.1, length=4, lines=0.0, width=1.25, direction=0.0, contrast_floor=0.03)(x)
    strokes = (dabs[0] - flat).mean(axis=0)
    along, across = np.abs(np.diff(strokes, axis=1)).mean(), np.abs(np.diff(strokes, axis=0)).mean()
    assert across > 1.5 * along  # every stroke runs horizontally
    assert np.abs(strokes).mean() > 0.01
    hp = lambda a: highpass(grey(torch.from_numpy(np.ascontiguousarray(a))), 3.0).abs().mean()  # noqa: E731
    planes = StrokeTeacher(r=4, amp=0.0, lines=0.0, passes=2)(x)
    one_pass = StrokeTeacher(r=4, amp=0.0, lines=0.0)(x)
    assert hp(planes) < hp(one_pass) < hp(x)  # no strokes; each pass merges regions into flatter planes
    assert np.array_equal(planes, StrokeTeacher(r=4, amp=0.0, lines=0.0, passes=2, workers=2)(x))


@pytest.fixture()
def coffee(shared_data) -> np.ndarray:
    rgb = coffee_photo(shared_data, (192, 128))[..., ::-1]
    return np.ascontiguousarray(rgb, dtype=np.float32) / 255.0


def test_trainer_targets_are_the_teachers_painting_of_the_colour_transformed_crop(tmp_path, shared_data):
    cfg = make_config("quick", styles_dir=str(shared_data / "styles" / "ukiyo_e"), batch_size=2, crop_size=64,
                      max_image_side=200, val_photos=2, threads=1, stroke_direction=30.0,
                      stroke_contrast_floor=0.03, stroke_passes=2)
    data = load_training_data(cfg.styles_dir, "", False, 64, (0.5, 1.0), 200, 2, content_pixel_scale=True)
    trainer = Trainer(cfg, data, torch.device("cpu"), DistInfo(), tmp_path, None)
    colour = trainer.generator.colour
    assert not torch.allclose(colour.matrix, torch.eye(3))  # fitted to the ukiyo-e palette
    assert torch.equal(trainer.ema.colour.matrix, colour.matrix)
    content, style, target = trainer.batch()
    assert style is None and target.shape == content.shape
    expected = StrokeTeacher(cfg.stroke_radius, cfg.stroke_amp, cfg.stroke_length, cfg.stroke_lines,
                             cfg.stroke_width, direction=30.0, contrast_floor=0.03, passes=2)(colour(content).numpy())
    np.testing.assert_allclose(target.numpy(), expected, atol=1e-6)
    assert data.val_targets is not None and data.val_targets.shape == data.val_inputs.shape


def test_the_planes_generator_flattens_regions_and_keeps_their_edges(coffee):
    """Udnie's planes are built into the generator (a soft Kuwahara stage): a fresh generator, whose residual
    is still zero, already flattens textures like the teacher while edges stay sharper than under a blur
    that removes as much texture; strength 0 gives the palette alone."""
    stages = generator_stages(make_config("quick", marks="planes"))
    assert stages and not generator_stages(make_config("quick", marks="strokes"))
    assert not generator_stages(make_config("quick", marks="planes", paired=True))
    g = build_generator("painter", **stages)
    x = torch.from_numpy(np.ascontiguousarray(coffee.transpose(2, 0, 1)[None]))
    with torch.no_grad():
        flat, none = g(x), g(x, 0.0)
    assert torch.equal(none, x)  # identity colour stage at strength 0: the photo itself
    teacher = torch.from_numpy(StrokeTeacher(**teacher_settings(make_config("quick", marks="planes")))(x.numpy()))

    def gradients(a):  # horizontal grey differences
        return (grey(a)[..., :, 1:] - grey(a)[..., :, :-1]).abs().flatten()

    def inside(a):  # the typical pixel lies inside a region: flat planes leave it almost no gradient
        return float(gradients(a).median())

    def edges(a):  # the 1% strongest gradients: the borders of the regions
        return float(torch.quantile(gradients(a), 0.99))

    assert inside(flat) < 0.3 * inside(x) and inside(teacher) < 0.3 * inside(x)
    blurred, k = x, 3
    while inside(blurred) > inside(flat) and k < 41:  # a box blur that flattens as much
        blurred = torch.nn.functional.avg_pool2d(torch.nn.functional.pad(x, (k // 2,) * 4, mode="reflect"), k, 1)
        k += 2
    assert edges(flat) > 2 * edges(blurred)


def test_the_temporal_term_does_not_charge_the_network_for_the_planes_own_flicker(coffee):
    """With the planes stage, the temporal reference moves with the stage's own change: a network that adds
    nothing (zero residual) costs what it costs without the stage (only the input noise), instead of being
    pushed to blur the plane borders away."""
    x = torch.from_numpy(np.ascontiguousarray(coffee.transpose(2, 0, 1)[None]))
    costs = {}
    for name, stages in (("plain", {}), ("planes", generator_stages(make_config("quick", marks="planes")))):
        cfg = make_config("quick", marks="planes")
        step = GeneratorStep(build_generator("painter", **stages), None, cfg, use_identity=False, use_temporal=True)
        torch.manual_seed(5)  # the same random flow and noise for both
        _, extras = step(x, None)
        costs[name] = float(torch.nn.functional.l1_loss(extras["temporal_out"], extras["temporal_ref"]))
    assert costs["planes"] == pytest.approx(costs["plain"], rel=1e-3, abs=1e-5)
    assert costs["plain"] > 0  # the input noise is still charged


@pytest.mark.parametrize("size", ["painter", "quality", "painter+planes", "painter+canvas", "painter+canvas+gain",
                                  "painter+canvas+wall", "painter+canvas+wall+smooth"])
def test_colour_stage_and_head_survive_export(tmp_path, size):
    torch.manual_seed(3)
    if size == "painter+planes":
        g = build_generator("painter", **generator_stages(make_config("quick", marks="planes")))
    elif size == "painter+canvas":  # the canvas channel keeps its place when the stem is turned to BGR
        g = build_generator("painter", **generator_stages(make_config("quick", marks="analogy")))
        torch.nn.init.normal_(g.stem[0].weight, std=0.3)
    elif size == "painter+canvas+gain":  # the gain's outputs turn to BGR but keep the canvas's pixel scale
        g = build_generator("painter", **generator_stages(make_config("quick", marks="analogy",
                                                                      analogy_canvas_gain="pixel")))
        assert g.last_conv.bias.shape[0] == 6
    elif size.startswith("painter+canvas+wall"):  # the painted wall's colours turn to BGR with the gain's
        gain = "smooth" if size.endswith("smooth") else ""
        g = build_generator("painter", **generator_stages(make_config("quick", marks="analogy",
                                                                      analogy_canvas_wall=True,
                                                                      analogy_canvas_gain=gain)))
        if gain:
            torch.nn.init.normal_(g.gain_head.weight, std=0.3)
            torch.nn.init.normal_(g.gain_head.bias, std=0.3)
        with torch.no_grad():
            g.canvas.wall.copy_(torch.randn_like(g.canvas.wall) * 0.1)
            g.canvas.wall[:, 0] += 0.1  # red and blue differ, so a missed flip shows
        torch.nn.init.normal_(g.stem[0].weight, std=0.3)
    else:
        g = build_generator(size)
    g.colour.set_transform([[0.8, 0.3, 0.0], [0.1, 0.7, 0.2], [0.0, 0.2, 0.6]], [0.05, -0.02, 0.1])
    torch.nn.init.normal_(g.last_conv.weight, std=0.2)
    torch.nn.init.normal_(g.last_conv.bias, std=0.05)
    path = export.export_onnx(g, tmp_path / "p.onnx")
    validate_onnx(path)  # the style library's contract (the planes stage once lost the output's shape)
    frames = export.parity_frames()
    assert export.check_parity(g, path, frames) <= export.PARITY_TOLERANCE
    session = export.onnx_session(path)
    frame = frames[0]
    # strength 0 leaves the colour transform alone: the palette without the strokes
    flat = export.run_onnx(session, frame, 0.0)
    assert np.abs(flat.astype(int) - export.torch_reference(g, frame, 0.0)).max() <= export.PARITY_TOLERANCE
    assert np.abs(flat.astype(int) - frame).mean() > 5

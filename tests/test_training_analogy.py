"""The analogy marks (`marks="analogy"`): a teacher that copies its marks from the folder's own paintings, the
canvas the generator and the teacher share, and a short real training run with the discriminator on."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest
import torch
from _helpers import coffee_photo

from vst_desktop.training.fixed_stages import CanvasStage
from vst_desktop.training.models import build_generator
from vst_desktop.training.run import train
from vst_desktop.training.texture.analogy import (
    CANVAS_PERIOD,
    PAINTING_FORMS,
    AnalogyTeacher,
    canvas_for,
    canvas_tile,
    painting_tile,
    wall_for,
)
from vst_desktop.training.texture.marks import analogy_settings, generator_stages
from vst_desktop.training.texture.synth import synthesized_tile
from vst_desktop.trainspec.config import CANVAS_FORMS, config_problems
from vst_desktop.trainspec.presets import make_config

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def stripes(vertical: bool, size: int = 256, period: int = 6) -> np.ndarray:
    """A 'painting' made of one mark: stripes of `period` px, as uint8 RGB."""
    ramp = (np.arange(size) % period < period // 2).astype(np.uint8) * 120 + 60
    img = np.tile(ramp[None, :] if vertical else ramp[:, None], (size, 1) if vertical else (1, size))
    return np.repeat(img[..., None], 3, axis=2)


def orientation(img: np.ndarray) -> float:
    """Energy of horizontal grey changes over vertical ones: > 1 for vertical stripes."""
    g = img.mean(2)
    return float(np.abs(np.diff(g, axis=1)).mean() / (np.abs(np.diff(g, axis=0)).mean() + 1e-6))


@pytest.mark.parametrize("vertical", [True, False])
def test_the_marks_come_from_the_paintings(shared_data, vertical):
    """The same photo painted from a folder of vertical stripes gets vertical marks, from horizontal ones
    horizontal marks; the photo itself has neither."""
    photo = coffee_photo(shared_data, (192, 128))[..., ::-1].astype(np.float32) / 255.0
    teacher = AnalogyTeacher([stripes(vertical)], keep=0.0)
    out = teacher.paint(photo)
    assert out.shape == photo.shape and out.dtype == np.float32
    assert np.array_equal(out, teacher.paint(photo))  # deterministic: a network can learn it
    before, after = orientation(photo), orientation(out)
    assert 0.6 < before < 1.6
    assert (after > 2.0 * before) if vertical else (after < 0.5 * before)


def test_a_plain_wall_gets_marks_tied_to_the_frame_through_the_canvas(shared_data):
    """A flat area has no structure of its own to match: the canvas gives it marks, and they are a function of
    position in the frame, so the same wall in a narrower frame gets the same marks where the two overlap."""
    van_gogh = [cv2.imread(str(p))[..., ::-1] for p in sorted((shared_data / "styles" / "van_gogh").iterdir())[:3]]
    teacher = AnalogyTeacher(van_gogh, canvas=0.5)
    wall = np.full((96, 128, 3), 0.6, np.float32)
    marks = teacher.paint(wall)
    assert marks.std() > 0.02  # marks on the wall
    narrower = teacher.paint(wall[:, :112])
    inner = (slice(None), slice(0, 96))  # away from the narrower frame's right border (its last patches)
    assert np.allclose(narrower[inner], marks[inner], atol=1e-5)
    # they come from the canvas: the same wall pixels under another part of the tile (a frame starting 8 px
    # further right) get other marks; without a canvas every flat patch picks the same painting patch, so a
    # shift by the patch stride changes nothing
    # (compared away from both frames' borders, where fewer patches overlap)
    shifted, moved = (slice(8, -8), slice(8, 88)), (slice(8, -8), slice(16, 96))
    assert np.abs(teacher.paint(wall[:, 8:])[shifted] - marks[moved]).mean() > 0.01
    plain = AnalogyTeacher(van_gogh, canvas=0.0)
    assert np.allclose(plain.paint(wall[:, 8:])[shifted], plain.paint(wall)[moved], atol=1e-5)


FIXED_FORMS = [f for f in CANVAS_FORMS if f not in PAINTING_FORMS]  # those need a folder's paintings


@pytest.mark.parametrize("period", [CANVAS_PERIOD, 256])
@pytest.mark.parametrize("form", FIXED_FORMS)
def test_the_generator_sees_the_teachers_canvas_at_any_frame_size(form, period):
    tile = canvas_tile(form, period)
    assert tile.shape == (period, period) and tile.dtype == np.float32
    assert abs(tile.mean()) < 1e-4 and abs(tile.std() - 1) < 1e-3
    assert np.array_equal(tile, canvas_tile(form, period))  # deterministic: the teacher and the export agree
    # periodic: the wrap-around step (last column to first, last row to first) is as small as the inner
    # steps on average (a seam would be a jump of about 1.1 std everywhere along it)
    for axis in (0, 1):
        wrap = np.abs(np.take(tile, 0, axis) - np.take(tile, -1, axis)).mean()
        assert wrap <= 2.0 * np.abs(np.diff(tile, axis=axis)).mean() + 1e-6
    stage = CanvasStage(form, period=period)
    for h, w in [(40, 56), (200, 300), (360, 640)]:
        got = stage(torch.zeros(2, 3, h, w))
        assert got.shape == (2, 1, h, w)
        assert np.allclose(got[0, 0].numpy(), canvas_for(h, w, tile))
    cfg = make_config("quick", marks="analogy", analogy_canvas_form=form, analogy_canvas_period=period)
    assert generator_stages(cfg) == {"canvas": form, "canvas_gain": "", "canvas_wall": False, "canvas_period": period}


def coherence(tile: np.ndarray) -> float:
    """Mean local orientation coherence of the structure tensor (0 isotropic, 1 all along one direction)."""
    gx = np.roll(tile, -1, 1) - np.roll(tile, 1, 1)
    gy = np.roll(tile, -1, 0) - np.roll(tile, 1, 0)
    blur = lambda a: cv2.GaussianBlur(a.astype(np.float32), (0, 0), 3.0)  # noqa: E731
    jxx, jyy, jxy = blur(gx * gx), blur(gy * gy), blur(gx * gy)
    return float(np.mean(np.sqrt((jxx - jyy) ** 2 + 4 * jxy ** 2) / (jxx + jyy + 1e-6)))


def autocorrelation(tile: np.ndarray) -> np.ndarray:
    """The tile's circular autocorrelation, 1 at lag (0, 0); [dy, dx] is the lag (negative lags wrap)."""
    spec = np.fft.fft2(tile - tile.mean())
    ac = np.real(np.fft.ifft2(np.abs(spec) ** 2))
    return ac / ac[0, 0]


def test_the_stroke_canvas_is_made_of_oriented_dashes():
    assert coherence(canvas_tile("strokes")) > 0.6 > 0.35 > coherence(canvas_tile("blobs"))
    with pytest.raises(ValueError):
        canvas_tile("dots")


def test_the_multi_scale_stroke_canvas_adds_wider_dashes():
    """Still oriented dashes, but with a coarser scale: neighbours 4 px apart stay alike, where the fine
    dashes (about 2 px wide) have already decorrelated."""
    multi, fine = canvas_tile("strokes_multi"), canvas_tile("strokes")
    assert coherence(multi) > 0.6
    ac_multi, ac_fine = autocorrelation(multi), autocorrelation(fine)
    for lag in [(0, 4), (4, 0)]:
        assert ac_multi[lag] > ac_fine[lag] + 0.15


def test_the_band_canvas_is_long_parallel_bands():
    """Bands run along one direction (the diagonal y = -x on average): along it the tile stays alike, across
    it about half a band spacing (4.5 px) away it is reversed; and locally every band is a long line (the
    structure tensor's coherence near 1). The blobs have neither."""
    ac = autocorrelation(canvas_tile("bands"))
    assert ac[-2, 2] > 0.5 and ac[2, 2] < -0.2  # lags (2, -2) along and (2, 2) across: 2.8 px
    assert ac[3, 3] < -0.3
    assert coherence(canvas_tile("bands")) > 0.8
    blobs = autocorrelation(canvas_tile("blobs"))
    assert abs(blobs[-3, 3] - blobs[3, 3]) < 0.1


def test_the_hatching_canvas_is_thin_pen_lines_on_blank_paper():
    """Most of the tile is the paper's one level (its maximum: the lines are darker), the lines are thin (a
    small share of the pixels) and run along the diagonal y = x: along it the tile stays alike, across it
    it does not, and locally every line is straight (coherence near 1 where there is ink)."""
    tile = canvas_tile("hatching", 256)
    paper = tile.max()
    assert (np.abs(tile - paper) < 1e-6).mean() > 0.5
    assert (tile < paper - 1.0).mean() < 0.25
    ac = autocorrelation(tile)
    assert ac[3, 3] > 0.5 > 0.1 > ac[-3, 3]  # lags (3, 3) along the lines, (-3, 3) across: 0.78, -0.01
    assert coherence(tile) > 0.6
    assert not np.array_equal(tile, canvas_tile("hatching", 256, seed=7))


def test_the_cell_canvas_is_flat_patches_with_sharp_borders():
    """Piecewise constant: most pixels equal their neighbours exactly, and where they differ they jump
    (a border between two cells), not drift as noise does."""
    cells = canvas_tile("cells")
    step = np.maximum(np.abs(np.roll(cells, -1, 0) - cells), np.abs(np.roll(cells, -1, 1) - cells))
    assert (step < 1e-6).mean() > 0.7
    assert np.median(step[step > 1e-6]) > 0.3  # the borders are steps between cells' grey levels
    assert (np.maximum(np.abs(np.diff(canvas_tile("blobs"), axis=0)), 0) < 1e-6).mean() < 0.01
    assert len(np.unique(cells)) < 200  # a few dozen cells, one grey each
    # a longer period holds more cells of the same size, not larger cells
    assert len(np.unique(canvas_tile("cells", 256))) == pytest.approx(4 * len(np.unique(cells)), rel=0.05)


def test_marks_move_with_the_picture_when_the_canvas_moves_with_it():
    """The temporal term moves the canvas with the crop: a network that paints from the canvas is then
    charged only for the flicker it adds. With both moved by a multiple of the network's stride its output
    moves exactly; with a still canvas it does not."""
    torch.manual_seed(0)
    g = build_generator("painter", **generator_stages(make_config("quick", marks="analogy"))).eval()
    assert g.canvas is not None and g.stem[0].in_channels == 4
    with torch.no_grad():
        for p in g.parameters():
            p.add_(0.1 * torch.randn_like(p))
        x = torch.rand(1, 3, 64, 96)
        canvas = g.canvas(x)
        moved = lambda t: torch.roll(t, 8, dims=3)  # noqa: E731
        ref = moved(g.stages(x, canvas).out)
        together = g.stages(moved(x), moved(canvas)).out
        still = g.stages(moved(x)).out
    inner = (..., slice(16, -16), slice(24, -24))
    assert torch.allclose(together[inner], ref[inner], atol=1e-5)
    assert (still[inner] - ref[inner]).abs().mean() > 1e-3


def noisy_stripes(vertical: bool, seed: int) -> np.ndarray:
    """Stripes whose period wanders (5-9 px) plus grain: a folder of one kind of mark, never quite periodic."""
    rng = np.random.default_rng(seed)
    edges = np.cumsum(rng.integers(5, 10, 200))
    ramp = (np.searchsorted(edges, np.arange(300)) % 2).astype(np.float32) * 120 + 60
    img = np.tile(ramp[None, :300], (300, 1)) if vertical else np.tile(ramp[:300, None], (1, 300))
    img = img + rng.normal(0, 3, img.shape)
    return np.repeat(np.clip(img, 0, 255).astype(np.uint8)[..., None], 3, axis=2)


PAINTING_TILES = {"painting": painting_tile, "painting_marks": lambda greys: synthesized_tile(greys, CANVAS_PERIOD)}


@pytest.mark.parametrize("form", PAINTING_FORMS)
@pytest.mark.parametrize("vertical", [True, False])
def test_the_painting_canvas_is_cut_from_the_paintings(vertical, form):
    """The painting canvases carry the folder's own marks (vertical stripes give a tile of vertical stripes),
    tile without a seam and are the same every time, so the teacher and a resumed run agree."""
    greys = [cv2.cvtColor(noisy_stripes(vertical, seed), cv2.COLOR_RGB2GRAY).astype(np.float32) / 255 for seed in (1, 2)]
    painting_tile = PAINTING_TILES[form]
    tile = painting_tile(greys)
    assert tile.shape == (CANVAS_PERIOD, CANVAS_PERIOD) and tile.dtype == np.float32
    assert abs(tile.mean()) < 1e-4 and abs(tile.std() - 1) < 1e-3
    ratio = orientation(tile[..., None])
    assert (ratio > 3) if vertical else (ratio < 1 / 3)
    assert np.array_equal(tile, painting_tile(greys))
    for axis in (0, 1):  # the step across the wrap is no larger than the largest step between inner rows/columns
        wrap = np.abs(np.take(tile, 0, axis) - np.take(tile, -1, axis)).mean()
        assert wrap <= np.abs(np.diff(tile, axis=axis)).mean(1 - axis).max()
    teacher = AnalogyTeacher([noisy_stripes(vertical, 1), noisy_stripes(vertical, 2)], canvas_form=form)
    assert orientation(teacher.tile[..., None]) == pytest.approx(ratio, rel=0.5)


def test_the_canvas_gives_way_where_the_photo_has_structure_of_its_own(shared_data):
    """With canvas_flat the canvas still marks a plain wall as strongly as before, but in the detailed half of
    the frame it changes the painting much less: the eyes and mouth stay the photo's, the wall gets marks."""
    van_gogh = [cv2.imread(str(p))[..., ::-1] for p in sorted((shared_data / "styles" / "van_gogh").iterdir())[:3]]
    photo = coffee_photo(shared_data, (256, 128))[..., ::-1].astype(np.float32) / 255
    frame = photo.copy()
    frame[:, :128] = photo[:, :128].mean((0, 1))  # left half: a plain wall; right half: the detailed photo
    bare = AnalogyTeacher(van_gogh, canvas=0.0).paint(frame)

    def change(**kw) -> tuple[float, float]:
        out = AnalogyTeacher(van_gogh, canvas=1.5, canvas_form="painting", **kw).paint(frame)
        d = np.abs(out - bare).mean(2)
        return float(d[16:-16, 16:112].mean()), float(d[16:-16, 144:-16].mean())

    wall_plain, detail_plain = change()
    wall_flat, detail_flat = change(canvas_flat=3.0)
    assert wall_flat == pytest.approx(wall_plain, rel=0.1) and wall_flat > 0.01
    assert detail_flat < 0.7 * detail_plain


def test_paintings_smaller_than_the_canvas_cannot_give_a_painting_canvas():
    with pytest.raises(ValueError, match="painting canvas needs"):
        painting_tile([np.zeros((100, 400), np.float32)])


@pytest.mark.parametrize("form", PAINTING_FORMS)
def test_a_painting_canvas_run_gives_the_generator_the_teachers_tile(tmp_path, shared_data, form):
    """The generator's canvas is the one the teacher matched against, in the weights and in their average,
    so the export paints the wall with the same canvas; at the period the config asks for."""
    cfg = make_config("quick", styles_dir=str(shared_data / "styles" / "van_gogh"), marks="analogy", w_adv=0.5,
                      analogy_canvas_form=form, analogy_canvas_wall=True, analogy_canvas_period=96,
                      iterations=2, batch_size=2,
                      crop_size=64, max_image_side=256, sample_every=2, checkpoint_every=2, val_photos=2, threads=1)
    assert train(cfg, tmp_path / "run").status == "done"
    state = torch.load(tmp_path / "run" / "checkpoints" / "latest.pt", weights_only=True)
    tile = state["EMA"]["canvas.tile"][0, 0].numpy()
    assert torch.equal(state["G"]["canvas.tile"], state["EMA"]["canvas.tile"])
    wall = state["EMA"]["canvas.wall"][0]  # the teacher's painted wall came along too
    assert wall.shape == (3, 96, 96) and float(wall.std()) > 1e-3
    assert abs(tile.std() - 1) < 1e-3  # not the zero placeholder that CanvasStage starts with
    assert not np.allclose(tile, canvas_tile("blobs", 96))


def test_a_short_analogy_run_trains_with_the_discriminator(tmp_path, shared_data):
    cfg = make_config("quick", styles_dir=str(shared_data / "styles" / "monet"), marks="analogy", w_adv=0.5,
                      iterations=4, batch_size=2, crop_size=64, max_image_side=256, sample_every=4,
                      checkpoint_every=4, val_photos=2, threads=1)
    assert analogy_settings(cfg)["patch"] == cfg.analogy_patch
    result = train(cfg, tmp_path / "run")
    assert result.status == "done" and result.step == 4
    saved = json.loads((tmp_path / "run" / "config.json").read_text())
    assert saved["marks"] == "analogy" and saved["w_adv"] == 0.5
    losses = [json.loads(line) for line in (tmp_path / "run" / "log.jsonl").read_text().splitlines()]
    last = [e for e in losses if e["event"] == "progress"][-1]["losses"]
    assert {"adv", "d", "paired_l1", "temporal"} <= set(last)


def test_the_highpass_discriminator_judges_marks_not_colour():
    """d_input="highpass": a colour cast or a smooth shading change is (almost) invisible to it, a stroke is not."""
    from vst_desktop.training.losses import discriminator_view

    torch.manual_seed(0)
    y = 0.3 + 0.4 * torch.rand(2, 3, 48, 48)
    view = discriminator_view(y, "highpass")
    assert view.shape == y.shape
    cast = y + torch.tensor([0.1, -0.05, 0.08]).view(1, 3, 1, 1)
    assert (discriminator_view(cast, "highpass") - view).abs().max() < 1e-4
    shading = y + 0.2 * torch.linspace(0, 1, 48).view(1, 1, 1, 48)
    inner = (..., slice(12, -12), slice(12, -12))  # away from the blur's border
    assert (discriminator_view(shading, "highpass") - view)[inner].abs().max() < 0.01
    stroke = y.clone()
    stroke[:, :, 20:23, 5:40] -= 0.3
    assert (discriminator_view(stroke, "highpass") - view).abs().max() > 0.3
    assert torch.equal(discriminator_view(y, "rgb"), y)


def test_asking_for_the_analogy_marks_brings_their_discriminator():
    """Distilled without a discriminator the copied marks average away (docs/research/analogy_marks.md)."""
    assert make_config("quick").w_adv == 0  # the hand-written families stay teacher-only
    assert make_config("quick", marks="analogy").w_adv > 0
    assert make_config("quick", marks="analogy", w_adv=0.0).w_adv == 0  # an explicit value wins
    assert make_config("quick", marks="analogy", recipe="gan").w_adv == make_config("quick", recipe="gan").w_adv


def test_paintings_too_small_for_the_patch_stop_with_a_message(tmp_path, shared_data):
    from vst_desktop.core.errors import TrainingDataError

    folder = tmp_path / "small"
    folder.mkdir()
    for i, p in enumerate(sorted((shared_data / "styles" / "van_gogh").iterdir())[:2]):
        img = cv2.imread(str(p))
        cv2.imwrite(str(folder / f"{i}.png"), cv2.resize(img, (120, 90), interpolation=cv2.INTER_AREA))
    cfg = make_config("quick", styles_dir=str(folder), marks="analogy", analogy_patch=32, iterations=1,
                      batch_size=1, crop_size=32, val_photos=1, threads=1)
    with pytest.raises(TrainingDataError, match="analogy_patch=32") as info:
        train(cfg, tmp_path / "run")
    assert "smaller --set analogy_patch" in info.value.hint
    # paintings large enough for the patch but not for the painting canvas: the hint names the canvas
    cfg = make_config("quick", styles_dir=str(folder), marks="analogy", analogy_patch=16, iterations=1,
                      analogy_canvas_form="painting", batch_size=1, crop_size=32, val_photos=1, threads=1)
    with pytest.raises(TrainingDataError, match="painting canvas needs") as info:
        train(cfg, tmp_path / "run2")
    assert "analogy_canvas_form" in info.value.hint
    # an exemplar too small for a block is a setting to change, not the images
    cfg = make_config("quick", styles_dir=str(folder), marks="analogy", analogy_patch=16, iterations=1,
                      analogy_canvas_form="painting_marks", analogy_canvas_period=64, analogy_canvas_exemplar=20,
                      batch_size=1, crop_size=32, val_photos=1, threads=1)
    with pytest.raises(TrainingDataError, match="exemplar .20 px.") as info:
        train(cfg, tmp_path / "run3")
    assert "analogy_canvas_exemplar" in info.value.hint


def test_without_a_canvas_the_generator_gets_no_canvas_channel():
    assert generator_stages(make_config("quick", marks="analogy", analogy_canvas=0.0)) == {}


def test_the_canvas_gain_lays_the_canvas_itself_on_the_picture():
    """With the gain head, the generator can add the canvas pixel for pixel (the teacher's flat-area marks
    follow it at full resolution): a gain of g on every pixel adds exactly g x canvas, and the gain's
    output starts at zero, so training still starts at the identity."""
    cfg = make_config("quick", marks="analogy", analogy_canvas_gain="pixel")
    assert generator_stages(cfg) == {"canvas": "blobs", "canvas_gain": "pixel", "canvas_wall": False,
                                    "canvas_period": 128}
    g = build_generator("painter", **generator_stages(cfg))
    x = torch.rand(1, 3, 64, 96)
    with torch.no_grad():
        assert torch.allclose(g(x), g.prepare(x))
        g.last_conv.bias[3:] = 0.1
        got = g(x) - g.prepare(x)
        want = 0.1 * g.canvas(x)
    assert torch.allclose(got, want.expand_as(got), atol=1e-6)
    assert torch.allclose(g.stages(x).out, g(x), atol=1e-6)


def test_with_the_painted_wall_a_plain_wall_gets_the_same_marks_whatever_its_brightness(shared_data):
    """canvas_wall: on a flat area the teacher lays its own fixed painting of a flat wall, so the marks there
    no longer turn on the wall's brightness (the match picks other patches for a wall a little lighter, which
    made the marks noise to a student), and the generator can write them as a gain times the wall it carries."""
    paints = [cv2.imread(str(p))[..., ::-1] for p in sorted((shared_data / "styles" / "van_gogh").iterdir())[:4]]
    kw = dict(patch=24, stride=12, low_sigma=6.0, canvas=1.5, canvas_form="painting", canvas_flat=3.0)
    walls = [np.full((160, 224, 3), level, np.float32) for level in (0.45, 0.55)]
    for wall_on, at_least, at_most in [(False, None, 0.6), (True, 0.99, None)]:
        teacher = AnalogyTeacher(paints, canvas_wall=wall_on, **kw)
        a, b = (teacher.paint(w) - w for w in walls)
        agree = float(np.corrcoef(a.ravel(), b.ravel())[0, 1])
        assert (at_least is None or agree >= at_least) and (at_most is None or agree <= at_most), (wall_on, agree)
    assert teacher.wall.shape == (128, 128, 3)
    cfg = make_config("quick", marks="analogy", analogy_canvas_wall=True)
    g = build_generator("painter", **generator_stages(cfg))
    with torch.no_grad():
        g.canvas.wall.copy_(torch.from_numpy(teacher.wall).permute(2, 0, 1)[None])
        g.last_conv.bias[3:] = 1.0
        x = torch.full((1, 3, 160, 224), 0.45)
        got = (g(x) - g.prepare(x))[0].permute(1, 2, 0).numpy()
    assert np.allclose(got, wall_for(160, 224, teacher.wall), atol=1e-5)


def test_the_smooth_canvas_gain_comes_from_the_body_and_cannot_shimmer_per_pixel():
    """canvas_gain "smooth": the gain is the body's 1/4-resolution answer enlarged, so a one-pixel change of
    the input (a sensor's noise) moves the canvas's amplitude far less than a per-pixel gain can."""
    cfg = make_config("quick", marks="analogy", analogy_canvas_wall=True, analogy_canvas_gain="smooth")
    g = build_generator("painter", **generator_stages(cfg))
    assert g.last_conv.bias.shape[0] == 3 and g.gain_head is not None
    x = torch.rand(1, 3, 64, 96)
    with torch.no_grad():
        assert torch.allclose(g(x), g.prepare(x))  # zero gain at the start: the identity
        g.gain_head.bias[:] = 0.5
        g.canvas.wall.normal_()
        got = g(x) - g.prepare(x)
    assert torch.allclose(got, 0.5 * g.canvas(x)[:, 1:], atol=1e-5)


def test_the_wall_gain_scales_the_painted_wall_and_comes_from_the_config(shared_data):
    """analogy_wall_gain: a quieter wall (dense marks on a plain wall cost content edge SSIM), the same marks."""
    paints = [cv2.imread(str(p))[..., ::-1] for p in sorted((shared_data / "styles" / "monet").iterdir())[:3]]
    kw = dict(patch=24, stride=12, low_sigma=6.0, canvas=1.5, canvas_form="painting", canvas_wall=True)
    full, half = (AnalogyTeacher(paints, wall_gain=g, **kw).wall for g in (1.0, 0.5))
    assert np.abs(full).mean() > 0.005 and np.allclose(half, 0.5 * full, atol=1e-6)
    cfg = make_config("quick", marks="analogy", analogy_canvas_wall=True, analogy_wall_gain=0.5, analogy_keep=1.5)
    assert analogy_settings(cfg)["wall_gain"] == 0.5 and analogy_settings(cfg)["keep"] == 1.5


def test_a_wider_flat_window_keeps_the_canvas_off_the_cheeks_but_not_off_the_wall(shared_data):
    """analogy_flat_window: measured over about a face, a cheek between the eyes and the mouth counts as
    structured, so the canvas leaves it alone; a plain wall far from the face stays flat at any window."""
    paints = [cv2.imread(str(p))[..., ::-1] for p in sorted((shared_data / "styles" / "monet").iterdir())[:3]]
    grey = np.full((192, 256), 0.5, np.float32)
    for y0, x0, y1, x1 in ((60, 150, 68, 162), (60, 178, 68, 190), (104, 158, 110, 182)):  # eyes, mouth
        grey[y0:y1, x0:x1] = 0.1
    cheek, far_wall = (86, 152), (96, 40)

    def share(window: float) -> np.ndarray:
        return AnalogyTeacher(paints, patch=24, stride=12, canvas=1.5, canvas_form="painting", canvas_flat=3.0,
                              flat_window=window).canvas_share(grey)

    narrow, wide = share(0.25), share(1.0)
    assert narrow[cheek] > 0.6 and wide[cheek] < 0.1
    assert narrow[far_wall] > 0.95 and wide[far_wall] > 0.95
    cfg = make_config("quick", marks="analogy", analogy_canvas_flat=3.0, analogy_flat_window=1.0)
    assert analogy_settings(cfg)["flat_window"] == 1.0


def test_the_low_pass_under_the_paintings_detail_is_its_own_setting(shared_data):
    """analogy_low_sigma: 0 keeps the low-pass tied to the patch (patch / 4); set, it is used as given, and it
    is the photo's low-pass that the teacher lays the paintings' detail over."""
    assert analogy_settings(make_config("quick", marks="analogy", analogy_patch=12))["low_sigma"] == 3.0
    wide = make_config("quick", marks="analogy", analogy_patch=12, analogy_low_sigma=6.0)
    assert analogy_settings(wide)["low_sigma"] == 6.0
    assert any("analogy_low_sigma" in p for p in config_problems(make_config("quick", analogy_low_sigma=-1.0)))
    photo = coffee_photo(shared_data, (192, 128))[..., ::-1].astype(np.float32) / 255.0
    for sigma in (3.0, 6.0):  # no painted detail and none of the photo's: what is left is the low-pass
        teacher = AnalogyTeacher([stripes(True)], patch=12, stride=6, low_sigma=sigma, detail=0.0, keep=0.0, canvas=0.0)
        assert np.allclose(teacher.paint(photo), cv2.GaussianBlur(photo, (0, 0), sigma), atol=1e-5)

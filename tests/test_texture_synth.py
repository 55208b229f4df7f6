"""The quilted canvas (`analogy_canvas_form="painting_marks"`, training/texture/synth.py): a periodic tile made
of blocks of the folder's paintings' grey detail."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from vst_desktop.training.texture.analogy import canvas_tile
from vst_desktop.training.texture.marks import analogy_settings
from vst_desktop.training.texture.synth import CanvasSettingsError, even_crop, synthesized_tile
from vst_desktop.trainspec.presets import make_config


def test_paintings_smaller_than_a_block_cannot_give_a_marks_canvas():
    with pytest.raises(ValueError, match="painting canvas needs"):
        synthesized_tile([np.zeros((12, 400), np.float32)], 256)


@pytest.mark.parametrize("period", [100, 256])
def test_the_marks_canvas_has_any_period_and_is_the_same_for_the_same_seed(period):
    rng = np.random.default_rng(0)
    greys = [cv2.GaussianBlur(rng.random((200, 300), dtype=np.float32), (0, 0), 2.0)]
    tile = synthesized_tile(greys, period)
    assert tile.shape == (period, period) and tile.dtype == np.float32
    assert abs(tile.mean()) < 1e-4 and abs(tile.std() - 1) < 1e-3
    assert np.array_equal(tile, synthesized_tile(greys, period))
    assert not np.array_equal(tile, synthesized_tile(greys, period, seed=7))


def test_the_marks_canvas_is_made_of_the_paintings_patches(shared_data):
    """Every patch of the synthesized canvas resembles some patch of the paintings' detail, far more than a
    noise canvas's patches do, and it wraps around without a seam."""
    greys = [cv2.imread(str(f), cv2.IMREAD_GRAYSCALE).astype(np.float32) / 255
             for f in sorted((shared_data / "styles" / "kandinsky").iterdir())[:1]]
    greys = [cv2.resize(g, None, fx=400 / max(g.shape), fy=400 / max(g.shape), interpolation=cv2.INTER_AREA)
             for g in greys]
    detail = [g - cv2.GaussianBlur(g, (0, 0), 8.0) for g in greys]

    def unit(patches: np.ndarray) -> np.ndarray:  # compare the shape of the marks, not their contrast
        patches = patches - patches.mean(1, keepdims=True)
        return patches / (np.linalg.norm(patches, axis=1, keepdims=True) + 1e-8)

    source = unit(np.lib.stride_tricks.sliding_window_view(detail[0], (16, 16))[::2, ::2].reshape(-1, 256))

    def distance(tile: np.ndarray) -> float:  # mean cosine distance of the tile's patches to their nearest source patch
        patches = unit(np.lib.stride_tricks.sliding_window_view(tile, (16, 16))[::8, ::8].reshape(-1, 256))
        return float((1 - (patches @ source.T).max(1)).mean())

    marks = synthesized_tile(greys, 192)
    assert marks.shape == (192, 192) and abs(marks.std() - 1) < 1e-3
    assert np.array_equal(marks, synthesized_tile(greys, 192))
    assert distance(marks) < 0.75 * distance(canvas_tile("blobs", 192))  # 0.64 measured; pixel noise: 3.5x
    for axis in (0, 1):  # seamless across the wrap
        wrap = np.abs(np.take(marks, 0, axis) - np.take(marks, -1, axis)).mean()
        assert wrap <= np.abs(np.diff(marks, axis=axis)).mean(1 - axis).max()


def test_larger_blocks_keep_larger_pieces_of_the_paintings_whole():
    """analogy_canvas_block: a 40 px window of the tile is close to a piece of the paintings' detail as it is
    when the blocks are larger than it, and a patchwork when they are smaller (marks larger than a block come
    back broken)."""
    rng = np.random.default_rng(0)
    greys = [cv2.GaussianBlur(rng.random((240, 320), dtype=np.float32), (0, 0), 2.0)]
    detail = greys[0] - cv2.GaussianBlur(greys[0], (0, 0), 8.0)

    def likeness(block: int) -> float:  # median over the tile's 40 px windows of their best match in the detail
        tile = synthesized_tile(greys, 256, block=block)
        found = [cv2.minMaxLoc(cv2.matchTemplate(detail, tile[y:y + 40, x:x + 40].copy(), cv2.TM_CCOEFF_NORMED))[1]
                 for y in range(0, 216, 24) for x in range(0, 216, 24)]
        return float(np.median(found))

    assert likeness(16) < 0.6 < 0.8 < likeness(64)  # 0.48 and 0.87 measured


def test_an_exemplar_smaller_than_a_block_is_refused_with_a_message():
    greys = [np.random.default_rng(0).random((200, 300), dtype=np.float32)]
    with pytest.raises(CanvasSettingsError, match="exemplar .20 px. must hold a whole block"):
        synthesized_tile(greys, 256, exemplar=20)


def test_the_block_comes_from_the_config():
    assert analogy_settings(make_config("quick", marks="analogy"))["canvas_block"] == 32
    assert analogy_settings(make_config("quick", marks="analogy", analogy_canvas_block=64))["canvas_block"] == 64


def test_an_exemplar_tile_is_made_of_one_crop_without_repeating_at_its_side():
    """analogy_canvas_exemplar: the blocks come from the one crop the painting canvas of that side cuts, so the
    tile's windows are found whole in that crop, and the tile does not repeat every crop side."""
    rng = np.random.default_rng(0)
    greys = [cv2.GaussianBlur(rng.random((240, 320), dtype=np.float32), (0, 0), 2.0)]
    detail = greys[0] - cv2.GaussianBlur(greys[0], (0, 0), 8.0)
    crop = even_crop([detail], 128, np.random.default_rng(1234))
    tile = synthesized_tile(greys, 256, exemplar=128)
    found = [cv2.minMaxLoc(cv2.matchTemplate(crop, tile[y:y + 24, x:x + 24].copy(), cv2.TM_CCOEFF_NORMED))[1]
             for y in range(8, 232, 32) for x in range(8, 232, 32)]  # windows inside a block's core
    assert np.median(found) > 0.95
    assert np.corrcoef(tile.ravel(), np.roll(tile, 128, axis=1).ravel())[0, 1] < 0.2

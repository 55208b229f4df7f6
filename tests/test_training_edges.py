"""The `edges` term: the photo's contours are kept, its flat areas are free for marks."""

from __future__ import annotations

import cv2
import numpy as np
import torch

from vst_desktop.evaluation.metrics import edge_map
from vst_desktop.training import losses


def _photo(shared_data) -> tuple[np.ndarray, torch.Tensor]:
    path = sorted((shared_data / "content" / "val").glob("*.jpg"))[0]
    bgr = cv2.resize(cv2.imread(str(path)), (192, 192), interpolation=cv2.INTER_AREA)
    rgb = torch.from_numpy(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)).permute(2, 0, 1)[None].float() / 255.0
    return bgr, rgb


def _edges(content: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    return losses.GENERATOR_TERMS["edges"](losses.StepTensors(content=content, fake=fake), None)


def test_edge_strength_is_the_evaluations_edge_map(shared_data):
    bgr, rgb = _photo(shared_data)
    ours = losses.edge_strength(rgb)[0, 0].numpy()
    theirs = edge_map(bgr)[1:-1, 1:-1]  # ours has no border row: central differences
    assert ours.shape == theirs.shape
    assert np.corrcoef(ours.ravel(), theirs.ravel())[0, 1] > 0.98


def test_marks_cost_on_the_contours_not_on_flat_areas(shared_data):
    _, rgb = _photo(shared_data)
    assert float(_edges(rgb, rgb)) < 1e-6
    ref = losses.edge_strength(rgb)
    contour = torch.nn.functional.pad(ref, (1, 1, 1, 1), mode="replicate")
    contour = (losses.gaussian_blur(contour, 3.0) > 0.15).float()
    assert 0.1 < contour.mean() < 0.9  # the photo has both
    y, x = torch.meshgrid(torch.arange(192.0), torch.arange(192.0), indexing="ij")
    stripes = 0.1 * torch.sin(x * 0.8 + y * 0.3)[None, None]
    on_flat = (rgb + stripes * (1 - contour)).clamp(0, 1)
    on_contours = (rgb + stripes * contour).clamp(0, 1)
    flat_cost, contour_cost = float(_edges(rgb, on_flat)), float(_edges(rgb, on_contours))
    assert contour_cost > 2 * flat_cost


def test_the_term_has_a_gradient_toward_the_photos_contours(shared_data):
    _, rgb = _photo(shared_data)
    blurred = losses.gaussian_blur(rgb, 2.0).requires_grad_(True)
    cost = _edges(rgb, blurred)
    cost.backward()
    assert float(cost) > 0.05 and float(blurred.grad.abs().sum()) > 0
    with torch.no_grad():
        stepped = blurred - 0.02 * blurred.grad / blurred.grad.abs().max()
    assert float(_edges(rgb, stepped)) < float(cost)

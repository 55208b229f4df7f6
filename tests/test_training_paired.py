"""Paired mode: before/after pairs of a look made with OpenCV (tone curve + sketch edges); the trained style
must reproduce the look on photos it never saw, better than leaving them unchanged."""

from __future__ import annotations

import time

import cv2
import numpy as np
import torch

from vst_desktop.core.images import is_paired_folder
from vst_desktop.training import checkpoint as ckpt
from vst_desktop.training.data import downsize
from vst_desktop.training.models import build_generator
from vst_desktop.training.run import train
from vst_desktop.trainspec.presets import make_config


def edit(bgr: np.ndarray) -> np.ndarray:
    """A look someone might make in a photo editor: warm per-channel tone curves with strong contrast, and
    pencil-like darkened edges."""
    x = bgr.astype(np.float32) / 255.0
    gamma = np.array([1.4, 1.0, 0.75], np.float32)  # B, G, R: a warm cast
    toned = 0.5 - 0.5 * np.cos(np.pi * x ** gamma)  # S curve: more contrast
    gray = cv2.GaussianBlur(cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY).astype(np.float32) / 255.0, (0, 0), 1.0)
    edges = np.hypot(cv2.Sobel(gray, cv2.CV_32F, 1, 0), cv2.Sobel(gray, cv2.CV_32F, 0, 1))
    sketch = 1.0 - np.clip(edges * 0.75, 0.0, 0.5)  # Sobel gives about 4x the per-pixel gradient
    return np.clip(toned * sketch[..., None] * 255.0 + 0.5, 0, 255).astype(np.uint8)


def _crop4(img: np.ndarray) -> np.ndarray:
    h, w = img.shape[:2]
    return np.ascontiguousarray(img[: h // 4 * 4, : w // 4 * 4])


def _stylize(g, bgr: np.ndarray) -> np.ndarray:
    x = torch.from_numpy(bgr[..., ::-1].copy()).permute(2, 0, 1)[None].float() / 255.0
    with torch.no_grad():
        y = g(x)[0].clamp(0, 1).permute(1, 2, 0).numpy()
    return (y * 255.0 + 0.5).astype(np.uint8)[..., ::-1]


def test_paired_mode_learns_an_edit_and_generalises(tmp_path, shared_data):
    folder = tmp_path / "look"
    (folder / "input").mkdir(parents=True)
    (folder / "target").mkdir()
    train_photos = sorted((shared_data / "content" / "train").iterdir())[::6][:16]
    for p in train_photos:
        img = _crop4(downsize(cv2.imread(str(p)), 160))
        cv2.imwrite(str(folder / "input" / f"{p.stem}.png"), img)
        cv2.imwrite(str(folder / "target" / f"{p.stem}.png"), edit(img))
    assert is_paired_folder(folder)

    cfg = make_config("quick", styles_dir=str(folder), paired=True, iterations=200, batch_size=4, crop_size=48,
                      max_image_side=160, lr_g=1e-3, lr_d=2e-3, sample_every=1000, checkpoint_every=1000,
                      log_every=50, val_photos=2, threads=1)  # 1 thread: the 2 cores are shared
    start = time.perf_counter()
    result = train(cfg, tmp_path / "run")
    seconds = time.perf_counter() - start
    assert result.status == "done"

    g = build_generator("fast")
    g.load_state_dict(ckpt.load(result.checkpoint)["EMA"])
    g.eval()
    model_err, identity_err = [], []
    for p in sorted((shared_data / "content" / "val").iterdir())[::5]:  # photos it never saw
        img = _crop4(downsize(cv2.imread(str(p)), 160))
        target = edit(img).astype(np.float32)
        model_err.append(np.abs(_stylize(g, img) - target).mean())
        identity_err.append(np.abs(img - target).mean())
    model, identity = float(np.mean(model_err)), float(np.mean(identity_err))
    print(f"paired: held-out L1 {model:.1f} vs identity {identity:.1f} grey levels, {seconds:.0f} s")
    assert model < 0.6 * identity

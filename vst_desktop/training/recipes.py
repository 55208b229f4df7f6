"""The training recipes, one class each, chosen once per run from the config (`make_recipe`).

A recipe says what a step learns from: the crops it draws and their targets (`batch`), the generator's loss
terms and their weights (`weights`; these are also the losses a progress event logs, with "d" when
`adversarial` and "g_total"), what the discriminator judges as real (`real`), and what the run prepares
before its first step (`prepare`: fixed generator stages, the targets the sample grids show). The Trainer
(loop.py) runs every recipe's step the same way: generator forward, a discriminator update when the recipe
is adversarial, a generator update on the weighted terms, the EMA update.

- PaintedRecipe (recipe="painted", the default): every content crop gets a target from the deterministic
  stroke teacher (texture/strokes.py), painted over the generator's colour stage, which is fitted to the
  style's palette in closed form before step 0. The presets train it with L1, high-pass and temporal terms
  only; an adversarial term against the style images is possible but off.
- GanRecipe (recipe="gan", and every paired run): unpaired adversarial learning against the style images
  (CUT: LSGAN, PatchNCE, low-frequency tone, identity, total variation, temporal); in paired mode, the
  user's own before/after pairs with a conditional discriminator and an L1 term to the target.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch

from vst_desktop.core import paths
from vst_desktop.core.errors import TrainingDataError
from vst_desktop.training import losses, painter
from vst_desktop.training.data import TrainingData, load_images, scan_images
from vst_desktop.training.models import Generator
from vst_desktop.training.texture.analogy import AnalogyTeacher
from vst_desktop.training.texture.colour import fit_colour_transform, sample_pixels
from vst_desktop.training.texture.marks import analogy_settings, teacher_settings
from vst_desktop.training.texture.strokes import StrokeTeacher
from vst_desktop.training.texture.synth import CanvasSettingsError
from vst_desktop.trainspec.config import TrainConfig

Crops = tuple[np.ndarray, np.ndarray | None, np.ndarray | None]  # content, style, target (float NCHW)


class Recipe:
    """The interface both recipes implement (see the module docstring)."""

    has_targets = False  # every content crop has a target: the paired terms apply, the unpaired ones not
    conditional = False  # the discriminator sees the input photo beside the image it judges

    def __init__(self, cfg: TrainConfig, data: TrainingData) -> None:
        self.cfg, self.data = cfg, data
        self.weights = losses.active_terms(cfg.loss_weights(), self.has_targets)
        self.adversarial = "adv" in self.weights
        self.painter: painter.PainterGuide | None = None
        if "painter" in self.weights:
            if data.style is None:  # paired mode: the user's edits, no painter to learn
                del self.weights["painter"]
            else:
                self.painter = painter_guide(cfg, data)
                if cfg.painter_online_lr > 0:
                    self.painter.learn_during_run(cfg.painter_online_lr, cfg.seed)

    def prepare(self, generator: Generator, device: torch.device) -> None:
        """Once, on the freshly built generator (before its EMA copy and before a resumed state is loaded)."""
        if self.painter is not None:
            self.painter.to(device)

    def batch(self, rng: np.random.Generator) -> Crops:
        """One step's crops; style is None where nothing reads it, target where there is none."""
        raise NotImplementedError

    def real(self, style: torch.Tensor | None, target: torch.Tensor | None) -> torch.Tensor:
        """What the discriminator learns to call real (only asked when `adversarial`)."""
        raise NotImplementedError


def painter_guide(cfg: TrainConfig, data: TrainingData) -> painter.PainterGuide:
    """The frozen painter classifier: this folder against the painters in `painter_reference` (each of its
    folders with images) and the content photos. A reference folder holding any of the run's own paintings
    (same name and size) is the run's own folder, copied or not, and is skipped: one painting under two
    labels would teach the classifier nothing."""
    own = {(p.name, p.stat().st_size) for p in data.style_files}
    folders: list[Path] = []
    if cfg.painter_reference:
        ref = Path(cfg.painter_reference)
        if not ref.is_dir():
            raise TrainingDataError(f"The painter reference {ref} is not a folder.",
                                    "Give a folder whose sub-folders each hold one painter's images.")
        folders = sorted(d for d in ref.iterdir() if d.is_dir())
    others, other_files = [], []
    for folder in folders:
        try:
            files = scan_images(folder).images
        except TrainingDataError:  # a folder without usable images is not a painter
            continue
        if own & {(p.name, p.stat().st_size) for p in files}:
            continue
        other_files.append(files)
        others.append(load_images(files, cfg.max_image_side))
    key = painter.cache_key([list(data.style_files), *other_files, list(data.content_files)],
                            cfg.painter_steps, cfg.seed)
    try:
        return painter.build_guide(data.style.images, others, data.content.images, key,
                                   paths.data_dir() / "cache", cfg.painter_steps, cfg.seed,
                                   nets=cfg.painter_nets)
    except ValueError as exc:
        raise TrainingDataError(f"The painter classifier cannot be trained ({exc}).",
                                "Use larger images, or --set w_painter=0.") from None


def teacher_workers(cfg: TrainConfig, device: torch.device) -> int:
    """Threads that paint the teacher's targets: one on a CPU run (torch needs the cores), up to one per core
    when a GPU does the network's work."""
    if device.type != "cuda":
        return 1
    return max(1, min(cfg.batch_size, os.cpu_count() or 1))


class PaintedRecipe(Recipe):
    has_targets = True

    def __init__(self, cfg: TrainConfig, data: TrainingData, device: torch.device) -> None:
        super().__init__(cfg, data)
        workers = teacher_workers(cfg, device)
        if cfg.marks == "analogy":  # marks copied from the folder's own paintings
            try:
                self.teacher = AnalogyTeacher(data.style.images, **analogy_settings(cfg), workers=workers)
            except CanvasSettingsError as exc:  # a setting, not the images
                raise TrainingDataError(f"The canvas settings do not fit together ({exc}).",
                                        "Use a larger --set analogy_canvas_exemplar or a smaller "
                                        "--set analogy_canvas_block.") from None
            except ValueError as exc:
                canvas = cfg.analogy_canvas_form.startswith("painting") and "canvas" in str(exc)
                raise TrainingDataError(
                    f"The style images are too small for "
                    f"{'the painting canvas' if canvas else f'analogy_patch={cfg.analogy_patch}'} ({exc}).",
                    "Use larger paintings, or another --set analogy_canvas_form" if canvas else
                    "Use larger paintings, or a smaller --set analogy_patch (at most a quarter of the images' "
                    "short side).") from None
        else:
            self.teacher = StrokeTeacher(**teacher_settings(cfg), workers=workers)
        self.generator: Generator | None = None  # set by prepare: its colour stage comes before the teacher
        self.device = device

    def prepare(self, generator: Generator, device: torch.device) -> None:
        super().prepare(generator, device)
        self.generator, self.device = generator, device
        tile = getattr(self.teacher, "tile", None)
        if generator.canvas is not None and tile is not None:  # one canvas for both (a painting's may differ)
            generator.canvas.tile.copy_(torch.from_numpy(tile)[None, None])
            wall = getattr(self.teacher, "wall", None)
            if generator.canvas.wall is not None and wall is not None:  # the painted wall: (p, p, 3) RGB
                generator.canvas.wall.copy_(torch.from_numpy(wall).permute(2, 0, 1)[None])
        if generator.colour is not None:
            ct = fit_colour_transform(sample_pixels(self.data.content.images, seed=self.cfg.seed),
                                      sample_pixels(self.data.style.images, seed=self.cfg.seed),
                                      self.cfg.colour_strength)
            generator.colour.set_transform(ct.matrix, ct.bias)
        self.data.val_targets = self.teach(self.data.val_inputs)

    @torch.no_grad()
    def teach(self, content: np.ndarray) -> np.ndarray:
        """The teacher's targets for float NCHW content crops (after the generator's colour stage; the analogy
        teacher's canvas starts at each crop's top-left pixel, as the generator's does)."""
        base = self.generator.prepare(torch.from_numpy(content).to(self.device))
        if self.cfg.marks == "analogy" and self.generator.flatten is not None:
            base = self.generator.flatten(base)  # the marks go on the generator's own planes
        target = self.teacher(base.cpu().numpy())
        if self.generator.lead is not None:  # lines along the painted borders (only the analogy marks have them)
            target = self.generator.lead(torch.from_numpy(target).to(self.device)).cpu().numpy()
        return target

    def batch(self, rng: np.random.Generator) -> Crops:
        n = self.cfg.batch_size
        content, _ = self.data.content.sample(rng, n)
        target = self.teach(content)
        style = None
        if "identity" in self.weights or self.adversarial:
            style = self.data.style.sample(rng, n)[0]
        return content, style, target

    def real(self, style: torch.Tensor | None, target: torch.Tensor | None) -> torch.Tensor:  # noqa: ARG002
        return style


class GanRecipe(Recipe):
    def __init__(self, cfg: TrainConfig, data: TrainingData) -> None:
        self.has_targets = self.conditional = cfg.paired
        super().__init__(cfg, data)

    def batch(self, rng: np.random.Generator) -> Crops:
        n = self.cfg.batch_size
        content, target = self.data.content.sample(rng, n)  # paired mode: the crop's edited twin
        style = self.data.style.sample(rng, n)[0] if self.data.style is not None else None
        return content, style, target

    def real(self, style: torch.Tensor | None, target: torch.Tensor | None) -> torch.Tensor:
        return target if self.cfg.paired else style


def make_recipe(cfg: TrainConfig, data: TrainingData, device: torch.device) -> Recipe:
    """The config's recipe. A paired folder always trains adversarially: its targets are the user's edits."""
    if cfg.recipe == "painted" and not cfg.paired:
        return PaintedRecipe(cfg, data, device)
    return GanRecipe(cfg, data)

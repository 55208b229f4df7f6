"""The training loop: one Trainer owns the networks, optimisers, data sampler and RNG states of a run.

A step: the recipe's crops (recipes.py), the generator forward (everything in one call, see GeneratorStep),
one discriminator update on real vs generated crops when the recipe is adversarial, one generator update on
the recipe's weighted loss terms, then the EMA update.
"""

from __future__ import annotations

import copy
import json
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from vst_desktop.core.errors import TrainingError
from vst_desktop.training import checkpoint as ckpt
from vst_desktop.training import losses
from vst_desktop.training.data import TrainingData
from vst_desktop.training.models import (
    Generator,
    MultiScaleDiscriminator,
    PatchSampleMLP,
    build_generator,
)
from vst_desktop.training.progress import (
    COLLAPSE_THRESHOLD,
    ProgressCallback,
    collapse_score,
)
from vst_desktop.training.recipes import make_recipe
from vst_desktop.training.texture.marks import generator_stages
from vst_desktop.trainspec import layout
from vst_desktop.trainspec.config import TrainConfig
from vst_desktop.trainspec.events import clean_losses


@dataclass(frozen=True)
class DistInfo:
    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def enabled(self) -> bool:
        return self.world_size > 1


class GeneratorStep(nn.Module):
    """Every generator computation of a step in one forward call.

    DistributedDataParallel expects each parameter to take part in exactly one forward per backward, so
    the stylised batch, the identity and temporal passes and the PatchNCE projections all happen here.
    """

    def __init__(self, generator: Generator, nce_heads: PatchSampleMLP | None, cfg: TrainConfig,
                 use_identity: bool, use_temporal: bool) -> None:
        super().__init__()
        self.generator = generator
        self.nce_heads = nce_heads
        self.cfg = cfg
        self.use_identity = use_identity
        self.use_temporal = use_temporal

    def forward(self, content: torch.Tensor, style: torch.Tensor | None
                ) -> tuple[torch.Tensor, dict[str, torch.Tensor | list[torch.Tensor]]]:
        cfg, g, n = self.cfg, self.generator, content.shape[0]
        batch = [content]
        if self.use_identity:
            batch.append(style)
        if self.use_temporal:
            flow = losses.random_smooth_flow(n, *content.shape[2:], cfg.temporal_max_shift, content.device)
            moved = losses.warp(content, flow) + cfg.temporal_noise * torch.randn_like(content)
            batch.append(moved)
        canvas = None
        if g.canvas is not None and self.use_temporal:
            # The moved crop sees the canvas moved with it: the network learns to move its marks with the
            # picture (no flicker), while at run time the canvas stays put, so a still scene's marks stay put.
            still = g.canvas(content)
            parts = [still] * (len(batch) - 1) + [losses.warp(still, flow)]
            canvas = torch.cat(parts)
        s = g.stages(torch.cat(batch), canvas)
        fake = s.out[:n]
        extras: dict = {}
        if self.use_identity:
            extras["identity_in"], extras["identity_out"] = s.base[n:2 * n], s.out[n:2 * n]
        if self.use_temporal:
            ref = losses.warp(fake, flow)
            if g.flatten is not None:
                # The fixed planes stage moves its plane borders a little as the picture moves; the network
                # is charged for the flicker it adds, not for that (it learned to blur it away instead:
                # docs/research/training_log.md).
                change = s.base - s.prepared
                ref = ref + change[-n:] - losses.warp(change[:n], flow)
            extras["temporal_out"], extras["temporal_ref"] = s.out[-n:], ref
        if self.nce_heads is not None:
            feats_real = [f[:n] for f in s.feats]
            feats_fake = g.encode(fake, None if canvas is None else canvas[:n])
            ids = [torch.randperm(f.shape[2] * f.shape[3], device=f.device)[:cfg.nce_patches] for f in feats_real]
            extras["nce_q"] = self.nce_heads(feats_fake, ids)
            extras["nce_k"] = self.nce_heads(feats_real, ids)
        return fake, extras


def _set_requires_grad(module: nn.Module, flag: bool) -> None:
    for p in module.parameters():
        p.requires_grad_(flag)


def _unwrap(module: nn.Module) -> nn.Module:
    return module.module if isinstance(module, DistributedDataParallel) else module


class Trainer:
    def __init__(self, cfg: TrainConfig, data: TrainingData, device: torch.device, dist_info: DistInfo,
                 run_dir: Path | None, progress: ProgressCallback | None) -> None:
        self.cfg, self.data, self.device, self.dist = cfg, data, device, dist_info
        self.run_dir = run_dir if dist_info.is_main else None  # only rank 0 writes
        self.progress = progress if dist_info.is_main else None
        self.recipe = make_recipe(cfg, data, device)
        weights = self.recipe.weights
        self.term_settings = losses.TermSettings(cfg.nce_temperature, cfg.lowfreq_factor)

        # Same seed on every rank: identical initial weights (DDP would broadcast them anyway).
        torch.manual_seed(cfg.seed)
        self.generator = build_generator(cfg.generator, **generator_stages(cfg)).to(device)
        self.recipe.prepare(self.generator, device)
        nce = PatchSampleMLP(self.generator.feature_channels).to(device) if "nce" in weights else None
        self.gen_step: nn.Module = GeneratorStep(self.generator, nce, cfg, "identity" in weights,
                                                 "temporal" in weights)
        self.disc: nn.Module = MultiScaleDiscriminator(cfg.d_width, conditional=self.recipe.conditional,
                                                       scales=cfg.d_scales).to(device)
        self.ema = copy.deepcopy(self.generator).eval()
        _set_requires_grad(self.ema, False)
        self.opt_g = torch.optim.Adam(self.gen_step.parameters(), lr=cfg.lr_g, betas=tuple(cfg.betas))
        self.opt_d = torch.optim.Adam(self.disc.parameters(), lr=cfg.lr_d, betas=tuple(cfg.betas))
        if dist_info.enabled:
            ids = [device.index] if device.type == "cuda" else None
            self.gen_step = DistributedDataParallel(self.gen_step, device_ids=ids)
            self.disc = DistributedDataParallel(self.disc, device_ids=ids)
        # Per-rank randomness after the shared initialisation: each rank draws different crops.
        torch.manual_seed(cfg.seed * 1000 + 1 + dist_info.rank)
        self.data_rng = np.random.default_rng([cfg.seed, dist_info.rank])
        self.step = 0
        self.elapsed_before = 0.0  # seconds spent in earlier sessions of a resumed run
        self.stop_requested = False
        self._t0: float | None = None

    # ---- state ----

    def state_dict(self) -> dict:
        return {
            "format": ckpt.FORMAT,
            "step": self.step,
            "elapsed_s": self.total_seconds(),
            "config": self.cfg.to_dict(),
            "G": self.generator.state_dict(),
            "EMA": self.ema.state_dict(),
            "gen_step": _unwrap(self.gen_step).state_dict(),
            "D": _unwrap(self.disc).state_dict(),
            "opt_g": self.opt_g.state_dict(),
            "opt_d": self.opt_d.state_dict(),
            "rng": ckpt.capture_rng(self.data_rng),
            "painter": self.recipe.painter.state_dict() if self.recipe.painter is not None else {},
        }

    def load_state_dict(self, state: dict) -> None:
        _unwrap(self.gen_step).load_state_dict(state["gen_step"])
        _unwrap(self.disc).load_state_dict(state["D"])
        self.ema.load_state_dict(state["EMA"])
        self.opt_g.load_state_dict(state["opt_g"])
        self.opt_d.load_state_dict(state["opt_d"])
        if self.recipe.painter is not None:
            self.recipe.painter.load_state_dict(state.get("painter") or {})
        self.step = int(state["step"])
        self.elapsed_before = float(state.get("elapsed_s", 0.0))
        if self.dist.is_main:
            ckpt.restore_rng(state["rng"], self.data_rng)
        else:
            # Only rank 0's states are saved; the other ranks restart their streams deterministically.
            torch.manual_seed(self.cfg.seed * 1000 + 1 + self.dist.rank + 7919 * self.step)
            self.data_rng = np.random.default_rng([self.cfg.seed, self.dist.rank, self.step])

    def save_checkpoint(self) -> Path | None:
        if self.run_dir is None:
            return None
        path = layout.checkpoint_path(self.run_dir)
        ckpt.save_atomic(self.state_dict(), path)
        self.emit({"event": "checkpoint", "step": self.step, "path": str(path)})
        return path

    # ---- one step ----

    def _lr_factor(self) -> float:
        start = int(self.cfg.iterations * self.cfg.lr_decay_start)
        if self.step < start:
            return 1.0
        return max(0.0, (self.cfg.iterations - self.step) / max(1, self.cfg.iterations - start))

    def batch(self) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor | None]:
        """The recipe's (content, style, target) crops for the next step, on the device."""

        def dev(a: np.ndarray | None) -> torch.Tensor | None:
            return None if a is None else torch.from_numpy(a).to(self.device, non_blocking=True)

        content, style, target = self.recipe.batch(self.data_rng)
        return dev(content), dev(style), dev(target)

    def _discriminate(self, disc: nn.Module, y: torch.Tensor, x: torch.Tensor) -> list[torch.Tensor]:
        y = losses.discriminator_view(y, self.cfg.d_input)
        h = torch.cat([x, y], dim=1) if self.recipe.conditional else y
        h = losses.diff_augment(h, self.cfg.diffaug_translation, self.cfg.diffaug_cutout)
        return disc(h)

    def _check_finite(self, value: torch.Tensor, what: str, parts: dict[str, float]) -> None:
        bad = torch.tensor([0.0 if torch.isfinite(value).all() else 1.0], device=self.device)
        if self.dist.enabled:
            dist.all_reduce(bad, op=dist.ReduceOp.MAX)  # every rank stops together, none hangs
        if bad.item():
            shown = ", ".join(f"{k}={v:.4g}" for k, v in parts.items())
            raise TrainingError(
                f"Training diverged at step {self.step + 1}: the {what} loss is not a number ({shown}).",
                "The last good checkpoint is kept. Resume with a lower learning rate, or start again "
                "with another seed.")

    def train_step(self) -> dict[str, float]:
        cfg = self.cfg
        for group in self.opt_g.param_groups:
            group["lr"] = cfg.lr_g * self._lr_factor()
        for group in self.opt_d.param_groups:
            group["lr"] = cfg.lr_d * self._lr_factor()
        recipe = self.recipe
        content, style, target = self.batch()
        fake, extras = self.gen_step(content, style)
        parts: dict[str, float] = {}

        disc_plain = _unwrap(self.disc)
        if recipe.adversarial:
            _set_requires_grad(disc_plain, True)
            real = recipe.real(style, target)
            # One D call on real+fake: spectral norm's power iteration runs once per update, and DDP
            # sees one forward per backward.
            outs = self._discriminate(self.disc, torch.cat([real, fake.detach()]),
                                      torch.cat([content, content]) if recipe.conditional else None)
            n = real.shape[0]
            loss_d = losses.lsgan_d([o[:n] for o in outs], [o[n:] for o in outs])
            parts["d"] = float(loss_d.detach())
            self._check_finite(loss_d, "discriminator", parts)
            self.opt_d.zero_grad(set_to_none=True)
            loss_d.backward()
            self.opt_d.step()
            _set_requires_grad(disc_plain, False)

        tensors = losses.StepTensors(content=content, fake=fake, extras=extras, target=target)
        if recipe.painter is not None:
            if recipe.painter.opt is not None:  # the classifiers learn this run's output as a class of its own
                parts["painter_d"] = recipe.painter.update(fake)
            extras["painter"] = recipe.painter.loss(fake)
        if recipe.adversarial:
            # The plain module: D's weights are frozen here, so DDP has nothing to synchronise.
            tensors.disc_fake = self._discriminate(disc_plain, fake, content)
        loss_g, g_parts = losses.generator_objective(tensors, recipe.weights, self.term_settings)
        parts.update(g_parts)
        parts["g_total"] = float(loss_g.detach())
        self._check_finite(loss_g, "generator", parts)
        self.opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        self.opt_g.step()
        self._update_ema()
        self.step += 1
        return parts

    @torch.no_grad()
    def _update_ema(self) -> None:
        # Warm-up: early on the average follows the weights closely, so a short run's EMA does not stay
        # stuck near the identity it started from.
        decay = min(self.cfg.ema_decay, (1.0 + self.step) / (10.0 + self.step))
        for pe, p in zip(self.ema.parameters(), self.generator.parameters(), strict=True):
            pe.lerp_(p, 1.0 - decay)

    # ---- samples ----

    @torch.no_grad()
    def write_sample(self) -> Path | None:
        if self.run_dir is None:
            return None
        inputs = torch.from_numpy(self.data.val_inputs).to(self.device)
        outputs = self.ema(inputs).clamp(0, 1).cpu().numpy()
        rows = [self.data.val_inputs, outputs]
        if self.data.val_targets is not None:
            rows.append(self.data.val_targets)
        grid = np.concatenate([np.concatenate(list(r), axis=2) for r in rows], axis=1)  # C, rows*H, N*W
        img = (grid.transpose(1, 2, 0) * 255.0 + 0.5).clip(0, 255).astype(np.uint8)
        path = layout.sample_path(self.run_dir, self.step)
        path.parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(path), cv2.cvtColor(img, cv2.COLOR_RGB2BGR))
        self.emit({"event": "sample", "step": self.step, "path": str(path)})
        if len(self.data.val_inputs) >= 2:
            score = collapse_score(self.data.val_inputs, outputs)
            if score < COLLAPSE_THRESHOLD:
                self.emit({"event": "warning", "kind": "collapse", "step": self.step, "score": round(score, 4),
                            "message": f"the outputs for different photos look nearly the same (spread "
                                       f"{score:.2f} of the photos'); the generator may have collapsed"})
        return path

    # ---- the run ----

    def emit(self, event: dict) -> None:
        if self.run_dir is not None:
            with open(self.run_dir / layout.LOG_FILE, "a", encoding="utf-8") as f:
                f.write(json.dumps(event, default=str) + "\n")
        if self.progress is not None:
            self.progress(event)

    def _session_seconds(self) -> float:
        return time.perf_counter() - self._t0 if self._t0 is not None else 0.0

    def total_seconds(self) -> float:
        """Training time over all sessions of this run (a resumed run adds to the earlier ones)."""
        return self.elapsed_before + self._session_seconds()

    def run(self) -> str:
        """Train to `cfg.iterations`; returns "done" or "interrupted" (checkpoint saved either way)."""
        cfg = self.cfg
        self._t0 = time.perf_counter()
        recent: deque[tuple[int, float]] = deque(maxlen=20)
        recent.append((self.step, self._t0))
        if self.step == 0:
            self.write_sample()
        try:
            while self.step < cfg.iterations:
                if self.stop_requested:
                    raise KeyboardInterrupt
                parts = self.train_step()
                now = time.perf_counter()
                recent.append((self.step, now))
                if self.step % cfg.log_every == 0 or self.step == cfg.iterations:
                    (s0, t0), (s1, t1) = recent[0], recent[-1]
                    rate = (s1 - s0) / max(t1 - t0, 1e-9)
                    self.emit({"event": "progress", "step": self.step, "total": cfg.iterations,
                                "losses": clean_losses(parts), "it_per_s": round(rate, 3),
                                "eta_s": round((cfg.iterations - self.step) / rate, 1) if rate > 0 else None})
                if self.step % cfg.sample_every == 0 and self.step < cfg.iterations:
                    self.write_sample()
                if self.step % cfg.checkpoint_every == 0 and self.step < cfg.iterations:
                    self.save_checkpoint()
        except KeyboardInterrupt:
            # `step` only advances after a whole step, and the signal handler in run.py stops between steps,
            # so the saved state is a consistent one.
            self.save_checkpoint()
            return "interrupted"
        self.write_sample()
        self.save_checkpoint()
        return "done"


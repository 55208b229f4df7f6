"""`train(config, out_dir)`: one training run, in one process or in each process of a torchrun launch.

Sets up the device, the process group (when launched by torchrun), the run folder and the data, then hands
over to loop.Trainer. Only rank 0 writes files and reports progress.
"""

from __future__ import annotations

import gc
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import cv2
import torch
import torch.distributed as dist

from vst_desktop.core.errors import TrainingError
from vst_desktop.training import checkpoint as ckpt
from vst_desktop.training.data import load_training_data
from vst_desktop.training.loop import DistInfo, Trainer
from vst_desktop.training.progress import ProgressCallback
from vst_desktop.training.texture.marks import MarksChoice, choose_marks
from vst_desktop.trainspec import layout
from vst_desktop.trainspec.config import MARK_FAMILIES, TrainConfig

# Settings that may differ between a run and its resumption; anything else must match the checkpoint.
RESUMABLE_CHANGES = {"iterations", "device", "threads", "log_every", "sample_every", "checkpoint_every"}


@dataclass
class RunResult:
    status: str  # "done" | "interrupted"
    run_dir: Path
    step: int
    seconds: float
    device: str
    config: TrainConfig
    is_main: bool = True  # False on torchrun ranks other than 0: they wrote nothing

    @property
    def checkpoint(self) -> Path:
        return layout.checkpoint_path(self.run_dir)


def dist_info_from_env() -> DistInfo:
    """torchrun sets RANK / WORLD_SIZE / LOCAL_RANK; a plain process has none of them."""
    return DistInfo(rank=int(os.environ.get("RANK", "0")), world_size=int(os.environ.get("WORLD_SIZE", "1")),
                    local_rank=int(os.environ.get("LOCAL_RANK", "0")))


def pick_device(requested: str, info: DistInfo) -> torch.device:
    if requested not in ("auto", "cpu", "cuda"):
        raise TrainingError(f"Unknown device {requested!r}.", "Use auto, cpu or cuda.")
    if requested == "cuda" and not torch.cuda.is_available():
        raise TrainingError("A CUDA GPU was asked for, but torch sees none.",
                            "Use --device cpu, or install a CUDA build of torch with a working driver.")
    if requested == "cpu" or not torch.cuda.is_available():
        return torch.device("cpu")
    return torch.device("cuda", info.local_rank)


@contextmanager
def stop_on_signals(trainer: Trainer) -> Iterator[None]:
    """Ctrl-C / SIGTERM ask the trainer to stop between steps (it then saves a checkpoint).

    Stopping between steps rather than raising KeyboardInterrupt mid-step keeps the saved state consistent.
    A second Ctrl-C interrupts at once.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def request_stop(signum, frame):  # noqa: ARG001 - signal handler signature
        if trainer.stop_requested:
            raise KeyboardInterrupt
        trainer.stop_requested = True

    previous = {s: signal.signal(s, request_stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def _merge_resume_config(saved: TrainConfig, wanted: TrainConfig | None) -> TrainConfig:
    if wanted is None:
        return saved
    saved_d, wanted_d = saved.to_dict(), wanted.to_dict()
    if wanted_d.get("marks") == "auto":
        wanted_d["marks"] = saved_d.get("marks")  # the run resolved "auto" when it started
    changed = sorted(k for k in saved_d if saved_d[k] != wanted_d[k] and k not in RESUMABLE_CHANGES)
    if changed:
        raise TrainingError(f"Cannot resume with different settings: {', '.join(changed)}.",
                            "Resume with the run's own settings (only iterations and device may change).")
    return saved.replace(**{k: wanted_d[k] for k in RESUMABLE_CHANGES})


def _resolve_marks(config: TrainConfig, data) -> tuple[TrainConfig, MarksChoice | None]:
    """`marks="auto"`: let the folder's style critic choose the teacher's mark family (deterministic, so every
    rank of a distributed run chooses the same)."""
    if config.marks not in ("auto", *MARK_FAMILIES):
        raise TrainingError(f"Unknown marks {config.marks!r}.", f"Use auto, {', '.join(MARK_FAMILIES)}.")
    if config.marks != "auto":
        return config, None
    if config.recipe != "painted" or config.paired or data.style is None:
        return config.replace(marks="strokes"), None  # no stroke teacher in these runs
    choice = choose_marks(config, data.style.images, data.content.images)
    return config.replace(marks=choice.family), choice


def train(config: TrainConfig | None, out_dir: Path | str, resume: Path | str | None = None,
          progress: ProgressCallback | None = None) -> RunResult:
    """Train a style; returns when the run is done or interrupted (a checkpoint is saved in both cases).

    resume: a run folder to continue from (its checkpoint and config); `config` may then be None, or the
    same config with another iteration count or device. Raises TrainingDataError for unusable folders
    (before any work) and TrainingError when the run cannot go on.
    """
    out_dir = Path(out_dir)
    info = dist_info_from_env()
    state = None
    if resume is not None:
        state = ckpt.load(layout.checkpoint_path(Path(resume)))
        config = _merge_resume_config(TrainConfig.from_dict(state["config"]), config)
    if config is None:
        raise TrainingError("No training config was given.", "Pass a TrainConfig or a run folder to resume.")
    device = pick_device(config.device, info)
    if config.threads > 0:
        torch.set_num_threads(config.threads)
        # The stroke teacher's OpenCV calls too: left at OpenCV's default they add a thread per core on
        # top of torch's, which oversubscribes a machine that runs several trainings.
        cv2.setNumThreads(config.threads)
    data = load_training_data(config.styles_dir, config.content_dir, config.paired, config.crop_size,
                              tuple(config.scale_jitter), config.max_image_side, config.val_photos,
                              paired_scale_range=tuple(config.paired_scale_jitter),
                              content_pixel_scale=config.recipe == "painted")
    config, marks = _resolve_marks(config, data)
    created_group = False
    trainer = None
    if info.enabled and not dist.is_initialized():
        if device.type == "cuda":
            torch.cuda.set_device(device)
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
        created_group = True
    try:
        if info.is_main:
            out_dir.mkdir(parents=True, exist_ok=True)
            config.save(out_dir / layout.CONFIG_FILE)
        trainer = Trainer(config, data, device, info, out_dir, progress)
        if state is not None:
            trainer.load_state_dict(state)
        if trainer.progress is not None:
            for path, why in data.skipped:
                trainer.emit({"event": "warning", "kind": "skipped_file", "path": str(path), "message":
                               f"skipped {path.name}: {why}"})
            trainer.emit({"event": "start", "step": trainer.step, "total": config.iterations,
                           "preset": config.preset, "device": str(device), "world_size": info.world_size,
                           "name": config.name, "paired": config.paired, "run_dir": str(out_dir),
                           "style_images": len(data.style_files), "content_images": len(data.content_files)})
            if marks is not None:
                trainer.emit({"event": "marks", "chosen": marks.family, "scores": marks.scores, "why": marks.why})
        with stop_on_signals(trainer):
            status = trainer.run()
        if created_group and status == "done":
            # Every rank leaves together: none tears down its side of the group while rank 0 still writes.
            dist.barrier()
        return RunResult(status=status, run_dir=out_dir, step=trainer.step, seconds=trainer.total_seconds(),
                         device=str(device), config=config, is_main=info.is_main)
    finally:
        if created_group:
            # DDP's reducer holds the group's work objects: dropped before the group, none is left for the
            # interpreter's exit to destroy under gloo's threads (a rank then aborted with SIGABRT).
            trainer = None
            gc.collect()
            dist.destroy_process_group()

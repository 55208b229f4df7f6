"""The files of a training run folder: the engine writes them, the GUI reads them.

    config.json                   the run's TrainConfig (config.py)
    log.jsonl                     every progress event, one JSON object a line (events.py)
    samples/step_NNNNNN.png       sample grids of the validation photos
    checkpoints/latest.pt         everything a resumed run needs
    package/<id>.{onnx,json,png}  the exported style, once finished

The GUI adds its own files beside them (runs.py).
"""

from __future__ import annotations

from pathlib import Path

CONFIG_FILE = "config.json"
LOG_FILE = "log.jsonl"
SAMPLES_DIR = "samples"
CHECKPOINTS_DIR = "checkpoints"
LATEST_CHECKPOINT = "latest.pt"
PACKAGE_DIR = "package"


def checkpoint_path(run_dir: Path) -> Path:
    return run_dir / CHECKPOINTS_DIR / LATEST_CHECKPOINT


def sample_path(run_dir: Path, step: int) -> Path:
    return run_dir / SAMPLES_DIR / f"step_{step:06d}.png"

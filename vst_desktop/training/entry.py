"""`vst-desktop train ...` (cli.py calls add_arguments and main) and `python -m vst_desktop.training.entry ...`
(the same options; what torchrun launches).

This module imports torch only inside main(), so the CLI can list the `train` command without it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from vst_desktop.core import paths
from vst_desktop.core.errors import VstError, report
from vst_desktop.trainspec import layout
from vst_desktop.trainspec.config import default_name
from vst_desktop.trainspec.presets import PRESETS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--styles", metavar="DIR",
                        help="folder of style images, or of input/ and target/ before-after pairs")
    parser.add_argument("--content", metavar="DIR", default="",
                        help="folder of content photos (default: the bundled set)")
    parser.add_argument("--preset", choices=tuple(PRESETS), default="quick",
                        help="quick: <= 30 min on 2 CPU cores; balanced: <= 2 h; high: GPU")
    parser.add_argument("--out", metavar="RUN", help="run folder (default: a new folder under the runs dir)")
    parser.add_argument("--resume", metavar="RUN", help="continue the run in this folder")
    # --iterations and --seed are read (and checked) by build_config, so that with --progress jsonl a bad value
    # is an `error` event like any other, not an argparse usage message.
    parser.add_argument("--iterations", help="training steps (overrides the preset)")
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default=None,
                        help="where to train (default: auto = a GPU when there is one)")
    parser.add_argument("--progress", choices=("bar", "jsonl"), default="bar",
                        help="bar: a progress bar for people; jsonl: JSON lines on stdout for programs")
    parser.add_argument("--name", help="style name shown in the gallery (default: the folder's name)")
    parser.add_argument("--seed", help="random seed (default 0)")
    parser.add_argument("--no-install", action="store_true",
                        help="write the style package into the run folder only")
    parser.add_argument("--no-evaluate", action="store_true",
                        help="skip the style metrics (stability, texture, colour, content) at the end")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", dest="overrides",
                        help="advanced: set any training config value, e.g. --set crop_size=128 "
                             "--set w_temporal=5 (repeatable; names as in config.json)")


def parse_overrides(items: list[str]) -> dict:
    """`KEY=VALUE` pairs, each read for its config field's type (config.parse_setting): a TrainingError for an
    unknown key or a value of the wrong type, before any work."""
    from vst_desktop.trainspec.config import parse_setting

    return dict(parse_setting(item) for item in items)


def _flag_overrides(args: argparse.Namespace) -> dict:
    """--iterations, --device and --seed as config values, read like --set values."""
    from vst_desktop.trainspec.config import parse_setting

    out = {}
    for key in ("iterations", "device", "seed"):
        value = getattr(args, key, None)
        if value is not None:
            out[key] = parse_setting(f"{key}={value}", flag=f"--{key}")[1]
    return out


def build_config(args: argparse.Namespace):
    """The run's TrainConfig from the command line (for --resume: only the allowed changes)."""
    from vst_desktop.core.images import is_paired_folder
    from vst_desktop.trainspec.presets import make_config

    overrides = {**parse_overrides(args.overrides), **_flag_overrides(args)}
    if not args.styles:
        raise VstError("No style folder was given.", "Use --styles DIR, or --resume RUN to continue a run.")
    values = dict(styles_dir=str(Path(args.styles).resolve()),
                  content_dir=str(Path(args.content).resolve()) if args.content else "",
                  paired=is_paired_folder(args.styles), name=args.name or default_name(args.styles))
    config = make_config(args.preset, **{**values, **overrides})  # --set name=... may set these too
    config.check()
    return config


def _resume_config(args: argparse.Namespace):
    from vst_desktop.training import checkpoint as ckpt
    from vst_desktop.trainspec.config import TrainConfig

    overrides = {**parse_overrides(args.overrides), **_flag_overrides(args)}
    state = ckpt.load(layout.checkpoint_path(Path(args.resume)))
    # The run's own settings; train() refuses changes other than those a resumed run allows.
    config = TrainConfig.from_dict(state["config"]).replace(**overrides)
    config.check()
    return config


def _metrics_hook(config, report):
    """A hook that measures the exported style with `evaluation` for its JSON."""
    from vst_desktop.evaluation.run import evaluate_style

    folder = Path(config.styles_dir) / "target" if config.paired else Path(config.styles_dir)

    def measure(onnx_path: Path, json_path: Path) -> dict:  # noqa: ARG001 - the hook's signature
        try:
            return evaluate_style(onnx_path, style_folder=folder)
        except VstError as exc:  # e.g. no validation photos outside a checkout: the style is still fine
            report({"event": "warning", "kind": "no_metrics", "message": f"metrics not computed: {exc.message}"})
            return {}

    return measure


class RunLogReporter:
    """Passes events on, and appends them to the run's log.jsonl as well (the loop logs its own events;
    this adds the ones that come after the loop: export, install, done, error)."""

    def __init__(self, report, run_dir: Path) -> None:
        self.report, self.run_dir = report, run_dir

    def __call__(self, event: dict) -> None:
        if self.run_dir.is_dir() and dist_rank() == 0:
            with open(self.run_dir / layout.LOG_FILE, "a", encoding="utf-8") as f:
                f.write(json.dumps(event, default=str) + "\n")
        self.report(event)


def dist_rank() -> int:
    import os

    return int(os.environ.get("RANK", "0"))


def main(args: argparse.Namespace) -> int:
    """Validate the folders (exit 2 with a message before any work), train, export, check, install."""
    from vst_desktop.training.data import scan_training_folders
    from vst_desktop.training.progress import make_reporter

    report = make_reporter(args.progress)
    try:
        config = _resume_config(args) if args.resume else build_config(args)
        scan_training_folders(config.styles_dir, config.content_dir, config.paired)
        run_dir = Path(args.resume or args.out or paths.runs_dir() / time.strftime(
            f"{_slug(config.name)}-%Y%m%d-%H%M%S"))
    except Exception as exc:
        report(error_event(exc))
        raise
    logged = RunLogReporter(report, run_dir)
    try:
        return _train_and_package(config, run_dir, args, report, logged)
    except Exception as exc:
        logged(error_event(exc))
        raise


def error_event(exc: Exception) -> dict:
    """The `error` event for any exception: a program reading --progress jsonl always learns that the run
    ended. A VstError's own words; for anything else (a bug) only its kind, the traceback goes to the log."""
    if isinstance(exc, VstError):
        return {"event": "error", "message": exc.message, "hint": exc.hint}
    try:
        where = f"the log in {paths.log_dir()}"
    except OSError:  # never let the report of one error raise another
        where = "the log"
    return {"event": "error", "kind": "unexpected", "message": f"Training stopped on an unexpected error "
            f"({type(exc).__name__}).", "hint": f"The details are in {where}; please report them."}


def _slug(name: str) -> str:
    from vst_desktop.training.export import slugify

    return slugify(name)


def _train_and_package(config, run_dir: Path, args: argparse.Namespace, report, logged) -> int:
    """`report` goes to the loop (which logs its own events); `logged` also appends to log.jsonl."""
    from vst_desktop.training import checkpoint as ckpt
    from vst_desktop.training.data import scan_training_folders
    from vst_desktop.training.export import build_package, install_package
    from vst_desktop.training.models import build_generator
    from vst_desktop.training.run import train
    from vst_desktop.training.texture.marks import generator_stages

    result = train(config, run_dir, resume=run_dir if args.resume else None, progress=report)
    if not result.is_main:
        return 0
    if result.status != "done":
        logged({"event": "done", "status": result.status, "step": result.step, "seconds": result.seconds,
                "run_dir": str(run_dir), "message": f"interrupted; continue with --resume {run_dir}"})
        return 130
    config = result.config  # as the run resolved it (marks="auto" -> the family it chose)
    generator = build_generator(config.generator, **generator_stages(config))
    generator.load_state_dict(ckpt.load(result.checkpoint)["EMA"])
    sources, _, _ = scan_training_folders(config.styles_dir, config.content_dir, config.paired)
    files = [p for pair in sources for p in pair] if config.paired else sources
    hook = None if args.no_evaluate else _metrics_hook(config, logged)
    package = build_package(generator, config, run_dir / layout.PACKAGE_DIR, _slug(config.name), config.name, files,
                            result.step, result.seconds, result.device, metrics_hook=hook)
    installed = None
    if not args.no_install:
        installed = install_package(package)
    logged({"event": "done", "status": "done", "step": result.step, "seconds": round(result.seconds, 1),
            "run_dir": str(run_dir), "package": str(package.onnx.parent), "parity_max_diff": package.parity_max_diff,
            "style_id": installed.id if installed else None, "metrics": package.metrics,
            "installed": str(installed.onnx_path) if installed else None})
    return 0


def _standalone(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vst_desktop.training.entry",
                                     description="Train a style from a folder of images.")
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        return main(args)
    except VstError as exc:
        return report(exc)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(_standalone())

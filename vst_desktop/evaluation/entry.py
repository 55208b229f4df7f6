"""`vst-desktop evaluate --style ID [--video FILE ...] [--photos DIR] [--styles-folder DIR] [--no-identify]
[--no-webcam] [--json]`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from vst_desktop.core.argtypes import positive_int, unit_interval
from vst_desktop.core.errors import SourceError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--style", required=True, help="style id (see `vst-desktop styles list`)")
    parser.add_argument("--video", action="append", help="clip for the stability measure (repeatable; "
                        "default: the clips in ../shared/data/video)")
    parser.add_argument("--photos", help="photos to stylize (default: ../shared/data/content/val)")
    parser.add_argument("--styles-folder", help="the style's image folder, for texture and colour gains "
                        "(default: the folder it was trained on, from its JSON)")
    parser.add_argument("--strength", type=unit_interval, default=1.0)
    parser.add_argument("--frames", type=positive_int, default=16, help="frames per clip (default 16)")
    parser.add_argument("--cpu", action="store_true", help="do not ask for a GPU provider")
    parser.add_argument("--no-stabilize", action="store_true", help="measure flicker without the temporal "
                        "stabiliser the app applies (ewarp_ratio_raw is reported either way)")
    parser.add_argument("--no-identify", action="store_true", help="skip style identification (the first run "
                        "over a set of style folders trains its classifiers, about a minute; then cached)")
    parser.add_argument("--no-webcam", action="store_true", help="skip the webcam set (a person before a plain "
                        "background: the face and demo clips, plain portraits), reported apart from the photos")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def styles_dir_from_meta(meta: Any) -> str | None:
    """`training.config.styles_dir` of a style's JSON, whatever shape the metadata object has."""
    training = meta.get("training") if isinstance(meta, dict) else getattr(meta, "training", None)
    if not isinstance(training, dict):
        return None
    config = training.get("config")
    if not isinstance(config, dict):
        return None
    value = config.get("styles_dir")
    if not value:
        return None
    if not Path(value).is_dir():
        # Built on another machine: the same folder of the shared data beside this checkout, if there is one.
        from vst_desktop.core import paths

        shared = paths.shared_data_dir()
        candidate = shared / "styles" / Path(value).name if shared else None
        if candidate is not None and candidate.is_dir():
            return str(candidate)
    return str(value)


def main(args: argparse.Namespace) -> int:
    from vst_desktop.evaluation.run import evaluate_style, format_table
    from vst_desktop.evaluation.stylizers import open_session
    from vst_desktop.styles.library import StyleLibrary

    package = StyleLibrary().get(args.style)  # StyleError (exit code 2) for an unknown id
    folder = args.styles_folder or styles_dir_from_meta(package.meta)
    if folder and not Path(folder).is_dir():
        raise SourceError(f"The style folder {folder} does not exist.", "Give the folder with --styles-folder.")
    for v in args.video or []:
        if not Path(v).is_file():
            raise SourceError(f"The video {v} does not exist.", "Check the path given with --video.")
    session = open_session(package.onnx_path, prefer_gpu=not args.cpu)
    result = evaluate_style(session, style_folder=folder, videos=args.video, photos_dir=args.photos,
                            strength=args.strength, max_frames=args.frames, stabilize=not args.no_stabilize,
                            identify=not args.no_identify, webcam_set=not args.no_webcam)
    result["style"] = args.style
    if args.json:
        print(json.dumps(result, indent=2, default=str))
    else:
        print(f"style               {args.style}")
        print(format_table(result))
    return 0

"""Command line: argparse sub-commands. Thin: parse, call a package, print.

Every `VstError` becomes its message on stderr and exit code 2; anything else is logged with its
traceback to the log file and reported once.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys

from vst_desktop.core.argtypes import positive_int, positive_seconds, unit_interval
from vst_desktop.core.errors import VstError, report
from vst_desktop.core.logging_setup import setup_logging
from vst_desktop.core.memory import reuse_large_blocks

log = logging.getLogger("vst_desktop")


def _print_json(data: object) -> None:
    print(json.dumps(data, indent=2, default=str))


# ---- sub-command handlers: each calls one package function and prints its result ----

def _cmd_doctor(args: argparse.Namespace) -> int:
    from vst_desktop.pipeline.doctor import collect, format_report

    report = collect()
    if args.json:
        _print_json(report)
    else:
        print(format_report(report))
    return 0


def _cmd_styles(args: argparse.Namespace) -> int:
    from vst_desktop.styles.library import StyleLibrary

    lib = StyleLibrary()
    if args.action == "list":
        styles = lib.list()
        if args.json:
            _print_json({"styles": [dict(p.meta.to_json(), builtin=p.builtin, path=str(p.onnx_path))
                                    for p in styles],
                         "problems": [e.user_text() for e in lib.problems]})
        else:
            for p in styles:
                where = "built-in" if p.builtin else "user"
                print(f"{p.id:28s} {p.meta.kind:7s} {where:9s} {p.meta.name}")
            for e in lib.problems:
                print(f"skipped: {e.message}", file=sys.stderr)
        return 0
    if args.action == "import":
        failed = 0
        for path in args.paths:  # each file on its own: one bad file does not stop the others
            try:
                pkg = lib.import_file(path, replace=args.replace)
            except VstError as exc:
                failed += 1
                report(exc)
                continue
            print(f"installed {pkg.id} ({pkg.meta.name})")
            _embed_installed(pkg)
            if lib.last_backup is not None:
                print(f"  replaced the earlier version; it is kept in {lib.last_backup} until the app next starts")
        return 2 if failed else 0
    if args.action == "export":
        dest = lib.export(args.id, args.output or ".")
        print(f"exported {args.id} to {dest}")
        return 0
    if args.action == "remove":
        lib.remove(args.id)
        print(f"removed {args.id}")
        return 0
    if args.action in ("similar", "match"):
        return _styles_ranking(lib, args)
    raise AssertionError(args.action)


def _embed_installed(pkg) -> None:
    """Measure a newly installed style for the recommendations now (under 2 s), not at its first ranking."""
    from vst_desktop.recommend.embedding import EmbeddingCache

    try:
        EmbeddingCache().embedding(pkg.onnx_path)
    except Exception:  # noqa: BLE001 - the style is installed; its embedding is retried at first use
        log.warning("style %s installed, its embedding will be computed at first use", pkg.id, exc_info=True)


def _styles_ranking(lib, args: argparse.Namespace) -> int:
    from vst_desktop.recommend.ranking import for_library

    packages, ranking = for_library(lib, args.action, args.target)
    names = {p.id: p.meta.name for p in packages}
    rows = [{"id": r.style_id, "name": names.get(r.style_id, r.style_id), "distance": round(r.distance, 4)}
            for r in ranking[: args.top]]
    if args.json:
        _print_json({args.action: args.target, "styles": rows})
    else:
        for i, r in enumerate(rows, 1):
            print(f"{i:2d}. {r['id']:28s} {r['distance']:8.3f}  {r['name']}")
    return 0


def _size_arg(text: str) -> tuple[int, int]:
    from vst_desktop.pipeline.sizing import parse_size

    try:
        return parse_size(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _cmd_stylize(args: argparse.Namespace) -> int:
    from vst_desktop.pipeline.stylize import stylize_path

    result = stylize_path(args.input, args.output, args.style, strength=args.strength, size=args.size,
                          progress=not args.quiet, stabilize=not args.no_stabilize)
    for out in result.outputs:
        print(out)
    if result.skipped:
        for path, why in result.skipped:
            print(f"skipped: {path}: {why}", file=sys.stderr)
        raise VstError(f"{len(result.skipped)} of {len(result.skipped) + len(result.outputs)} images could "
                       "not be read and were skipped (listed above); the others were stylized.",
                       "Check that the skipped files are PNG or JPEG images.")
    return 0


def _cmd_bench(args: argparse.Namespace) -> int:
    from vst_desktop.pipeline.bench import format_table, run_bench

    if args.virtual_camera:
        return _bench_virtual_camera(args)
    result = run_bench(size=args.size, seconds=args.seconds, styles=args.style or None,
                       prefer_gpu=not args.cpu, inference=args.network, overlapped=not args.sequential)
    if args.json:
        _print_json(result)
    else:
        print(format_table(result))
    return 0


def _cmd_train(args: argparse.Namespace) -> int:
    import importlib.util

    # The live app installs (and the live bundle ships) without torch: say so before any work starts.
    try:
        has_torch = importlib.util.find_spec("torch") is not None
    except ImportError:
        has_torch = False
    if not has_torch:
        return _missing_extra("training", ModuleNotFoundError("No module named 'torch'"))
    from vst_desktop.training.entry import main as train_main

    try:
        return train_main(args)
    except ModuleNotFoundError as exc:  # torch (or a part of it) found but not importable
        if (exc.name or "").split(".")[0] != "torch":
            raise
        return _missing_extra("training", exc)


def _bench_virtual_camera(args: argparse.Namespace) -> int:
    from vst_desktop.pipeline.bench_virtual_camera import format_report, run_virtual_camera_bench

    result = run_virtual_camera_bench(size=args.size, seconds=args.seconds, prefer_gpu=not args.cpu,
                                      style=args.style[0] if args.style else None)
    if args.json:
        _print_json(result)
    else:
        print(format_report(result))
    return 0


def _cmd_live(args: argparse.Namespace) -> int:
    from vst_desktop.pipeline.live import run_live

    if not args.virtual_camera:
        raise VstError("`live` needs somewhere to send the video.",
                       "Add --virtual-camera (the only headless output so far).")
    run_live(source=args.live_source or args.source or "", style=args.style or "", strength=args.strength,
             mirror=args.mirror, stabilize=not args.no_stabilize, seconds=args.seconds, prefer_gpu=not args.cpu)
    return 0


def _add_live_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("live", help="stylize a camera (or clip) live into a virtual camera, without a window")
    p.add_argument("--virtual-camera", action="store_true", help="send to the virtual camera (v4l2loopback, "
                   "OBS Virtual Camera)")
    # Its own dest: the top-level --source would be overwritten by this one's default otherwise.
    p.add_argument("--source", dest="live_source", default=None,
                   help="camera:N, demo, or a video/image file (default: the first camera, else the demo clip)")
    p.add_argument("--style", default="", help="style id (default: the original picture)")
    p.add_argument("--strength", type=unit_interval, default=1.0, help="0 (the photo) to 1 (full style)")
    p.add_argument("--mirror", action="store_true", help="mirror the picture, as the window's Mirror does")
    p.add_argument("--no-stabilize", action="store_true", help="no temporal stabiliser (steady strokes)")
    p.add_argument("--seconds", type=positive_seconds, default=None, help="stop after N seconds "
                   "(default: run until Ctrl-C)")
    p.add_argument("--cpu", action="store_true", help="do not ask for a GPU provider")
    p.set_defaults(func=_cmd_live)


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from vst_desktop.evaluation.entry import main as evaluate_main

    return evaluate_main(args)


def _add_train_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="train a new style from a folder of images")
    try:
        from vst_desktop.training.entry import add_arguments
    except ImportError as exc:  # the live app installs without the [train] extra
        # Whatever options follow, the answer is the same message: accept them all.
        p.set_defaults(func=lambda _a, e=exc: _missing_extra("training", e), accepts_any_options=True)
        return
    add_arguments(p)
    p.set_defaults(func=_cmd_train)


def _add_evaluate_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("evaluate", help="measure a style's stability, texture, colour, content and how well it "
                       "is identified, on detailed photos and on the webcam set")
    try:
        from vst_desktop.evaluation.entry import add_arguments
    except ImportError as exc:
        # Whatever options follow, the answer is the same message: accept them all.
        p.set_defaults(func=lambda _a, e=exc: _missing_extra("evaluation", e), accepts_any_options=True)
        return
    add_arguments(p)
    p.set_defaults(func=_cmd_evaluate)


def _missing_extra(what: str, exc: Exception) -> int:
    if getattr(sys, "frozen", False):
        hint = "Training comes with the vst-desktop-train bundle; download or build that one."
    else:
        hint = "Install it with: pip install 'vst-desktop[train]'"
    raise VstError(f"The {what} engine is not installed ({exc}).", hint)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vst-desktop", description="Live video style transfer.")
    parser.add_argument("--self-test", nargs="?", const="app", default=None, metavar="WHAT",
                        help="open the window offscreen, run every built-in style, record, exit 0/1 "
                             "('training' also trains a tiny style from the dialog)")
    parser.add_argument("--source", default=None, help="camera:N, demo, or a video/image file to open")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    sub = parser.add_subparsers(dest="command")

    p = sub.add_parser("doctor", help="versions, providers requested vs used, cameras")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_doctor)

    p = sub.add_parser("styles", help="list, import, export or remove styles")
    ssub = p.add_subparsers(dest="action", required=True)
    q = ssub.add_parser("list")
    q.add_argument("--json", action="store_true")
    q = ssub.add_parser("import")
    q.add_argument("paths", nargs="+", help=".vststyle files")
    q.add_argument("--replace", action="store_true", help="replace an installed style with the same id "
                   "(the old one is kept until the app next starts)")
    q = ssub.add_parser("export")
    q.add_argument("id")
    q.add_argument("-o", "--output", help="destination file or folder")
    q = ssub.add_parser("remove")
    q.add_argument("id")
    q = ssub.add_parser("similar", help="the installed styles nearest to one, nearest first")
    q.add_argument("target", metavar="ID")
    q = ssub.add_parser("match", help="rank the installed styles by how close they come to a picture's look")
    q.add_argument("target", metavar="IMAGE")
    for q in (ssub.choices["similar"], ssub.choices["match"]):
        q.add_argument("--json", action="store_true")
        q.add_argument("--top", type=positive_int, default=10, help="how many styles to show (default 10)")
    p.set_defaults(func=_cmd_styles)

    p = sub.add_parser("stylize", help="stylize a video, an image or a folder of images")
    p.add_argument("input")
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--style", required=True)
    p.add_argument("--strength", type=unit_interval, default=1.0, help="0 (the photo) to 1 (full style)")
    p.add_argument("--size", type=_size_arg, help="inference size WxH (default: the style's own)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.add_argument("--no-stabilize", action="store_true", help="each video frame on its own (no temporal "
                   "stabiliser)")
    p.set_defaults(func=_cmd_stylize)

    p = sub.add_parser("bench", help="model and end-to-end speed per style, against a reference network")
    p.add_argument("--json", action="store_true")
    p.add_argument("--size", type=_size_arg, default="640x360", help="frame size WxH")
    p.add_argument("--seconds", type=positive_seconds, default=3.0)
    p.add_argument("--style", action="append", help="only these styles (repeatable)")
    p.add_argument("--cpu", action="store_true", help="do not ask for a GPU provider")
    p.add_argument("--network", choices=("auto", "full"), default="auto", help="auto: the network at the size "
                   "the live view uses (on a CPU at most 360p, enlarged guided by the frame); full: at --size")
    p.add_argument("--sequential", action="store_true", help="network and finishing stage one after the "
                   "other on one thread (the app overlaps them)")
    p.add_argument("--virtual-camera", action="store_true", help="frame time with and without the virtual "
                   "camera, side by side (a null device that does a real one's conversions)")
    p.set_defaults(func=_cmd_bench)

    _add_live_parser(sub)
    _add_train_parser(sub)
    _add_evaluate_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    reuse_large_blocks()  # before the first frame: each frame's arrays come from the heap, not fresh pages
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown and not getattr(args, "accepts_any_options", False):
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    try:
        log_file = setup_logging(verbose=args.verbose)
    except OSError as exc:
        print(f"error: cannot write the log file ({exc}).", file=sys.stderr)
        print("Check that your home folder (or VST_DESKTOP_HOME) is writable and has free space.",
              file=sys.stderr)
        return 2
    try:
        if args.command is None:
            from vst_desktop.app import run_app

            return run_app(sys.argv[:1], self_test=args.self_test, source=args.source)
        return int(args.func(args) or 0)
    except VstError as exc:
        return report(exc)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - last resort: the traceback to the log, one line to the person
        log.error("unexpected error", exc_info=True, extra={"file_only": True})
        print(f"error: something went wrong that we did not expect ({type(exc).__name__}: "
              f"{str(exc)[:200]}). The details are in {log_file}; please include that file in a bug report.",
              file=sys.stderr)
        return 1

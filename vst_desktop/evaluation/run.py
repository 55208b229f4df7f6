"""`evaluate_style`: every metric of docs/evaluation.md for one stylizer, in one dict."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

from vst_desktop.core import paths
from vst_desktop.core.errors import SourceError
from vst_desktop.evaluation import metrics, webcam
from vst_desktop.evaluation.identify import MODES, Identifier, IdentifyConfig, train_identifiers
from vst_desktop.evaluation.media import VIDEO_SUFFIXES, image_files, read_clip, read_image, resize_long_side
from vst_desktop.evaluation.style_critic import StyleCritic, train_critic, working_image
from vst_desktop.evaluation.style_score import colour_gain, texture_gain
from vst_desktop.evaluation.stylizers import Stylizer, as_stylizer, for_clip
from vst_desktop.inference.temporal import TemporalStabilizer

log = logging.getLogger(__name__)

PHOTO_LONG_SIDE = 512


def default_videos() -> list[Path]:
    shared = paths.shared_data_dir()
    folder = shared / "video" if shared else None
    if folder is None or not folder.is_dir():
        return [paths.demo_clip()] if paths.demo_clip().is_file() else []
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in VIDEO_SUFFIXES)


def _shared_content(split: str) -> Path | None:
    shared = paths.shared_data_dir()
    d = shared / "content" / split if shared else None
    return d if d is not None and d.is_dir() else None


def default_photos_dir() -> Path | None:
    return _shared_content("val")


def default_train_photos_dir() -> Path | None:
    """Photos the critic learns "photo" from: the content training set, or the bundled content set."""
    return _shared_content("train") or (paths.resources_dir() / "content")


def model_sized(img: np.ndarray) -> np.ndarray:
    """At most PHOTO_LONG_SIDE, sides multiples of 8 (what style graphs accept)."""
    return resize_long_side(img, min(PHOTO_LONG_SIDE, max(img.shape[:2])))


def load_photos(photos_dir: str | Path, limit: int | None = None, detailed_only: bool = False) -> list[np.ndarray]:
    """The folder's photos; `detailed_only`: without the plain-background portraits of the webcam set
    (unless nothing else is left)."""
    files = image_files(photos_dir)
    detailed = webcam.split_photos(photos_dir)[0] if detailed_only else files
    files = (detailed or files)[:limit]
    if not files:
        raise SourceError(f"No photos found in {photos_dir}.", "Give a folder of photos with --photos.")
    return [model_sized(read_image(p)) for p in files]


def critic_for(style_folder: str | Path, train_photos_dir: str | Path | None = None, seed: int = 0) -> StyleCritic:
    """The folder's critic, trained once and cached in the user data folder."""
    train_dir = train_photos_dir or default_train_photos_dir()
    if train_dir is None or not Path(train_dir).is_dir():
        raise SourceError("No training photos for the style critic were found.",
                          "Run from a checkout with ../shared/data beside it.")
    return train_critic(style_folder, train_dir, seed=seed, cache_dir=paths.data_dir() / "cache")


def identify_folders(style_folder: str | Path) -> list[Path]:
    """The folders the identifier tells apart: the shared style folders, with the style's own in its place."""
    own = Path(style_folder)
    shared = paths.shared_data_dir()
    root = shared / "styles" if shared else None
    others = sorted(p for p in root.iterdir() if p.is_dir() and p.name != own.name) if root and root.is_dir() else []
    return sorted([*others, own], key=lambda p: p.name)


def identifiers_for(style_folder: str | Path, train_photos_dir: str | Path | None = None) -> dict[str, Identifier]:
    """Grey and colour identifiers over `identify_folders`, trained once and cached in the user data folder."""
    train_dir = train_photos_dir or default_train_photos_dir()
    folders = identify_folders(style_folder)
    if len(folders) < 2:
        raise SourceError("Identification needs other style folders to tell the style from.",
                          "Run from a checkout with ../shared/data beside it.")
    return train_identifiers(folders, train_dir, IdentifyConfig(), cache_dir=paths.data_dir() / "cache")


def identification(identifiers: dict[str, Identifier], own: str, outs: list[np.ndarray]) -> dict:
    """Per mode: p_own and top-1 of the outputs, beside the own folder's held-out paintings (the ceiling)."""
    res: dict[str, Any] = {"folder": own}
    for mode, ident in identifiers.items():
        r = ident.score(outs, own)
        ceiling = ident.ceiling(own)
        res[mode] = {"p_own": r["p_own"], "top1": r["top1"], "top1_is_own": r["top1_is_own"], "proba": r["proba"],
                     "ceiling_p_own": ceiling["p_own"], "ceiling_top1": ceiling["top1"]}
    return res


def set_metrics(inputs: list[np.ndarray], outs: list[np.ndarray], critic: StyleCritic | None,
                style_images: list[np.ndarray] | None, identifiers: dict[str, Identifier] | None,
                own: str | None, no_style_reason: str = "") -> dict[str, Any]:
    """Content, texture, colour and identification metrics of one set of inputs and their outputs."""
    r: dict[str, Any] = {
        "content_edge_ssim": round(float(np.mean([metrics.content_edge_ssim(p, o)
                                                  for p, o in zip(inputs, outs, strict=True)])), 4),
        "lowfreq_psnr": round(float(np.mean([metrics.lowfreq_psnr(p, o)
                                             for p, o in zip(inputs, outs, strict=True)])), 2)}
    if critic is None:
        r.update(texture_gain=None, texture={"reason": no_style_reason}, colour_gain=None,
                 colour={"reason": no_style_reason})
    else:
        r["texture"] = texture_gain(critic, inputs, outs)
        gain = r["texture"]["texture_gain"]
        r["texture_gain"] = None if gain is None or not np.isfinite(gain) else gain  # JSON has no NaN
        r["texture"]["texture_gain"] = r["texture_gain"]
        r["colour"] = colour_gain(style_images, inputs, outs)
        r["colour_gain"] = r["colour"]["colour_gain"]
    if identifiers and own:
        r["identification"] = identification(identifiers, own, outs)
    else:
        r["identification"] = {"reason": no_style_reason or "identification was not asked for"}
    return r


def stabilized(stylize: Stylizer) -> Stylizer:
    """The stylizer followed by a fresh temporal stabiliser (one per clip: clips are separate streams)."""
    stab = TemporalStabilizer()

    def run(bgr: np.ndarray) -> np.ndarray:
        return stab(bgr, stylize(bgr))

    return run


def _flicker(stylize: Stylizer, videos: list[Path], max_frames: int, stabilize: bool) -> tuple[dict, dict, dict]:
    """Per clip: (ewarp_ratio as shown, ewarp_ratio of the network alone, the floor of the one shown: what a
    clip exactly as steady as the input but as sharp as the output scores, metrics.ewarp_floor)."""
    per_clip, per_clip_raw, floor, floor_raw = {}, {}, {}, {}
    for v in videos:
        frames = read_clip(v, max_frames=max_frames)
        pairs = metrics.warp_pairs(frames)
        clip_stylize = for_clip(stylize)  # in order, frame after frame: a canvas style carries its canvas
        outs = {id(f): clip_stylize(f) for f in frames}  # the network runs once per frame for both measures
        replay = lambda f, outs=outs: outs[id(f)]  # noqa: E731
        name = Path(v).name
        raw = metrics.ewarp_ratio(frames, replay, pairs)
        per_clip_raw[name], floor_raw[name] = raw["ewarp_ratio"], raw["ewarp_floor"]
        if stabilize:
            shown = metrics.ewarp_ratio(frames, stabilized(replay), pairs)
            per_clip[name], floor[name] = shown["ewarp_ratio"], shown["ewarp_floor"]
    return (per_clip if stabilize else per_clip_raw), per_clip_raw, (floor if stabilize else floor_raw)


def _mean(d: dict) -> float | None:
    return round(float(np.mean(list(d.values()))), 4) if d else None


def evaluate_style(target: Any, style_folder: str | Path | None = None, videos: list[str | Path] | None = None,
                   photos_dir: str | Path | None = None, *, critic: StyleCritic | None = None,
                   train_photos_dir: str | Path | None = None, strength: float = 1.0, max_frames: int = 16,
                   photo_limit: int | None = None, timing: bool = True, stabilize: bool = True,
                   identify: bool = True, identifiers: dict[str, Identifier] | None = None,
                   webcam_set: bool = True, webcam_frames: int = 6) -> dict:
    """Measure a stylizer: a callable, a StyleSession, an ONNX path or a style package.

    `stabilize`: clips go through the temporal stabiliser the live view and `stylize` use by default
    (inference/temporal.py), so `ewarp_ratio` is the flicker a person sees; `ewarp_ratio_raw` is the
    network's own, frame by frame. Photos are single frames either way.

    The top-level numbers are the detailed photos (the photo folder without its plain-background
    portraits) and all given clips; `result["webcam"]` holds the same metrics on the webcam set
    (`webcam.py`: frames of the face and demo clips, the plain portraits; flicker on those two clips).
    `identify`: style identification (grey and colour, p_own and top-1 beside the held-out ceiling).
    """
    stylize, provider = as_stylizer(target, strength)
    result: dict[str, Any] = {"provider": provider, "strength": strength, "stabilized": stabilize}

    videos = [Path(v) for v in videos] if videos else default_videos()
    per_clip, per_clip_raw, floor = _flicker(stylize, videos, max_frames, stabilize)
    result["ewarp_ratio"] = _mean(per_clip)
    result["ewarp_per_clip"] = per_clip
    result["ewarp_ratio_raw"] = _mean(per_clip_raw)
    result["ewarp_per_clip_raw"] = per_clip_raw
    result["ewarp_floor"] = _mean(floor)  # of ewarp_ratio: what its sharpness alone scores on this ruler
    result["ewarp_floor_per_clip"] = floor

    photos_dir = photos_dir or default_photos_dir()
    if photos_dir is None:
        raise SourceError("No validation photos were found.", "Give a folder of photos with --photos.")
    photos = load_photos(photos_dir, photo_limit, detailed_only=webcam_set)
    outs = [stylize(p) for p in photos]
    result["photos"] = {"folder": str(photos_dir), "count": len(photos),
                        "plain_portraits_moved_to_webcam": webcam_set}

    reason = ""
    style_images = None
    if style_folder is None and critic is None:
        reason = "no style folder known (the style's JSON has no training.config.styles_dir; use --styles-folder)"
    else:
        folder = Path(style_folder or critic.folder)
        critic = critic or critic_for(folder, train_photos_dir)
        result["style_folder"] = str(folder)
        style_images = [working_image(read_image(p)) for p in image_files(folder)]
        if identify and identifiers is None:
            try:
                identifiers = identifiers_for(folder, train_photos_dir)
            except SourceError as exc:  # e.g. no other style folders outside a checkout: the rest still counts
                reason = f"no identification: {exc.message}"
    own = Path(result["style_folder"]).name if "style_folder" in result else None
    idents = identifiers if identify else None
    result.update(set_metrics(photos, outs, critic, style_images, idents, own, reason))

    if webcam_set:
        clips = webcam.webcam_clips()
        w_inputs, w_info = webcam.webcam_set(photos_dir, webcam_frames, clips)
        if w_inputs:
            given = {v.resolve() for v in videos}
            done = [c for c in clips if c.resolve() in given]  # measured above already: not twice
            w_clip, w_raw, w_floor = _flicker(stylize, [c for c in clips if c not in done], max_frames, stabilize)
            w_clip |= {c.name: per_clip[c.name] for c in done}
            w_raw |= {c.name: per_clip_raw[c.name] for c in done}
            w_floor |= {c.name: floor[c.name] for c in done}
            w = {"inputs": w_info, "ewarp_ratio": _mean(w_clip), "ewarp_per_clip": w_clip,
                 "ewarp_ratio_raw": _mean(w_raw), "ewarp_per_clip_raw": w_raw,
                 "ewarp_floor": _mean(w_floor), "ewarp_floor_per_clip": w_floor}
            w.update(set_metrics(w_inputs, [stylize(x) for x in w_inputs], critic, style_images, idents, own, reason))
            result["webcam"] = w

    if timing:
        result["ms_per_frame"] = metrics.ms_per_frame(stylize, photos[0])
    return result


def score_sets(target: Any, style_folder: str | Path, photos_dir: str | Path | None = None, *,
               strength: float = 1.0, webcam_frames: int = 6) -> dict[str, dict]:
    """Texture, colour, content and identification on the detailed photos and on the webcam set, without
    the flicker and timing of `evaluate_style` (the gallery measures these for every style)."""
    stylize, _ = as_stylizer(target, strength)
    folder = Path(style_folder)
    photos_dir = photos_dir or default_photos_dir()
    if photos_dir is None:
        raise SourceError("No validation photos were found.", "Give a folder of photos.")
    critic = critic_for(folder)
    style_images = [working_image(read_image(p)) for p in image_files(folder)]
    idents = identifiers_for(folder)
    photos = load_photos(photos_dir, detailed_only=True)
    w_inputs, w_info = webcam.webcam_set(photos_dir, webcam_frames)
    out = {"photos": set_metrics(photos, [stylize(p) for p in photos], critic, style_images, idents, folder.name)}
    out["photos"]["count"] = len(photos)
    if w_inputs:
        out["webcam"] = set_metrics(w_inputs, [stylize(x) for x in w_inputs], critic, style_images, idents,
                                    folder.name)
        out["webcam"]["inputs"] = w_info
    return out


def _num(v: Any, fmt: str = "{:.3f}") -> str:
    return "n/a" if v is None else fmt.format(v)


def _set_lines(r: dict, label: str) -> list[str]:
    """The per-set rows: texture, colour, content, identification."""
    lines = []
    tex = r.get("texture") or {}
    if r.get("texture_gain") is None:
        lines.append(f"texture_gain        n/a   ({tex.get('reason', '')})")
    else:
        lines.append(f"texture_gain        {_num(r['texture_gain'])}   (0 = photo, 1 = held-out painting)")
    if "p_stylized" in tex:
        lines.append(f"  P(painting): stylized {tex['p_stylized']:.3f}  {label} {tex['p_photo']:.3f}  "
                     f"held-out painting {tex['p_heldout_painting']:.3f}  ({tex['method']})")
    col = r.get("colour") or {}
    lines.append(f"colour_gain         {_num(r.get('colour_gain'))}" +
                 (f"   (Lab SWD to style: {label} {col['lab_swd_photo']}, stylized {col['lab_swd_stylized']})"
                  if "lab_swd_photo" in col else ""))
    lines.append(f"content_edge_ssim   {_num(r.get('content_edge_ssim'))}")
    lines.append(f"lowfreq_psnr        {_num(r.get('lowfreq_psnr'), '{:.2f}')} dB")
    ident = r.get("identification") or {}
    for mode in MODES:
        m = ident.get(mode)
        if m:
            lines.append(f"identify {mode:6s}     p_own {m['p_own']:.3f}  top-1 {m['top1']}"
                         f"   (held-out paintings: p_own {m['ceiling_p_own']:.3f}, top-1 {m['ceiling_top1']})")
    if not any(ident.get(m) for m in MODES):
        lines.append(f"identify            n/a   ({ident.get('reason', '')})")
    return lines


def format_table(result: dict) -> str:
    """A readable summary of `evaluate_style`'s dict: detailed photos, then the webcam set."""
    lines = [f"provider            {result.get('provider')}"]
    steady = " with the temporal stabiliser" if result.get("stabilized") else ""
    lines.append(f"ewarp_ratio         {_num(result.get('ewarp_ratio'))}   (1.0 = as stable as the source){steady}")
    for name, r in result.get("ewarp_per_clip", {}).items():
        lines.append(f"  {name:30s} {r:.3f}")
    if result.get("stabilized"):
        lines.append(f"ewarp_ratio_raw     {_num(result.get('ewarp_ratio_raw'))}   (the network alone, frame by frame)")
    if result.get("ewarp_floor") is not None:
        lines.append(f"ewarp_floor         {_num(result.get('ewarp_floor'))}   (the score of a clip as steady as the "
                     "source and as sharp as the output)")
    count = (result.get("photos") or {}).get("count")
    lines.append(f"-- detailed photos ({count}) --")
    lines += _set_lines(result, "photo")
    w = result.get("webcam")
    if w:
        src = ", ".join(f"{k} {v}" for k, v in w["inputs"]["sources"].items())
        lines.append(f"-- webcam set: a person before a plain background ({w['inputs']['count']}: {src}) --")
        lines.append(f"ewarp_ratio         {_num(w.get('ewarp_ratio'))}   (raw {_num(w.get('ewarp_ratio_raw'))}; "
                     f"floor {_num(w.get('ewarp_floor'))}; "
                     + ", ".join(f"{k} {v:.3f}" for k, v in w["ewarp_per_clip"].items()) + ")")
        lines += _set_lines(w, "input")
    for size, ms in (result.get("ms_per_frame") or {}).items():
        lines.append(f"ms_per_frame {size:9s} {ms:.2f}")
    return "\n".join(lines)

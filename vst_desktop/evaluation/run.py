"""`evaluate_style`: every metric of docs/evaluation.md for one stylizer, in one dict."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

from vst_desktop.core import paths
from vst_desktop.core.errors import SourceError
from vst_desktop.evaluation import metrics
from vst_desktop.evaluation.media import VIDEO_SUFFIXES, image_files, read_clip, read_image, resize_long_side
from vst_desktop.evaluation.style_critic import StyleCritic, train_critic, working_image
from vst_desktop.evaluation.style_score import colour_gain, texture_gain
from vst_desktop.evaluation.stylizers import Stylizer, as_stylizer
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


def load_photos(photos_dir: str | Path, limit: int | None = None) -> list[np.ndarray]:
    files = image_files(photos_dir)[:limit]
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


def stabilized(stylize: Stylizer) -> Stylizer:
    """The stylizer followed by a fresh temporal stabiliser (one per clip: clips are separate streams)."""
    stab = TemporalStabilizer()

    def run(bgr: np.ndarray) -> np.ndarray:
        return stab(bgr, stylize(bgr))

    return run


def evaluate_style(target: Any, style_folder: str | Path | None = None, videos: list[str | Path] | None = None,
                   photos_dir: str | Path | None = None, *, critic: StyleCritic | None = None,
                   train_photos_dir: str | Path | None = None, strength: float = 1.0, max_frames: int = 16,
                   photo_limit: int | None = None, timing: bool = True, stabilize: bool = True) -> dict:
    """Measure a stylizer: a callable, a StyleSession, an ONNX path or a style package.

    `stabilize`: clips go through the temporal stabiliser the live view and `stylize` use by default
    (inference/temporal.py), so `ewarp_ratio` is the flicker a person sees; `ewarp_ratio_raw` is the
    network's own, frame by frame. Photos are single frames either way.
    """
    stylize, provider = as_stylizer(target, strength)
    result: dict[str, Any] = {"provider": provider, "strength": strength, "stabilized": stabilize}

    videos = list(videos) if videos else default_videos()
    per_clip, per_clip_raw = {}, {}
    for v in videos:
        frames = read_clip(v, max_frames=max_frames)
        pairs = metrics.warp_pairs(frames)
        outs = {id(f): stylize(f) for f in frames}  # the network runs once per frame for both measures
        replay = lambda f, outs=outs: outs[id(f)]  # noqa: E731
        per_clip_raw[Path(v).name] = metrics.ewarp_ratio(frames, replay, pairs)["ewarp_ratio"]
        if stabilize:
            per_clip[Path(v).name] = metrics.ewarp_ratio(frames, stabilized(replay), pairs)["ewarp_ratio"]
    per_clip = per_clip if stabilize else per_clip_raw
    mean = lambda d: round(float(np.mean(list(d.values()))), 4) if d else None  # noqa: E731
    result["ewarp_ratio"] = mean(per_clip)
    result["ewarp_per_clip"] = per_clip
    result["ewarp_ratio_raw"] = mean(per_clip_raw)
    result["ewarp_per_clip_raw"] = per_clip_raw

    photos_dir = photos_dir or default_photos_dir()
    if photos_dir is None:
        raise SourceError("No validation photos were found.", "Give a folder of photos with --photos.")
    photos = load_photos(photos_dir, photo_limit)
    outs = [stylize(p) for p in photos]
    result["photos"] = {"folder": str(photos_dir), "count": len(photos)}
    result["content_edge_ssim"] = round(float(np.mean([metrics.content_edge_ssim(p, o)
                                                       for p, o in zip(photos, outs, strict=True)])), 4)
    result["lowfreq_psnr"] = round(float(np.mean([metrics.lowfreq_psnr(p, o)
                                                  for p, o in zip(photos, outs, strict=True)])), 2)

    if style_folder is None and critic is None:
        reason = "no style folder known (the style's JSON has no training.config.styles_dir; use --styles-folder)"
        result.update(texture_gain=None, texture={"reason": reason}, colour_gain=None, colour={"reason": reason})
    else:
        folder = Path(style_folder or critic.folder)
        critic = critic or critic_for(folder, train_photos_dir)
        result["style_folder"] = str(folder)
        result["texture"] = texture_gain(critic, photos, outs)
        result["texture_gain"] = result["texture"]["texture_gain"]
        style_images = [working_image(read_image(p)) for p in image_files(folder)]
        result["colour"] = colour_gain(style_images, photos, outs)
        result["colour_gain"] = result["colour"]["colour_gain"]

    if timing:
        result["ms_per_frame"] = metrics.ms_per_frame(stylize, photos[0])
    return result


def format_table(result: dict) -> str:
    """A readable summary of `evaluate_style`'s dict."""
    def num(v: Any, fmt: str = "{:.3f}") -> str:
        return "n/a" if v is None else fmt.format(v)

    lines = [f"provider            {result.get('provider')}"]
    steady = " with the temporal stabiliser" if result.get("stabilized") else ""
    lines.append(f"ewarp_ratio         {num(result.get('ewarp_ratio'))}   (1.0 = as stable as the source){steady}")
    for name, r in result.get("ewarp_per_clip", {}).items():
        lines.append(f"  {name:30s} {r:.3f}")
    if result.get("stabilized"):
        lines.append(f"ewarp_ratio_raw     {num(result.get('ewarp_ratio_raw'))}   (the network alone, frame by frame)")
    tex = result.get("texture") or {}
    if result.get("texture_gain") is None:
        lines.append(f"texture_gain        n/a   ({tex.get('reason', '')})")
    else:
        warn = "" if tex.get("reliable") else "  [low ceiling: the folder's held-out images barely beat photos]"
        lines.append(f"texture_gain        {num(result['texture_gain'])}   (0 = photo, 1 = held-out painting){warn}")
        lines.append(f"  P(painting): stylized {tex['p_stylized']:.3f}  photo {tex['p_photo']:.3f}  "
                     f"held-out painting {tex['p_heldout_painting']:.3f}  ({tex['method']})")
    col = result.get("colour") or {}
    lines.append(f"colour_gain         {num(result.get('colour_gain'))}" +
                 (f"   (Lab SWD to style: photo {col['lab_swd_photo']}, stylized {col['lab_swd_stylized']})"
                  if "lab_swd_photo" in col else ""))
    lines.append(f"content_edge_ssim   {num(result.get('content_edge_ssim'))}")
    lines.append(f"lowfreq_psnr        {num(result.get('lowfreq_psnr'), '{:.2f}')} dB")
    for size, ms in (result.get("ms_per_frame") or {}).items():
        lines.append(f"ms_per_frame {size:9s} {ms:.2f}")
    return "\n".join(lines)

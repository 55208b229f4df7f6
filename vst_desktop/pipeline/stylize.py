"""Offline stylization of a video, an image or a folder of images (`vst-desktop stylize`)."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from pathlib import Path

import cv2
from tqdm import tqdm

from vst_desktop.capture.video import iter_video_frames, probe_video
from vst_desktop.core.errors import SourceError, VstError
from vst_desktop.core.frame import Frame
from vst_desktop.inference.session import StyleSession
from vst_desktop.pipeline.pipeline import Pipeline
from vst_desktop.pipeline.sizing import fit_height
from vst_desktop.recording.audio_mux import copy_audio
from vst_desktop.recording.writer import Mp4Writer
from vst_desktop.styles.library import StyleLibrary

log = logging.getLogger(__name__)

IMAGE_EXTS = {".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff"}
# Offline jobs default to at most 720 rows of inference: sharper than live, still quick on a CPU.
DEFAULT_MAX_HEIGHT = 720


def _open_session(style_id: str) -> StyleSession:
    package = StyleLibrary().get(style_id)
    return StyleSession(package.onnx_path)


def _inference_size(frame_size: tuple[int, int], size: tuple[int, int] | None) -> tuple[int, int]:
    if size is not None:
        return size
    return fit_height(frame_size, DEFAULT_MAX_HEIGHT)


def _stylize_image(pipe: Pipeline, src: Path, dst: Path, size: tuple[int, int] | None) -> Path:
    img = cv2.imread(str(src), cv2.IMREAD_COLOR)
    if img is None:
        raise SourceError(f"Could not read the image {src}.", "Check that it is a PNG, JPEG or BMP file.")
    pipe.set_inference_size(_inference_size((img.shape[1], img.shape[0]), size))
    pipe.set_output_size(None)
    pipe.reset_temporal()  # each still stands alone: nothing of the previous image may show through
    out = pipe.step(Frame(img, 0.0, 0)).pixels
    dst.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(dst), out):
        raise VstError(f"Could not write {dst}.", "Check the folder exists and is writable, and the extension.")
    return dst


def _stylize_video(pipe: Pipeline, src: Path, dst: Path, size: tuple[int, int] | None,
                   progress: bool) -> Path:
    info = probe_video(src)
    if dst.suffix.lower() != ".mp4":
        dst = dst.with_suffix(".mp4")
    dst.parent.mkdir(parents=True, exist_ok=True)
    pipe.set_inference_size(_inference_size((info.width, info.height), size))
    pipe.set_output_size((info.width, info.height))
    # Write video first, then add the source's audio track by remuxing (no re-encode of the audio).
    video_only = dst.with_name(dst.stem + ".video-only.mp4") if info.has_audio else dst
    writer = Mp4Writer(video_only, info.width, info.height, info.fps)
    frames: Iterable[Frame] = iter_video_frames(src)
    count = 0
    try:
        bar = tqdm(frames, total=info.frame_count, unit="frame", disable=not progress, desc=src.name)
        for frame in bar:
            writer.write(pipe.step(frame).pixels, frame.timestamp)
            count += 1
    finally:
        writer.close()
    if count == 0:
        raise SourceError(f"{src} holds no video frames.", "Choose another video file.")
    if info.has_audio:
        try:
            copy_audio(video_only, src, dst)
        finally:
            if video_only.exists():
                os.unlink(video_only)
    log.info("stylized %s -> %s (%d frames)", src, dst, count)
    return dst


def stylize_path(input_path: str | os.PathLike, output: str | os.PathLike, style_id: str,
                 strength: float = 1.0, size: tuple[int, int] | None = None,
                 progress: bool = True, stabilize: bool = True) -> list[Path]:
    """Stylize a video (-> MP4 at the source fps, audio kept), an image, or every image of a folder.
    `stabilize`: steady the strokes of a video against its previous frames (as the live view does)."""
    src, dst = Path(input_path), Path(output)
    if not src.exists():
        raise SourceError(f"{src} does not exist.", "Check the path and try again.")
    pipe = Pipeline(_open_session(style_id), strength=strength, stabilize=stabilize)
    if src.is_dir():
        images = sorted(p for p in src.iterdir() if p.suffix.lower() in IMAGE_EXTS)
        if not images:
            raise SourceError(f"The folder {src} holds no images.", "Pick a folder with PNG or JPEG files.")
        dst.mkdir(parents=True, exist_ok=True)
        return [_stylize_image(pipe, p, dst / p.name, size)
                for p in tqdm(images, unit="image", disable=not progress)]
    if src.suffix.lower() in IMAGE_EXTS:
        return [_stylize_image(pipe, src, dst, size)]
    return [_stylize_video(pipe, src, dst, size, progress)]

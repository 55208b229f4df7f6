"""Offline stylization of a video, an image or a folder of images (`vst-desktop stylize`)."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
from tqdm import tqdm

from vst_desktop.capture.video import iter_video_frames, probe_video
from vst_desktop.core.errors import SourceError, VstError
from vst_desktop.core.frame import Frame
from vst_desktop.core.images import IMAGE_SUFFIXES
from vst_desktop.inference.session import StyleSession
from vst_desktop.pipeline.outputs import (
    check_image_output,
    check_output_folder,
    refuse_input_as_output,
    video_output,
    written_atomically,
)
from vst_desktop.pipeline.pipeline import Pipeline
from vst_desktop.pipeline.sizing import fit_height
from vst_desktop.recording.audio_mux import copy_audio
from vst_desktop.recording.writer import Mp4Writer
from vst_desktop.styles.library import StyleLibrary

log = logging.getLogger(__name__)

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
    with written_atomically(dst) as tmp:
        if not cv2.imwrite(str(tmp), out):
            raise VstError(f"Could not write {dst}.", "Check the folder is writable and the disk has room.")
    return dst


def _stylize_video(pipe: Pipeline, src: Path, dst: Path, size: tuple[int, int] | None,
                   progress: bool) -> Path:
    info = probe_video(src)
    pipe.set_inference_size(_inference_size((info.width, info.height), size))
    pipe.set_output_size((info.width, info.height))
    count = 0
    # Write video first, then add the source's audio track by remuxing (no re-encode of the audio).
    with written_atomically(dst) as final:
        # Named after the unique temporary file: it can never be the input or another user file.
        video_only = final.with_name(final.stem + ".video-only.mp4") if info.has_audio else final
        try:
            writer = Mp4Writer(video_only, info.width, info.height, info.fps)
            frames: Iterable[Frame] = iter_video_frames(src)
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
                copy_audio(video_only, src, final)
        finally:
            if video_only != final and video_only.exists():
                video_only.unlink()
    log.info("stylized %s -> %s (%d frames)", src, dst, count)
    return dst


@dataclass
class StylizeResult:
    outputs: list[Path] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)  # (input, why) of a folder's bad files


def _folder_jobs(src: Path, dst: Path) -> list[tuple[Path, Path]]:
    refuse_input_as_output(src, dst)
    if dst.exists() and not dst.is_dir():
        raise VstError(f"The output {dst} is a file, but the input is a folder.",
                       "Give a folder with -o: one stylized image is written per input image.")
    check_output_folder(dst)
    images = sorted(p for p in src.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
    if not images:
        raise SourceError(f"The folder {src} holds no images.", "Pick a folder with PNG or JPEG files.")
    jobs = [(p, dst / p.name) for p in images]
    for p, out in jobs:  # e.g. -o a link to the input folder
        refuse_input_as_output(p, out)
    return jobs


def stylize_path(input_path: str | os.PathLike, output: str | os.PathLike, style_id: str,
                 strength: float = 1.0, size: tuple[int, int] | None = None,
                 progress: bool = True, stabilize: bool = True) -> StylizeResult:
    """Stylize a video (-> MP4 at the source fps, audio kept), an image, or every image of a folder.
    `stabilize`: steady the strokes of a video against its previous frames (as the live view does).
    Every output path is checked before any work; a folder's unreadable images are skipped and listed."""
    src, dst = Path(input_path), Path(output)
    if not src.exists():
        raise SourceError(f"{src} does not exist.", "Check the path and try again.")
    if src.is_dir():
        jobs = _folder_jobs(src, dst)
    elif src.suffix.lower() in IMAGE_SUFFIXES:
        if dst.is_dir():  # `-o folder`: the result takes the input's name there, as `cp` does
            dst = dst / src.name
        refuse_input_as_output(src, dst)
        check_image_output(dst)
    else:
        probe_video(src)  # a file that is no video is named as such before its output is judged
        if dst.is_dir():
            dst = dst / (src.stem + ".mp4")
        dst = video_output(dst)
        refuse_input_as_output(src, dst)
    pipe = Pipeline(_open_session(style_id), strength=strength, stabilize=stabilize)
    if not src.is_dir():
        if src.suffix.lower() in IMAGE_SUFFIXES:
            return StylizeResult([_stylize_image(pipe, src, dst, size)])
        return StylizeResult([_stylize_video(pipe, src, dst, size, progress)])
    result = StylizeResult()
    for p, out in tqdm(jobs, unit="image", disable=not progress):
        try:
            result.outputs.append(_stylize_image(pipe, p, out, size))
        except SourceError as exc:
            log.warning("skipped %s: %s", p, exc.message)
            result.skipped.append((p, exc.message))
    return result

"""The window's sources: a spec from the settings ("", "demo", "camera:N", a file path) opened for live use.

Unlike factory.open_source (the command line's), files loop in real time and a camera is asked for the
chosen resolution and frame rate. Runs on the window's pipeline worker thread: opening a camera can take
seconds and must not freeze the window.
"""

from __future__ import annotations

from pathlib import Path

from vst_desktop.core.errors import CameraError, SourceError
from vst_desktop.core.images import IMAGE_SUFFIXES

DEMO = "demo"
CAMERA_PREFIX = "camera:"


def camera_spec(index: int) -> str:
    return f"{CAMERA_PREFIX}{index}"


def describe_spec(spec: str) -> str:
    """Words for the banner and the picker: 'the demo clip', 'camera 0', 'clip.mp4'."""
    if spec == DEMO:
        return "the demo clip"
    if spec.startswith(CAMERA_PREFIX):
        return f"camera {spec[len(CAMERA_PREFIX):]}"
    if not spec:
        return "the first camera"
    return Path(spec).name


def open_live_source(spec: str, resolution: tuple[int, int] = (640, 360), fps: int = 30):
    """An opened FrameSource for `spec`; raises CameraError / SourceError with words for the person."""
    from vst_desktop.capture.camera import CameraSource, list_cameras

    if spec == DEMO:
        from vst_desktop.capture.demo import DemoSource

        source = DemoSource()
    elif spec.startswith(CAMERA_PREFIX) or not spec:
        if spec:
            index = int(spec[len(CAMERA_PREFIX):])
        else:
            cameras = list_cameras()
            if not cameras:
                raise CameraError("No camera was found.",
                                  "The demo clip plays instead; pick a camera or a video file in the panel.")
            index = cameras[0].index
        source = CameraSource(index, width=resolution[0], height=resolution[1], fps=fps)
    else:
        path = Path(spec)
        if not path.is_file():
            raise SourceError(f"The file {path.name} does not exist any more.", "Pick another file or camera.")
        if path.suffix.lower() in IMAGE_SUFFIXES:
            from vst_desktop.capture.image import ImageSource

            source = ImageSource(path)
        else:
            from vst_desktop.capture.video import VideoFileSource

            source = VideoFileSource(path, loop=True, realtime=True)
    source.open()
    return source

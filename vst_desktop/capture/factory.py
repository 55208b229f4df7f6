"""Turn a source spec from settings or the command line into an open FrameSource."""

from __future__ import annotations

import logging
from pathlib import Path

from vst_desktop.capture.base import FrameSource
from vst_desktop.capture.camera import CameraSource, list_cameras
from vst_desktop.capture.demo import DemoSource
from vst_desktop.capture.image import ImageSource
from vst_desktop.capture.video import VideoFileSource
from vst_desktop.core.errors import CameraError, SourceError
from vst_desktop.core.images import IMAGE_SUFFIXES

log = logging.getLogger(__name__)


def _first_camera_or_demo() -> FrameSource:
    """The first camera that opens; otherwise the demo clip, carrying the reason as its `error`."""
    cameras = list_cameras()
    reason = CameraError("No camera found: showing the demo clip.",
                         "Connect a camera and choose it as the source.")
    for cam in cameras:
        source = CameraSource(cam.index, name=cam.name)
        try:
            source.open()
            return source
        except CameraError as exc:
            log.info("camera %d (%s) did not open: %s", cam.index, cam.name, exc.message)
            reason = CameraError(f"{exc.message} Showing the demo clip.", exc.hint)
    demo = DemoSource(reason)
    demo.open()
    return demo


def open_source(spec: str) -> FrameSource:
    """Open a source: "" = first camera (else the demo clip), "demo", "camera:N", or a file path.

    The source comes back already open; CameraError / SourceError when the asked-for one cannot open.
    """
    spec = spec.strip()
    if spec == "":
        return _first_camera_or_demo()
    source: FrameSource
    if spec == "demo":
        source = DemoSource()
    elif spec.startswith("camera:"):
        try:
            index = int(spec.removeprefix("camera:"))
        except ValueError as exc:
            raise CameraError(f"'{spec}' is not a camera: the form is camera:N, e.g. camera:0.",
                              "Run `vst-desktop doctor` to list the cameras.") from exc
        source = CameraSource(index)
    else:
        path = Path(spec).expanduser()
        if not path.exists():
            raise SourceError(f"Source not found: {spec}",
                              "Give a camera (camera:0), 'demo', or the path of a video or image file.")
        source = ImageSource(path) if path.suffix.lower() in IMAGE_SUFFIXES else VideoFileSource(path)
    source.open()
    return source

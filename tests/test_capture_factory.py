"""open_source: the spec strings of settings and the command line."""

from __future__ import annotations

import pytest

from vst_desktop.capture import factory
from vst_desktop.capture.demo import DemoSource
from vst_desktop.capture.image import ImageSource
from vst_desktop.capture.video import VideoFileSource
from vst_desktop.core.errors import CameraError, SourceError


def test_empty_spec_without_camera_falls_back_to_demo(monkeypatch):
    monkeypatch.setattr(factory, "list_cameras", list)
    with factory.open_source("") as src:
        assert isinstance(src, DemoSource) and src.info.kind == "demo"
        assert isinstance(src.error, CameraError) and "demo clip" in src.error.message
        assert src.read_latest(timeout=2.0) is not None


def test_demo_spec():
    with factory.open_source("demo") as src:
        assert isinstance(src, DemoSource) and src.error is None


def test_camera_spec_errors():
    with pytest.raises(CameraError, match="camera:N"):
        factory.open_source("camera:front")
    with pytest.raises(CameraError, match="could not be opened"):
        factory.open_source("camera:57")


def test_file_specs(shared_data, tmp_path):
    with factory.open_source(str(shared_data / "video" / "head-pose-face-detection-male.gif")) as src:
        assert isinstance(src, VideoFileSource) and src.info.frame_count == 62
    photo = next((shared_data / "content" / "val").glob("*.png"), None) or next(
        (shared_data / "content" / "val").glob("*.jpg"))
    with factory.open_source(str(photo)) as src:
        assert isinstance(src, ImageSource)
    with pytest.raises(SourceError, match="not found"):
        factory.open_source(str(tmp_path / "missing.mp4"))

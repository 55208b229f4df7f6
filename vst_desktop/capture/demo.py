"""The built-in demo clip, played in a loop: what the app shows when there is no camera."""

from __future__ import annotations

from vst_desktop.capture.base import SourceKind
from vst_desktop.capture.video import VideoFileSource
from vst_desktop.core import paths
from vst_desktop.core.errors import SourceError, VstError


class DemoSource(VideoFileSource):
    """`resources/demo/demo.mp4` in a loop, at its own pace.

    `reason` is why the demo runs instead of a camera (e.g. "No camera found"); it is reported through
    `error` so the UI shows it in its banner.
    """

    kind: SourceKind = "demo"

    def __init__(self, reason: VstError | None = None) -> None:
        super().__init__(paths.demo_clip(), loop=True, realtime=True)
        self.reason = reason

    def _display_name(self) -> str:
        return "Demo clip"

    def open(self) -> None:
        if not self.path.exists():
            raise SourceError(f"The demo clip is missing: {self.path}",
                              "Reinstall the app, or choose a camera or a video file as the source.")
        super().open()

    @property
    def error(self) -> VstError | None:
        return self._error or self.reason

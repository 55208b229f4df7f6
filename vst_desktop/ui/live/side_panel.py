"""The panel on the right: style gallery, strength, source, camera format and inference quality.

Pure widgets: it emits what the person chose and knows nothing about the engine or the settings file.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QFrame, QHBoxLayout, QLabel, QSlider, QVBoxLayout, QWidget

from vst_desktop.capture.sources import DEMO, camera_spec
from vst_desktop.pipeline.sizing import PRESETS
from vst_desktop.ui.common.qt_workarounds import emit
from vst_desktop.ui.live.gallery import StyleGallery

OPEN_FILE = "__open_file__"  # the picker entry that opens a file dialog instead of naming a source
FORMATS: list[tuple[int, int, int]] = [
    (640, 360, 30), (1280, 720, 30), (1920, 1080, 30), (1280, 720, 60), (1920, 1080, 60),
]


def _format_key(w: int, h: int, fps: int) -> str:
    # Strings, not tuples, as item data: QComboBox.findData compares QVariants, and tuples do not round-trip.
    return f"{w}x{h}@{fps}"


def _parse_format_key(key: str) -> tuple[int, int, int]:
    size, fps = key.split("@")
    w, h = size.split("x")
    return int(w), int(h), int(fps)


def _heading(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text.upper(), parent)
    label.setProperty("role", "heading")
    return label


class SidePanel(QFrame):
    source_chosen = Signal(str)  # a spec, or OPEN_FILE
    format_chosen = Signal(int, int, int)  # width, height, fps
    preset_chosen = Signal(str)
    strength_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sidePanel")
        self.setMinimumWidth(340)  # two gallery columns wide enough for a two-word style name
        self.setMaximumWidth(380)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(14, 10, 14, 14)
        lay.setSpacing(8)

        lay.addWidget(_heading("Style", self))
        self.gallery = StyleGallery(self)
        lay.addWidget(self.gallery, 1)
        self._below_gallery = lay.count()

        row = QHBoxLayout()
        row.addWidget(QLabel("Strength", self))
        self.strength = QSlider(Qt.Orientation.Horizontal, self)
        self.strength.setRange(0, 100)
        self.strength.setPageStep(10)
        self.strength.setToolTip("How much of the style to apply (0 = the original picture)")
        self.strength_label = QLabel("100%", self)
        self.strength_label.setMinimumWidth(38)
        self.strength_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(self.strength, 1)
        row.addWidget(self.strength_label)
        lay.addLayout(row)
        self.strength.valueChanged.connect(self._on_strength)

        lay.addSpacing(6)
        lay.addWidget(_heading("Source", self))
        self.source = QComboBox(self)
        self.source.setToolTip("Camera, the built-in demo clip, or a video file")
        lay.addWidget(self.source)
        self.format = QComboBox(self)
        self.format.setToolTip("Camera resolution and frame rate to ask for")
        for w, h, fps in FORMATS:
            self.format.addItem(f"{w} × {h}  ·  {fps} fps", _format_key(w, h, fps))
        lay.addWidget(self.format)

        lay.addSpacing(6)
        lay.addWidget(_heading("Quality", self))
        self.preset = QComboBox(self)
        self.preset.setToolTip("Size of the picture shown, recorded and sent to the virtual camera (never above the "
                               "camera's); larger is sharper and costs more")
        for name in sorted(PRESETS, key=PRESETS.get):
            self.preset.addItem(name, name)
        lay.addWidget(self.preset)
        self.preset_note = QLabel("", self)
        self.preset_note.setWordWrap(True)
        self.preset_note.setStyleSheet("color: #9aa0a8; font-size: 11px;")
        lay.addWidget(self.preset_note)

        self._source_index = 0
        self.source.activated.connect(self._on_source_activated)
        self.format.activated.connect(self._on_format)
        self.preset.activated.connect(lambda i: emit(self.preset_chosen, self.preset.itemData(i)))

    def add_below_gallery(self, widget: QWidget) -> None:
        """A part that belongs with the gallery (the recommendations), placed right under it."""
        self.layout().insertWidget(self._below_gallery, widget)
        self._below_gallery += 1

    # ---- strength ----
    def set_strength(self, value: float) -> None:
        self.strength.setValue(round(value * 100))
        self.strength_label.setText(f"{self.strength.value()}%")

    def _on_strength(self, v: int) -> None:
        self.strength_label.setText(f"{v}%")
        emit(self.strength_changed, v / 100.0)

    # ---- source ----
    def set_sources(self, cameras: list, current: str, extra_file: str = "") -> None:
        """Fill the picker: cameras, the demo clip, a recent file, and "Open video file…"."""
        self.source.blockSignals(True)
        self.source.clear()
        for cam in cameras:
            name = getattr(cam, "name", "") or f"Camera {cam.index}"
            self.source.addItem(f"Camera {cam.index}: {name}", camera_spec(cam.index))
        self.source.addItem("Demo clip", DEMO)
        if extra_file:
            from pathlib import Path

            self.source.addItem(Path(extra_file).name, extra_file)
        self.source.addItem("Open video file…", OPEN_FILE)
        self.source.blockSignals(False)
        self.select_source(current)

    def select_source(self, spec: str) -> None:
        idx = self.source.findData(spec)
        if idx < 0 and spec not in ("", DEMO, OPEN_FILE):
            self.source.insertItem(self.source.count() - 1, spec.rsplit("/", 1)[-1], spec)
            idx = self.source.findData(spec)
        if idx < 0:
            idx = 0
        self.source.setCurrentIndex(idx)
        self._source_index = idx

    def revert_source(self) -> None:
        """Back to the previous entry (e.g. the file dialog was cancelled)."""
        self.source.setCurrentIndex(self._source_index)

    def _on_source_activated(self, index: int) -> None:
        spec = self.source.itemData(index)
        if spec != OPEN_FILE:
            self._source_index = index
        emit(self.source_chosen, spec)

    # ---- camera format and preset ----
    def set_format(self, width: int, height: int, fps: int) -> None:
        idx = self.format.findData(_format_key(width, height, fps))
        if idx < 0:
            self.format.addItem(f"{width} × {height}  ·  {fps} fps", _format_key(width, height, fps))
            idx = self.format.count() - 1
        self.format.setCurrentIndex(idx)

    def _on_format(self, index: int) -> None:
        w, h, fps = _parse_format_key(self.format.itemData(index))
        emit(self.format_chosen, w, h, fps)

    def set_preset(self, name: str) -> None:
        idx = self.preset.findData(name)
        if idx >= 0:
            self.preset.setCurrentIndex(idx)

    def current_preset(self) -> str:
        return self.preset.currentData()

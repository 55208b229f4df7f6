"""The training dialog's first page: the style folder, name, preset with its measured time, the photos to
learn on, advanced settings and the unfinished runs to resume.

It shows what the controller reports (folder checks, capture progress, time estimates) and says what the
person asked for through its signals; the dialog connects the two.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from vst_desktop.core.images import ImageFolderScan
from vst_desktop.trainspec.presets import MARKS, STROKE_AMP_DEFAULT, TEMPORAL_DEFAULTS
from vst_desktop.ui.common.notify import Notice, Notifier
from vst_desktop.ui.common.qt_workarounds import emit
from vst_desktop.ui.training.controller import THUMB_SIZE, THUMBS_SHOWN, RunRequest, knob_overrides

PRESETS = [
    ("quick", "Quick", "the style is recognisable"),
    ("balanced", "Balanced", "painted look; runs in the background"),
    ("high", "High", "best quality; meant for a GPU"),
]
DEVICES = [("", "Automatic (a GPU when there is one)"), ("cpu", "CPU"), ("cuda", "GPU (CUDA)")]


def _pixmap_from_bgr(bgr: np.ndarray) -> QPixmap:
    rgb = np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    h, w = rgb.shape[:2]
    return QPixmap.fromImage(QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy())


def describe_scan(scan: ImageFolderScan, what: str) -> str:
    """The folder check in words (rich text): how many images will be used, or what is wrong."""
    if scan.problem:
        return f"<span style='color:#ff8a80'>{scan.problem}</span> {scan.hint}"
    unit = "before/after pairs" if scan.paired else what
    count = len(scan.images)
    if count == 1:
        unit = {"images": "image", "photos": "photo", "before/after pairs": "before/after pair"}[unit]
    text = f"<b>{count} {unit}</b> will be used."
    if scan.paired:
        text += " (input/ and target/ found: the style is learnt from your edits.)"
    if scan.skipped:
        shown = "; ".join(f"{p.name}: {why}" for p, why in scan.skipped[:6])
        more = f" and {len(scan.skipped) - 6} more" if len(scan.skipped) > 6 else ""
        text += f"<br><span style='color:#e2c46a'>Skipped {len(scan.skipped)} file(s): {shown}{more}.</span>"
    return text


class SetupPage(QWidget):
    style_folder_chosen = Signal(str)
    content_folder_chosen = Signal(str)
    capture_requested = Signal()
    start_requested = Signal()
    resume_requested = Signal(str)  # a run folder
    close_requested = Signal()

    def __init__(self, controller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.name_edited = False
        self._built = False
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        intro = QLabel("Teach the app a new look from a folder of pictures in that style (paintings, drawings, "
                       "your own edits). A few good images are enough.", self)
        intro.setWordWrap(True)
        outer.addWidget(intro)

        # -- style folder
        box = QGroupBox("Style images", self)
        g = QVBoxLayout(box)
        row = QHBoxLayout()
        self.folder_edit = QLineEdit(box)
        self.folder_edit.setPlaceholderText("A folder with images of the style (jpg, png, webp, bmp)")
        self.folder_edit.editingFinished.connect(lambda: self.style_folder_chosen.emit(self.folder_edit.text()))
        browse = QPushButton("Choose folder…", box)
        browse.clicked.connect(self._browse_style)
        row.addWidget(self.folder_edit, 1)
        row.addWidget(browse)
        g.addLayout(row)
        self.thumbs = QListWidget(box)
        self.thumbs.setViewMode(QListWidget.ViewMode.IconMode)
        self.thumbs.setFlow(QListWidget.Flow.LeftToRight)
        self.thumbs.setWrapping(False)
        self.thumbs.setIconSize(QSize(THUMB_SIZE, THUMB_SIZE))
        self.thumbs.setFixedHeight(THUMB_SIZE + 30)
        self.thumbs.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.thumbs.setMovement(QListWidget.Movement.Static)
        self.thumbs.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.thumbs.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        g.addWidget(self.thumbs)
        self.folder_status = QLabel("Choose a folder to see its images here.", box)
        self.folder_status.setWordWrap(True)
        self.folder_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        g.addWidget(self.folder_status)
        outer.addWidget(box)

        mid = QHBoxLayout()
        # -- name and preset
        left = QGroupBox("Style", self)
        form = QGridLayout(left)
        form.addWidget(QLabel("Name:", left), 0, 0)
        self.name_edit = QLineEdit(left)
        self.name_edit.setPlaceholderText("Shown in the gallery")
        self.name_edit.textEdited.connect(lambda _t: setattr(self, "name_edited", True))
        form.addWidget(self.name_edit, 0, 1, 1, 2)
        self.preset_group = QButtonGroup(left)
        self.preset_buttons: dict[str, QRadioButton] = {}
        self.preset_estimates: dict[str, QLabel] = {}
        for i, (key, title, what) in enumerate(PRESETS, start=1):
            rb = QRadioButton(f"{title}: {what}", left)
            est = QLabel("", left)
            est.setStyleSheet("color: #9aa0a8;")
            self.preset_group.addButton(rb, i)
            self.preset_buttons[key] = rb
            self.preset_estimates[key] = est
            form.addWidget(rb, i, 0, 1, 2)
            form.addWidget(est, i, 2)
            rb.toggled.connect(lambda on, k=key: on and self._on_preset_changed(k))
        self.preset_buttons["quick"].setChecked(True)
        mid.addWidget(left, 3)

        # -- content photos
        right = QGroupBox("Photos to learn on", self)
        c = QVBoxLayout(right)
        self.content_group = QButtonGroup(right)
        self.rb_bundled = QRadioButton("The bundled photos (people, places, things)", right)
        self.rb_folder = QRadioButton("Photos from a folder", right)
        self.rb_camera = QRadioButton("Capture from my camera", right)
        for i, rb in enumerate((self.rb_bundled, self.rb_folder, self.rb_camera)):
            self.content_group.addButton(rb, i)
            rb.toggled.connect(lambda _on: self.update_content_controls())
        self.rb_bundled.setChecked(True)
        c.addWidget(self.rb_bundled)
        c.addWidget(self.rb_folder)
        frow = QHBoxLayout()
        self.content_edit = QLineEdit(right)
        self.content_edit.setPlaceholderText("A folder of ordinary photos")
        self.content_edit.editingFinished.connect(lambda: self.content_folder_chosen.emit(self.content_edit.text()))
        self.content_browse = QPushButton("Choose…", right)
        self.content_browse.clicked.connect(self._browse_content)
        frow.addSpacing(22)
        frow.addWidget(self.content_edit, 1)
        frow.addWidget(self.content_browse)
        c.addLayout(frow)
        c.addWidget(self.rb_camera)
        crow = QHBoxLayout()
        self.capture_button = QPushButton(f"Capture {controller.capture_frames} frames", right)
        self.capture_button.clicked.connect(lambda: emit(self.capture_requested))
        self.capture_status = QLabel("", right)
        self.capture_status.setWordWrap(True)
        crow.addSpacing(22)
        crow.addWidget(self.capture_button)
        crow.addWidget(self.capture_status, 1)
        c.addLayout(crow)
        self.content_status = QLabel("", right)
        self.content_status.setWordWrap(True)
        c.addWidget(self.content_status)
        c.addStretch(1)
        if controller.grab_frame is None:
            self.rb_camera.setEnabled(False)
            self.rb_camera.setToolTip("Open the training dialog from the main window to capture from the camera.")
        mid.addWidget(right, 2)
        outer.addLayout(mid)

        # -- advanced
        self.advanced = QGroupBox("Advanced settings", self)
        self.advanced.setCheckable(True)
        self.advanced.setChecked(False)
        adv_body = QWidget(self.advanced)
        af = QFormLayout(adv_body)
        self.iterations_spin = QSpinBox(adv_body)
        self.iterations_spin.setRange(0, 1_000_000)
        self.iterations_spin.setSingleStep(500)
        self.iterations_spin.setSpecialValueText("preset default")
        self.iterations_spin.valueChanged.connect(lambda _v: self.update_estimates())
        af.addRow("Training steps:", self.iterations_spin)
        self.brush_spin = QDoubleSpinBox(adv_body)
        self.brush_spin.setRange(0.0, 1.0)
        self.brush_spin.setSingleStep(0.05)
        self.brush_spin.setValue(STROKE_AMP_DEFAULT)
        self.brush_spin.setToolTip("Higher paints bolder brush strokes; lower keeps more of the photo's own "
                                   "detail. 0 gives the style's colours only.")
        af.addRow("Brush strength:", self.brush_spin)
        self.marks_combo = QComboBox(adv_body)
        for key, text in MARKS:
            self.marks_combo.addItem(text, key)
        self.marks_combo.setToolTip("Which marks the style paints. Automatic tries each kind on a few photos and "
                                    "keeps the one the style's own paintings resemble most.")
        af.addRow("Marks:", self.marks_combo)
        self.temporal_spin = QDoubleSpinBox(adv_body)
        self.temporal_spin.setRange(0.0, 50.0)
        self.temporal_spin.setSingleStep(0.5)
        self.temporal_spin.setValue(TEMPORAL_DEFAULTS["quick"])
        self.temporal_spin.setToolTip("Higher gives calmer video (less flicker) at some cost in texture.")
        af.addRow("Temporal stability:", self.temporal_spin)
        self.device_combo = QComboBox(adv_body)
        for key, text in DEVICES:
            self.device_combo.addItem(text, key)
        self.device_combo.currentIndexChanged.connect(lambda _i: self._on_device_changed())
        af.addRow("Train on:", self.device_combo)
        self.extra_edit = QLineEdit(adv_body)
        self.extra_edit.setPlaceholderText("KEY=VALUE … (any name from a run's config.json, e.g. crop_size=128)")
        af.addRow("Extra settings:", self.extra_edit)
        av = QVBoxLayout(self.advanced)
        av.addWidget(adv_body)
        adv_body.setVisible(False)
        self.advanced.toggled.connect(adv_body.setVisible)
        self.advanced.setFlat(True)
        self.advanced.toggled.connect(lambda on: self.advanced.setFlat(not on))
        outer.addWidget(self.advanced)

        # -- unfinished runs
        self.resume_box = QGroupBox("Unfinished runs", self)
        r = QHBoxLayout(self.resume_box)
        self.resume_list = QListWidget(self.resume_box)
        self.resume_list.setMaximumHeight(76)
        self.resume_list.itemDoubleClicked.connect(lambda _i: self._resume_selected())
        self.resume_button = QPushButton("Resume", self.resume_box)
        self.resume_button.clicked.connect(self._resume_selected)
        r.addWidget(self.resume_list, 1)
        r.addWidget(self.resume_button, 0, Qt.AlignmentFlag.AlignTop)
        outer.addWidget(self.resume_box)

        self.setup_error = Notice("error", self)
        self.notifier = Notifier(places={"setup": self.setup_error})
        outer.addWidget(self.setup_error)
        outer.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.close_button = QPushButton("Close", self)
        self.close_button.clicked.connect(lambda: emit(self.close_requested))
        self.start_button = QPushButton("Start training", self)
        self.start_button.setDefault(True)
        self.start_button.setEnabled(False)
        self.start_button.clicked.connect(lambda: emit(self.start_requested))
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.start_button)
        outer.addLayout(buttons)
        self._built = True
        self.temporal_spin.setValue(TEMPORAL_DEFAULTS.get(self.preset(), TEMPORAL_DEFAULTS["quick"]))

    # ---- what the person chose ----
    def preset(self) -> str:
        return next((k for k, rb in self.preset_buttons.items() if rb.isChecked()), "quick")

    def device(self) -> str:
        return str(self.device_combo.currentData() or "")

    def overrides(self) -> dict[str, object]:
        """`--set` values: the knobs the person changed, then the extra KEY=VALUE settings."""
        return knob_overrides(self.preset(), self.brush_spin.value(), self.marks_combo.currentData(),
                              self.temporal_spin.value(), self.extra_edit.text())

    def content_dir(self) -> str:
        """The --content folder ("" = the bundled photos)."""
        if self.rb_folder.isChecked():
            return self.content_edit.text().strip()
        if self.rb_camera.isChecked() and self.controller.captured_dir is not None:
            return str(self.controller.captured_dir)
        return ""

    def content_ready(self) -> bool:
        c = self.controller
        if self.rb_folder.isChecked():
            return c.content_scan is not None and c.content_scan.ok
        if self.rb_camera.isChecked():
            return c.grab_frame is not None and not c.capturing()
        return True

    def needs_capture(self) -> bool:
        """Capture from the camera is chosen and no frames were taken yet."""
        return self.rb_camera.isChecked() and self.controller.captured_dir is None

    def request(self) -> RunRequest:
        return RunRequest(name=self.name_edit.text().strip(), preset=self.preset(), content=self.content_dir(),
                          iterations=self.iterations_spin.value() or None, device=self.device(),
                          overrides=self.overrides())

    # ---- folders ----
    def _browse_style(self) -> None:
        start = self.folder_edit.text() or str(Path.home())
        folder = QFileDialog.getExistingDirectory(self, "Folder of style images", start)
        if folder:
            emit(self.style_folder_chosen, folder)

    def _browse_content(self) -> None:
        start = self.content_edit.text() or str(Path.home())
        folder = QFileDialog.getExistingDirectory(self, "Folder of photos", start)
        if folder:
            self.rb_folder.setChecked(True)
            emit(self.content_folder_chosen, folder)

    def style_folder_checking(self, folder: str, default_name: str) -> None:
        if self.folder_edit.text() != folder:
            self.folder_edit.setText(folder)
        self.thumbs.clear()
        self.folder_status.setText("Looking at the images…")
        if not self.name_edited:
            self.name_edit.setText(default_name)
        self.update_start()

    def content_folder_checking(self, folder: str) -> None:
        if self.content_edit.text() != folder:
            self.content_edit.setText(folder)
        self.content_status.setText("Looking at the photos…")
        self.update_start()

    def show_scan(self, kind: str, scan: ImageFolderScan, thumbs: list) -> None:
        if kind == "content":
            self.content_status.setText(describe_scan(scan, "photos"))
            self.update_start()
            return
        self.thumbs.clear()
        for path, bgr in thumbs:
            item = QListWidgetItem(QIcon(_pixmap_from_bgr(bgr)), "")
            item.setToolTip(path.name)
            self.thumbs.addItem(item)
        text = describe_scan(scan, "images")
        if scan.ok and len(scan.images) > THUMBS_SHOWN:
            text += f" (the first {THUMBS_SHOWN} are shown)"
        self.folder_status.setText(text)
        self.update_start()

    def update_content_controls(self) -> None:
        if not self._built:
            return
        c = self.controller
        folder_on, camera_on = self.rb_folder.isChecked(), self.rb_camera.isChecked()
        self.content_edit.setEnabled(folder_on)
        self.content_browse.setEnabled(folder_on)
        self.capture_button.setEnabled(camera_on and not c.capturing())
        if self.rb_bundled.isChecked():
            self.content_status.setText("")
        elif folder_on and c.content_scan is not None:
            self.content_status.setText(describe_scan(c.content_scan, "photos"))
        elif camera_on:
            self.content_status.setText("" if c.captured_dir else
                                        f"{c.capture_frames} frames are taken from the live view over "
                                        f"{c.capture_seconds:.0f} s: move around, show different scenes.")
        self.update_start()

    def update_start(self) -> None:
        if not self._built:
            return
        c = self.controller
        ok = c.style_scan is not None and c.style_scan.ok and self.content_ready()
        self.start_button.setEnabled(ok and not c.state.active)

    # ---- camera capture ----
    def show_capture_progress(self, count: int) -> None:
        self.capture_status.setText(f"{count} of {self.controller.capture_frames} frames")

    def show_capture_finished(self, scan: ImageFolderScan | None) -> None:
        if scan is not None and scan.ok:
            self.capture_status.setText(f"{len(scan.images)} frames captured.")
        else:
            self.capture_status.setText(scan.problem if scan else "No frames were captured.")
        self.update_content_controls()

    # ---- presets and the estimate ----
    def _on_preset_changed(self, key: str) -> None:
        # The knob shows the preset's own default unless the person already chose a value.
        if self._built and any(abs(self.temporal_spin.value() - v) < 1e-9 for v in TEMPORAL_DEFAULTS.values()):
            self.temporal_spin.setValue(TEMPORAL_DEFAULTS.get(key, TEMPORAL_DEFAULTS["quick"]))
        self.update_estimates()

    def _on_device_changed(self) -> None:
        self.controller.forget_measurements()
        self.update_estimates()

    def update_estimates(self) -> None:
        if not self._built:
            return
        device, selected, steps = self.device(), self.preset(), self.iterations_spin.value()
        for key, label in self.preset_estimates.items():
            text, tip = self.controller.estimate_text(key, device, steps if key == selected and steps else None)
            label.setText(text)
            label.setToolTip(tip)
        measuring = self.controller.measure_next(selected, device)
        if measuring:
            self.preset_estimates[measuring].setText("measuring…")

    # ---- unfinished runs ----
    def refresh_unfinished(self) -> None:
        self.resume_list.clear()
        for info in self.controller.unfinished_runs():
            item = QListWidgetItem(info.describe())
            item.setData(Qt.ItemDataRole.UserRole, str(info.run_dir))
            item.setToolTip(str(info.run_dir))
            self.resume_list.addItem(item)
        self.resume_box.setVisible(self.resume_list.count() > 0)
        if self.resume_list.count():
            self.resume_list.setCurrentRow(0)

    def _resume_selected(self) -> None:
        item = self.resume_list.currentItem() or self.resume_list.item(0)
        if item is not None:
            emit(self.resume_requested, str(item.data(Qt.ItemDataRole.UserRole)))

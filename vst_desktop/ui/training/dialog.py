""""Train new style…": pick a folder of style images, choose a preset, watch the style being learnt.

The dialog never imports the training engine: it checks folders with OpenCV (core.images), runs
`vst-desktop train ... --progress jsonl` as a separate, lower-priority process (training_process.py) and
draws what the JSON lines report: a progress bar with the time left, loss curves (QPainter, see LossPlot), the latest sample grid
and the log. A finished run has installed its style; the dialog then emits `style_installed(id)` so the
main window can refresh its gallery and select the new style.

Two pages: setup (folder, name, preset with the measured time, content photos, advanced settings,
unfinished runs to resume) and training (progress, curves, sample, log, Stop / Resume / Close).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QColor, QIcon, QImage, QPainter, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from vst_desktop.core import paths
from vst_desktop.core.images import ImageFolderScan, scan_image_folder, scan_training_folder, thumbnail_bgr
from vst_desktop.trainspec import runs
from vst_desktop.trainspec.config import default_name as _default_name
from vst_desktop.trainspec.presets import MARKS, TEMPORAL_DEFAULTS
from vst_desktop.trainspec.presets import STROKE_AMP_DEFAULT as BRUSH_STRENGTH_DEFAULT
from vst_desktop.ui.common.qt_workarounds import emit
from vst_desktop.ui.training.estimate import SpeedBenchmark, SpeedMeasurement, format_duration, load_cached
from vst_desktop.ui.training.process import TrainingProcess

log = logging.getLogger(__name__)

GrabFrame = Callable[[], "np.ndarray | None"]

PRESETS = [
    ("quick", "Quick", "the style is recognisable"),
    ("balanced", "Balanced", "painted look; runs in the background"),
    ("high", "High", "best quality; meant for a GPU"),
]
DEVICES = [("", "Automatic (a GPU when there is one)"), ("cpu", "CPU"), ("cuda", "GPU (CUDA)")]
THUMBS_SHOWN = 40
THUMB_SIZE = 72
CAPTURE_FRAMES = 30
CAPTURE_SECONDS = 60.0
LOSS_COLOURS = ["#4a90e2", "#e2a04a", "#6cc070", "#d0605e", "#a77bd8", "#5ec8c8", "#c8c85e", "#b0b0b0"]
LOSS_LABELS = {"d": "discriminator", "adv": "adversarial", "nce": "content (NCE)", "lowfreq": "content (tone)",
               "identity": "identity", "tv": "smoothness", "temporal": "stability", "g_total": "generator total",
               "paired_l1": "paired L1"}


def _pixmap_from_bgr(bgr: np.ndarray) -> QPixmap:
    rgb = np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    h, w = rgb.shape[:2]
    return QPixmap.fromImage(QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy())


def _scan_with_thumbnails(folder: str, paired_ok: bool) -> tuple[ImageFolderScan, list[tuple[Path, np.ndarray]]]:
    scan = scan_training_folder(folder) if paired_ok else scan_image_folder(folder, "content")
    thumbs = []
    for p in scan.images[:THUMBS_SHOWN]:
        t = thumbnail_bgr(p, THUMB_SIZE)
        if t is not None:
            thumbs.append((p, t))
    return scan, thumbs


def _format_eta(seconds: float | None) -> str:
    if seconds is None:
        return ""
    return format_duration(seconds) + " left"


class LossPlot(QWidget):
    """Live loss curves, one per loss term, on a log scale; painted with QPainter.

    Not pyqtgraph: with PySide6 6.12 on CPython 3.11 every Python-side signal emit drops a reference to
    True (see common/qt_workarounds.py), and pyqtgraph emits on every redraw: measured here, True's refcount fell from
    2509 to 1866 in 50 redraws and the process aborted ("none_dealloc") before 100. A training run redraws
    thousands of times, so the curves are drawn here instead (no signals involved).
    """

    MARGIN_L, MARGIN_R, MARGIN_T, MARGIN_B = 52, 12, 10, 26

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(260, 160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._data: dict[str, tuple[list[int], list[float]]] = {}
        self._dirty = False
        self._timer = QTimer(self)
        self._timer.setInterval(250)  # at most 4 repaints a second, however fast the events come
        self._timer.timeout.connect(self._redraw)
        self._timer.start()

    def clear(self) -> None:
        self._data.clear()
        self.update()

    def add(self, step: int, losses: dict) -> None:
        for key, value in losses.items():
            if not isinstance(value, (int, float)) or value <= 0:
                continue  # log scale; None (not finite) and exact zeros are not drawn
            xs, ys = self._data.setdefault(key, ([], []))
            while xs and xs[-1] >= step:  # a resumed run repeats steps after its checkpoint: keep x increasing
                xs.pop()
                ys.pop()
            xs.append(step)
            ys.append(float(value))
        self._dirty = True

    def series(self) -> dict[str, tuple[list[int], list[float]]]:
        return self._data

    def _redraw(self) -> None:
        if self._dirty:
            self._dirty = False
            self.update()

    def _ranges(self) -> tuple[float, float, float, float]:
        xs = [x for sx, _ in self._data.values() for x in sx]
        ys = [math.log10(y) for _, sy in self._data.values() for y in sy]
        x0, x1 = (min(xs), max(xs)) if xs else (0, 1)
        y0, y1 = (math.floor(min(ys)), math.ceil(max(ys))) if ys else (-2, 1)
        return x0, max(x1, x0 + 1), y0, max(y1, y0 + 1)

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt override
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("#1e1f22"))
        w, h = self.width(), self.height()
        columns = max(1, min(4, (w - self.MARGIN_L) // 140))
        legend_rows = math.ceil(len(self._data) / columns) if self._data else 0
        left, top = self.MARGIN_L, self.MARGIN_T
        pw = max(10, w - left - self.MARGIN_R)
        ph = max(10, h - top - self.MARGIN_B - 16 * legend_rows)
        x0, x1, y0, y1 = self._ranges()

        def px(x: float) -> float:
            return left + (x - x0) / (x1 - x0) * pw

        def py(logy: float) -> float:
            return top + (y1 - logy) / (y1 - y0) * ph

        grid, text = QColor(255, 255, 255, 28), QColor("#9aa0a8")
        font = p.font()
        font.setPointSizeF(max(7.0, font.pointSizeF() - 1.5))
        p.setFont(font)
        for e in range(int(y0), int(y1) + 1):  # one line per power of ten
            y = py(e)
            p.setPen(QPen(grid, 1))
            p.drawLine(QPointF(left, y), QPointF(left + pw, y))
            p.setPen(text)
            p.drawText(QRectF(0, y - 8, left - 6, 16), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                       _power_label(e))
        for i in range(5):
            x = x0 + (x1 - x0) * i / 4
            p.setPen(text)
            p.drawText(QRectF(px(x) - 40, top + ph + 4, 80, 16), Qt.AlignmentFlag.AlignHCenter, f"{x:.0f}")
        p.setPen(QPen(QColor(255, 255, 255, 70), 1))
        p.drawRect(QRectF(left, top, pw, ph))
        if not self._data:
            p.setPen(text)
            p.drawText(QRectF(left, top, pw, ph), Qt.AlignmentFlag.AlignCenter, "Losses appear after the first steps.")
            p.end()
            return
        col_w = pw / columns
        for i, (key, (xs, ys)) in enumerate(self._data.items()):
            colour = QColor(LOSS_COLOURS[i % len(LOSS_COLOURS)])
            p.setPen(QPen(colour, 2.0 if key == "g_total" else 1.4))
            if len(xs) == 1:
                p.drawEllipse(QPointF(px(xs[0]), py(math.log10(ys[0]))), 2.0, 2.0)
            else:
                p.drawPolyline(QPolygonF([QPointF(px(x), py(math.log10(y))) for x, y in zip(xs, ys, strict=True)]))
            # legend under the plot, with each term's latest value
            lx = left + (i % columns) * col_w
            ly = top + ph + self.MARGIN_B - 4 + 16 * (i // columns)
            p.drawLine(QPointF(lx, ly + 7), QPointF(lx + 14, ly + 7))
            p.setPen(QColor("#dee0e4"))
            p.drawText(QRectF(lx + 18, ly, col_w - 20, 16), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                       f"{LOSS_LABELS.get(key, key)} {ys[-1]:.3g}")
        p.end()


def _power_label(e: int) -> str:
    return f"{10.0 ** e:g}" if -3 <= e <= 3 else f"1e{e}"


class SampleView(QLabel):
    """The latest sample grid, scaled to fit (top row: photos; bottom row: the style applied)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumSize(240, 140)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setStyleSheet("background: #1e1f22; border-radius: 6px; color: #9aa0a8;")
        self.setText("The first sample appears in a moment.")
        self._pixmap = QPixmap()
        self.path: Path | None = None

    def show_file(self, path: Path) -> bool:
        pm = QPixmap(str(path))
        if pm.isNull():
            return False
        self._pixmap, self.path = pm, path
        self._rescale()
        return True

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._rescale()

    def _rescale(self) -> None:
        if not self._pixmap.isNull():
            self.setPixmap(self._pixmap.scaled(self.size() - QSize(8, 8), Qt.AspectRatioMode.KeepAspectRatio,
                                               Qt.TransformationMode.SmoothTransformation))


class Notice(QFrame):
    """A coloured strip inside the dialog for a warning or an error (with optional details)."""

    def __init__(self, level: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setProperty("level", level)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(10, 6, 10, 6)
        lay.addWidget(self.label, 1)
        self.hide()

    def show_text(self, text: str) -> None:
        self.label.setText(text)
        self.show()

    def text(self) -> str:
        return self.label.text() if self.isVisible() else ""


class TrainingDialog(QDialog):
    """Emits `style_installed(style_id)` when a run finished and its style is in the user's library."""

    style_installed = Signal(str)
    state_changed = Signal(str)  # "setup" | "running" | "stopping" | "done" | "interrupted" | "error" | "crashed"

    def __init__(self, parent: QWidget | None = None, grab_frame: GrabFrame | None = None, *,
                 measure_speed: bool = True, reattach: bool = True, capture_frames: int = CAPTURE_FRAMES,
                 capture_seconds: float = CAPTURE_SECONDS) -> None:
        super().__init__(parent)
        self.setWindowTitle("Train a new style")
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.resize(980, 720)
        self.grab_frame = grab_frame
        self.measure_speed = measure_speed
        self.evaluate = True  # False adds --no-evaluate: no style metrics at the end (tests, self-test)
        self.capture_frames, self.capture_seconds = capture_frames, capture_seconds
        self.state = "setup"
        self.style_scan: ImageFolderScan | None = None
        self.content_scan: ImageFolderScan | None = None
        self.captured_dir: Path | None = None
        self.run_dir: Path | None = None
        self.last_event: dict | None = None
        self.last_progress: dict | None = None
        self.events_seen: dict[str, int] = {}
        self.warnings: list[str] = []
        self.installed_style_id: str | None = None
        self.end_info: dict = {}
        self._name_edited = False
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="training-scan")
        self._pending: dict[str, tuple[Future, str]] = {}
        self._measurements: dict[str, SpeedMeasurement] = {}
        self._measure_failed: dict[str, str] = {}
        self._capture_timer = QTimer(self)
        self._capture_count = 0
        self._start_after_capture = False
        self._run_title = ""
        self._built = False
        self._closed = False

        self.process = TrainingProcess(self)
        self.process.event_received.connect(self._on_event)
        self.process.log_line.connect(self._on_log_line)
        self.process.ended.connect(self._on_ended)
        self.benchmark = SpeedBenchmark(self)
        self.benchmark.measured.connect(self._on_measured)
        self.benchmark.failed.connect(self._on_measure_failed)

        self.pages = QStackedWidget(self)
        self.pages.addWidget(self._build_setup_page())
        self.pages.addWidget(self._build_training_page())
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 12, 12, 12)
        lay.addWidget(self.pages)

        self._poll = QTimer(self)
        self._poll.setInterval(50)
        self._poll.timeout.connect(self._collect_scans)
        self._capture_timer.timeout.connect(self._capture_one)

        self._built = True
        self.temporal_spin.setValue(TEMPORAL_DEFAULTS.get(self.preset(), TEMPORAL_DEFAULTS["quick"]))
        self._update_content_controls()
        self._update_estimates()
        self.refresh_unfinished()
        if reattach:
            self.reattach_running()

    # ================================================================== setup page
    def _build_setup_page(self) -> QWidget:
        page = QWidget(self)
        outer = QVBoxLayout(page)
        outer.setContentsMargins(0, 0, 0, 0)
        intro = QLabel("Teach the app a new look from a folder of pictures in that style (paintings, drawings, "
                       "your own edits). A few good images are enough.", page)
        intro.setWordWrap(True)
        outer.addWidget(intro)

        # -- style folder
        box = QGroupBox("Style images", page)
        g = QVBoxLayout(box)
        row = QHBoxLayout()
        self.folder_edit = QLineEdit(box)
        self.folder_edit.setPlaceholderText("A folder with images of the style (jpg, png, webp, bmp)")
        self.folder_edit.editingFinished.connect(lambda: self.set_style_folder(self.folder_edit.text()))
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
        left = QGroupBox("Style", page)
        form = QGridLayout(left)
        form.addWidget(QLabel("Name:", left), 0, 0)
        self.name_edit = QLineEdit(left)
        self.name_edit.setPlaceholderText("Shown in the gallery")
        self.name_edit.textEdited.connect(lambda _t: setattr(self, "_name_edited", True))
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
        right = QGroupBox("Photos to learn on", page)
        c = QVBoxLayout(right)
        self.content_group = QButtonGroup(right)
        self.rb_bundled = QRadioButton("The bundled photos (people, places, things)", right)
        self.rb_folder = QRadioButton("Photos from a folder", right)
        self.rb_camera = QRadioButton("Capture from my camera", right)
        for i, rb in enumerate((self.rb_bundled, self.rb_folder, self.rb_camera)):
            self.content_group.addButton(rb, i)
            rb.toggled.connect(lambda _on: self._update_content_controls())
        self.rb_bundled.setChecked(True)
        c.addWidget(self.rb_bundled)
        c.addWidget(self.rb_folder)
        frow = QHBoxLayout()
        self.content_edit = QLineEdit(right)
        self.content_edit.setPlaceholderText("A folder of ordinary photos")
        self.content_edit.editingFinished.connect(lambda: self.set_content_folder(self.content_edit.text()))
        self.content_browse = QPushButton("Choose…", right)
        self.content_browse.clicked.connect(self._browse_content)
        frow.addSpacing(22)
        frow.addWidget(self.content_edit, 1)
        frow.addWidget(self.content_browse)
        c.addLayout(frow)
        c.addWidget(self.rb_camera)
        crow = QHBoxLayout()
        self.capture_button = QPushButton(f"Capture {self.capture_frames} frames", right)
        self.capture_button.clicked.connect(lambda: self.start_capture())
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
        if self.grab_frame is None:
            self.rb_camera.setEnabled(False)
            self.rb_camera.setToolTip("Open the training dialog from the main window to capture from the camera.")
        mid.addWidget(right, 2)
        outer.addLayout(mid)

        # -- advanced
        self.advanced = QGroupBox("Advanced settings", page)
        self.advanced.setCheckable(True)
        self.advanced.setChecked(False)
        adv_body = QWidget(self.advanced)
        af = QFormLayout(adv_body)
        self.iterations_spin = QSpinBox(adv_body)
        self.iterations_spin.setRange(0, 1_000_000)
        self.iterations_spin.setSingleStep(500)
        self.iterations_spin.setSpecialValueText("preset default")
        self.iterations_spin.valueChanged.connect(lambda _v: self._update_estimates())
        af.addRow("Training steps:", self.iterations_spin)
        self.brush_spin = QDoubleSpinBox(adv_body)
        self.brush_spin.setRange(0.0, 1.0)
        self.brush_spin.setSingleStep(0.05)
        self.brush_spin.setValue(BRUSH_STRENGTH_DEFAULT)
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
        self.resume_box = QGroupBox("Unfinished runs", page)
        r = QHBoxLayout(self.resume_box)
        self.resume_list = QListWidget(self.resume_box)
        self.resume_list.setMaximumHeight(76)
        self.resume_list.itemDoubleClicked.connect(lambda _i: self._resume_selected())
        self.resume_button = QPushButton("Resume", self.resume_box)
        self.resume_button.clicked.connect(self._resume_selected)
        r.addWidget(self.resume_list, 1)
        r.addWidget(self.resume_button, 0, Qt.AlignmentFlag.AlignTop)
        outer.addWidget(self.resume_box)

        self.setup_error = Notice("error", page)
        outer.addWidget(self.setup_error)
        outer.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.close_button = QPushButton("Close", page)
        self.close_button.clicked.connect(self.close)
        self.start_button = QPushButton("Start training", page)
        self.start_button.setDefault(True)
        self.start_button.setEnabled(False)
        self.start_button.clicked.connect(self.start_training)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.start_button)
        outer.addLayout(buttons)
        return page

    # ================================================================== training page
    def _build_training_page(self) -> QWidget:
        page = QWidget(self)
        lay = QVBoxLayout(page)
        lay.setContentsMargins(0, 0, 0, 0)
        self.run_title = QLabel("", page)
        self.run_title.setStyleSheet("font-size: 15px; font-weight: 600;")
        lay.addWidget(self.run_title)
        prow = QHBoxLayout()
        self.progress_bar = QProgressBar(page)
        self.progress_bar.setRange(0, 0)  # busy until the first event says how many steps
        self.progress_bar.setFormat("%p%")
        self.eta_label = QLabel("Starting…", page)
        self.eta_label.setMinimumWidth(320)
        prow.addWidget(self.progress_bar, 1)
        prow.addWidget(self.eta_label)
        lay.addLayout(prow)
        self.warning_notice = Notice("warning", page)
        self.error_notice = Notice("error", page)
        self.done_notice = Notice("info", page)
        lay.addWidget(self.warning_notice)
        lay.addWidget(self.error_notice)
        lay.addWidget(self.done_notice)

        split = QSplitter(Qt.Orientation.Horizontal, page)
        left = QWidget(split)
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        cap = QLabel("Losses", left)
        cap.setProperty("role", "heading")
        ll.addWidget(cap)
        self.loss_plot = LossPlot(left)
        ll.addWidget(self.loss_plot, 1)
        right = QWidget(split)
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        self.sample_caption = QLabel("Latest sample", right)
        self.sample_caption.setProperty("role", "heading")
        rl.addWidget(self.sample_caption)
        self.sample_view = SampleView(right)
        rl.addWidget(self.sample_view, 1)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        lay.addWidget(split, 1)

        self.log_view = QPlainTextEdit(page)
        self.log_view.setReadOnly(True)
        self.log_view.setMaximumBlockCount(2000)
        self.log_view.setFixedHeight(110)
        self.log_view.setStyleSheet("font-family: monospace; font-size: 11px;")
        lay.addWidget(self.log_view)

        buttons = QHBoxLayout()
        self.background_button = QPushButton("Keep training in the background", page)
        self.background_button.setToolTip("Close this window; training goes on and the window can be opened again.")
        self.background_button.clicked.connect(self.hide)
        self.stop_button = QPushButton("Stop", page)
        self.stop_button.setToolTip("Stop after the current step and keep a checkpoint to resume from.")
        self.stop_button.clicked.connect(self.cancel_training)
        self.resume_run_button = QPushButton("Resume", page)
        self.resume_run_button.clicked.connect(lambda: self.resume_run(self.run_dir) if self.run_dir else None)
        self.new_button = QPushButton("Train another style", page)
        self.new_button.clicked.connect(self.show_setup)
        self.finish_button = QPushButton("Close", page)
        self.finish_button.clicked.connect(self.close)
        buttons.addWidget(self.background_button)
        buttons.addStretch(1)
        for b in (self.stop_button, self.resume_run_button, self.new_button, self.finish_button):
            buttons.addWidget(b)
        lay.addLayout(buttons)
        return page

    # ================================================================== folders
    def _browse_style(self) -> None:
        start = self.folder_edit.text() or str(Path.home())
        folder = QFileDialog.getExistingDirectory(self, "Folder of style images", start)
        if folder:
            self.set_style_folder(folder)

    def _browse_content(self) -> None:
        start = self.content_edit.text() or str(Path.home())
        folder = QFileDialog.getExistingDirectory(self, "Folder of photos", start)
        if folder:
            self.rb_folder.setChecked(True)
            self.set_content_folder(folder)

    def set_style_folder(self, folder: str | Path) -> None:
        """Check the folder in the background; the thumbnails, count and problems appear when done."""
        folder = str(folder).strip()
        if not folder:
            return
        if self.folder_edit.text() != folder:
            self.folder_edit.setText(folder)
        self.style_scan = None
        self.thumbs.clear()
        self.folder_status.setText("Looking at the images…")
        self._submit("style", folder)
        if not self._name_edited:
            self.name_edit.setText(_default_name(Path(folder)))
        self._update_start()

    def set_content_folder(self, folder: str | Path) -> None:
        folder = str(folder).strip()
        if not folder:
            return
        if self.content_edit.text() != folder:
            self.content_edit.setText(folder)
        self.content_scan = None
        self.content_status.setText("Looking at the photos…")
        self._submit("content", folder)
        self._update_start()

    def _submit(self, kind: str, folder: str) -> None:
        if self._closed:
            return
        self._pending[kind] = (self._pool.submit(_scan_with_thumbnails, folder, kind == "style"), folder)
        self._poll.start()

    def _collect_scans(self) -> None:
        for kind, (future, _folder) in list(self._pending.items()):
            if not future.done():
                continue
            del self._pending[kind]
            try:
                scan, thumbs = future.result()
            except Exception as exc:  # noqa: BLE001 - an unexpected failure reading files: say so, keep going
                log.exception("scanning a training folder failed")
                scan, thumbs = ImageFolderScan(Path(_folder), problem=f"The folder could not be read: {exc}"), []
            if kind == "style":
                self._show_style_scan(scan, thumbs)
            else:
                self._show_content_scan(scan)
        if not self._pending:
            self._poll.stop()

    @staticmethod
    def _describe_scan(scan: ImageFolderScan, what: str) -> str:
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

    def _show_style_scan(self, scan: ImageFolderScan, thumbs: list[tuple[Path, np.ndarray]]) -> None:
        self.style_scan = scan
        self.thumbs.clear()
        for path, bgr in thumbs:
            item = QListWidgetItem(QIcon(_pixmap_from_bgr(bgr)), "")
            item.setToolTip(path.name)
            self.thumbs.addItem(item)
        text = self._describe_scan(scan, "images")
        if scan.ok and len(scan.images) > THUMBS_SHOWN:
            text += f" (the first {THUMBS_SHOWN} are shown)"
        self.folder_status.setText(text)
        self._update_start()

    def _show_content_scan(self, scan: ImageFolderScan) -> None:
        self.content_scan = scan
        self.content_status.setText(self._describe_scan(scan, "photos"))
        self._update_start()

    def _update_content_controls(self) -> None:
        if not self._built:
            return
        folder_on, camera_on = self.rb_folder.isChecked(), self.rb_camera.isChecked()
        self.content_edit.setEnabled(folder_on)
        self.content_browse.setEnabled(folder_on)
        self.capture_button.setEnabled(camera_on and not self._capture_timer.isActive())
        if self.rb_bundled.isChecked():
            self.content_status.setText("")
        elif folder_on and self.content_scan is not None:
            self.content_status.setText(self._describe_scan(self.content_scan, "photos"))
        elif camera_on:
            self.content_status.setText("" if self.captured_dir else
                                        f"{self.capture_frames} frames are taken from the live view over "
                                        f"{self.capture_seconds:.0f} s: move around, show different scenes.")
        self._update_start()

    def content_dir(self) -> str:
        """The --content folder ("" = the bundled photos)."""
        if self.rb_folder.isChecked():
            return self.content_edit.text().strip()
        if self.rb_camera.isChecked() and self.captured_dir is not None:
            return str(self.captured_dir)
        return ""

    def _content_ready(self) -> bool:
        if self.rb_folder.isChecked():
            return self.content_scan is not None and self.content_scan.ok
        if self.rb_camera.isChecked():
            return self.grab_frame is not None and not self._capture_timer.isActive()
        return True

    def _update_start(self) -> None:
        if not self._built:
            return
        ok = self.style_scan is not None and self.style_scan.ok and self._content_ready()
        self.start_button.setEnabled(ok and self.state not in ("running", "stopping"))

    # ================================================================== camera capture
    def start_capture(self, then_start: bool = False) -> bool:
        """Take `capture_frames` frames from the live view over `capture_seconds` into a new content folder."""
        if self.grab_frame is None or self._capture_timer.isActive():
            return False
        self.captured_dir = paths.data_dir() / "captures" / time.strftime("camera-%Y%m%d-%H%M%S")
        self.captured_dir.mkdir(parents=True, exist_ok=True)
        self._capture_count = 0
        self._start_after_capture = then_start
        self._capture_timer.setInterval(max(10, int(1000 * self.capture_seconds / self.capture_frames)))
        self._capture_timer.start()
        self._capture_one()
        self._update_content_controls()
        return True

    def _capture_one(self) -> None:
        frame = None
        try:
            frame = self.grab_frame() if self.grab_frame is not None else None
        except Exception:  # noqa: BLE001 - the live view may be switching sources: skip this frame
            log.exception("grabbing a frame for training failed")
        if isinstance(frame, np.ndarray) and frame.ndim == 3 and frame.shape[2] == 3:
            ok, buf = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 92])
            if ok and self.captured_dir is not None:
                buf.tofile(str(self.captured_dir / f"frame_{self._capture_count:03d}.jpg"))
                self._capture_count += 1
        self.capture_status.setText(f"{self._capture_count} of {self.capture_frames} frames")
        if self._capture_count >= self.capture_frames:
            self._capture_timer.stop()
            self._capture_done()

    def _capture_done(self) -> None:
        scan = scan_image_folder(self.captured_dir, "camera") if self.captured_dir else None
        self.content_scan = scan
        if scan is not None and scan.ok:
            self.capture_status.setText(f"{len(scan.images)} frames captured.")
        else:
            self.capture_status.setText(scan.problem if scan else "No frames were captured.")
            self.captured_dir = None
        self._update_content_controls()
        if self._start_after_capture and self.captured_dir is not None:
            self.start_training()

    # ================================================================== presets and the estimate
    def preset(self) -> str:
        return next((k for k, rb in self.preset_buttons.items() if rb.isChecked()), "quick")

    def device(self) -> str:
        return str(self.device_combo.currentData() or "")

    def _on_preset_changed(self, key: str) -> None:
        # The knob shows the preset's own default unless the person already chose a value.
        if self._built and any(abs(self.temporal_spin.value() - v) < 1e-9 for v in TEMPORAL_DEFAULTS.values()):
            self.temporal_spin.setValue(TEMPORAL_DEFAULTS.get(key, TEMPORAL_DEFAULTS["quick"]))
        self._update_estimates()

    def _on_device_changed(self) -> None:
        self._measurements.clear()
        self._measure_failed.clear()
        self._update_estimates()

    def _update_estimates(self) -> None:
        if not self._built:
            return
        device = self.device()
        for key, label in self.preset_estimates.items():
            m = self._measurements.get(key) or load_cached(key, device)
            if m is not None:
                self._measurements[key] = m
                steps = self.iterations_spin.value() if key == self.preset() and self.iterations_spin.value() else None
                where = "GPU" if m.device.startswith("cuda") else "CPU"
                label.setText(f"{format_duration(m.total_seconds(steps))} here ({where})")
                label.setToolTip(f"Measured: {m.seconds_per_step:.2f} s per step on {m.device}, "
                                 f"{steps or m.iterations} steps.")
            elif key in self._measure_failed:
                label.setText("time unknown")
                label.setToolTip(self._measure_failed[key])
            elif self.benchmark.preset == key:
                label.setText("measuring…")
            else:
                label.setText("not measured yet" if not self.measure_speed else "")
        self._measure_next()

    def _measure_next(self) -> None:
        """Measure the selected preset first, then the others, one at a time, never while training."""
        if not self.measure_speed or self.benchmark.busy or self.state in ("running", "stopping"):
            return
        order = [self.preset()] + [k for k, _, _ in PRESETS if k != self.preset()]
        for key in order:
            if key not in self._measurements and key not in self._measure_failed:
                if key == "high" and key != self.preset():
                    continue  # the GPU preset is measured only when chosen: on a CPU it is long to measure
                if self.benchmark.start(key, self.device()):
                    self.preset_estimates[key].setText("measuring…")
                return

    def _on_measured(self, m: SpeedMeasurement) -> None:
        self._measurements[m.preset] = m
        self._update_estimates()

    def _on_measure_failed(self, preset: str, message: str) -> None:
        self._measure_failed[preset] = message
        self._update_estimates()

    # ================================================================== starting
    def overrides(self) -> dict[str, object]:
        """`--set` values: the knobs the person changed, then the extra KEY=VALUE settings."""
        out: dict[str, object] = {}
        if abs(self.brush_spin.value() - BRUSH_STRENGTH_DEFAULT) > 1e-9:
            out["stroke_amp"] = round(self.brush_spin.value(), 4)
        if self.marks_combo.currentData() != MARKS[0][0]:
            out["marks"] = self.marks_combo.currentData()
        if abs(self.temporal_spin.value() - TEMPORAL_DEFAULTS.get(self.preset(), 0.0)) > 1e-9:
            out["w_temporal"] = round(self.temporal_spin.value(), 4)
        for item in self.extra_edit.text().split():
            key, sep, value = item.partition("=")
            if sep and key:
                out[key] = value
        return out

    def start_training(self) -> bool:
        """Start a new run with the chosen settings; False (with a message) when something is missing."""
        self.setup_error.hide()
        if self.process.is_active:
            return False
        if self.rb_camera.isChecked() and self.captured_dir is None:
            return self.start_capture(then_start=True)
        if self.style_scan is None or not self.style_scan.ok:
            self.setup_error.show_text("Choose a folder with usable style images first.")
            return False
        if not self._content_ready():
            self.setup_error.show_text("The photos to learn on are not ready (see above).")
            return False
        name = self.name_edit.text().strip() or _default_name(self.style_scan.folder)
        self.benchmark.cancel()  # the CPU is for training now
        run_dir = runs.new_run_dir(name)
        args = runs.train_arguments(styles=str(self.style_scan.folder), content=self.content_dir(),
                                    preset=self.preset(), name=name, out=run_dir,
                                    iterations=self.iterations_spin.value() or None, device=self.device(),
                                    overrides=self.overrides(), no_evaluate=not self.evaluate)
        self._begin(run_dir, f"Training “{name}” ({self.preset()} preset)")
        self.process.start(args, run_dir, {"name": name, "preset": self.preset()})
        return True

    def resume_run(self, run_dir: Path | str) -> bool:
        """Continue an unfinished run from its checkpoint (its own settings; the steps field may add more)."""
        run_dir = Path(run_dir)
        if self.process.is_active:
            return False
        info = runs.run_info(run_dir)
        if info is None or info.running:
            return False
        self.benchmark.cancel()
        args = runs.train_arguments(resume=run_dir, iterations=self.iterations_spin.value() or None,
                                    device=self.device(), no_evaluate=not self.evaluate)
        self._begin(run_dir, f"Resuming “{info.name or run_dir.name}” ({info.preset} preset)")
        self._log(f"Continuing from the checkpoint at step {max(info.checkpoint_step, 0)}.")
        self.process.start(args, run_dir, {"name": info.name, "preset": info.preset, "resumed": True})
        return True

    def _resume_selected(self) -> None:
        item = self.resume_list.currentItem() or self.resume_list.item(0)
        if item is not None:
            self.resume_run(item.data(Qt.ItemDataRole.UserRole))

    def reattach_running(self) -> bool:
        """Follow a run that is still training from an earlier session of the app (the newest one)."""
        if self.process.is_active:
            return False
        for info in runs.running_runs():
            session = runs.read_session(info.run_dir)
            title = f"Training “{info.name or info.run_dir.name}” ({info.preset} preset), started earlier"
            self._begin(info.run_dir, title, clear=True)
            if self.process.attach(info.run_dir):
                self._log(f"Reattached to the run in {info.run_dir} (process {info.pid}).")
                if session.get("started"):
                    self._log("Started " + time.strftime("%d %b %H:%M", time.localtime(session["started"])))
                return True
        self.show_setup()
        return False

    def _begin(self, run_dir: Path, title: str, clear: bool = True) -> None:
        self.run_dir = run_dir
        self.last_event = self.last_progress = None
        self.events_seen = {}
        self.marks_chosen = ""  # what marks="auto" chose (its log line says why)
        self.installed_style_id = None
        self.end_info = {}
        if clear:
            self.warnings = []
            self.loss_plot.clear()
            self.log_view.clear()
            self.warning_notice.hide()
            self.sample_view.setText("The first sample appears in a moment.")
        self.error_notice.hide()
        self.done_notice.hide()
        self._run_title = title
        self.run_title.setText(title)
        self.progress_bar.setRange(0, 0)
        self.eta_label.setText("Starting (loading the images)…")
        self.pages.setCurrentIndex(1)
        self._set_state("running")

    def show_setup(self) -> None:
        if self.process.is_active:
            return
        self.pages.setCurrentIndex(0)
        self._set_state("setup")
        self.refresh_unfinished()
        self._update_estimates()

    def refresh_unfinished(self) -> None:
        self.resume_list.clear()
        for info in runs.unfinished_runs():
            item = QListWidgetItem(info.describe())
            item.setData(Qt.ItemDataRole.UserRole, str(info.run_dir))
            item.setToolTip(str(info.run_dir))
            self.resume_list.addItem(item)
        self.resume_box.setVisible(self.resume_list.count() > 0)
        if self.resume_list.count():
            self.resume_list.setCurrentRow(0)

    # ================================================================== following the run
    def _set_state(self, state: str) -> None:
        self.state = state
        running = state in ("running", "stopping")
        self.stop_button.setVisible(running)
        self.stop_button.setEnabled(state == "running")
        self.background_button.setVisible(running)
        self.resume_run_button.setVisible(state in ("interrupted", "error", "crashed") and self._resumable())
        self.new_button.setVisible(not running)
        self.finish_button.setVisible(not running)
        self._update_start()
        emit(self.state_changed, state)

    def _resumable(self) -> bool:
        info = runs.run_info(self.run_dir) if self.run_dir else None
        return info is not None and info.resumable

    def _log(self, text: str, colour: str | None = None) -> None:
        if colour:
            self.log_view.appendHtml(f"<span style='color:{colour}'>{_escape(text)}</span>")
        else:
            self.log_view.appendPlainText(text)

    def _on_log_line(self, line: str) -> None:
        if line.startswith("warning:"):
            return  # shown from the JSON event, with its colour
        if line.startswith("sample written: "):
            line = "sample written: " + Path(line.split(": ", 1)[1]).name  # the run folder is long and known
        self._log(line, "#ff8a80" if line.startswith("error") or "Traceback" in line else None)

    def _on_event(self, event: dict) -> None:
        kind = event["event"]
        self.last_event = event
        self.events_seen[kind] = self.events_seen.get(kind, 0) + 1
        if kind == "start":
            total, step = int(event.get("total") or 0), int(event.get("step") or 0)
            self.progress_bar.setRange(0, max(total, 1))
            self.progress_bar.setValue(step)
            device = str(event.get("device", ""))
            self.run_title.setText(f"{self._run_title} on {'the GPU' if device.startswith('cuda') else 'the CPU'}")
            self.eta_label.setText(f"Step {step} of {total}")
        elif kind == "progress":
            self.last_progress = event
            step, total = int(event.get("step", 0)), int(event.get("total") or 0)
            if total:
                self.progress_bar.setRange(0, total)
            self.progress_bar.setValue(step)
            rate = event.get("it_per_s") or 0
            speed = f"{rate:.1f} steps/s" if rate >= 1 else (f"{1 / rate:.1f} s per step" if rate else "")
            eta = _format_eta(event.get("eta_s"))
            self.eta_label.setText(" · ".join(x for x in (f"Step {step} of {total}", speed, eta) if x))
            self.loss_plot.add(step, event.get("losses") or {})
        elif kind == "sample":
            path = Path(str(event.get("path", "")))
            if self.sample_view.show_file(path):
                self.sample_caption.setText(f"Latest sample (step {event.get('step', '?')}): photos above, "
                                            "with the style below")
        elif kind == "marks":
            self.marks_chosen = str(event.get("chosen", ""))
        elif kind == "checkpoint":
            pass  # the child's own log line says it
        elif kind == "warning":
            message = str(event.get("message", ""))
            self._log(f"Warning: {message}", "#e2c46a")
            key = event.get("kind", message)
            self.warnings = [w for w in self.warnings if not w.startswith(f"[{key}]")] + [f"[{key}] {message}"]
            self.warning_notice.show_text("<br>".join("⚠ " + _escape(w.split("] ", 1)[1]) for w in self.warnings[-4:]))
        elif kind == "error":
            self._log(f"Error: {event.get('message', '')} {event.get('hint', '')}", "#ff8a80")
        elif kind == "done":
            if event.get("status") == "done":
                self.progress_bar.setValue(self.progress_bar.maximum())
                self.eta_label.setText("Finished")

    def _on_ended(self, outcome: str, info: dict) -> None:
        self.end_info = dict(info or {})
        if outcome == "done":
            style_id = self.end_info.get("style_id")
            self.installed_style_id = style_id
            seconds = float(self.end_info.get("seconds") or 0)
            self.done_notice.show_text(
                f"Done in {format_duration(seconds).replace('about ', '')}: the style “{_escape(self._style_name())}” "
                "is in your gallery and selected." if style_id else
                "Training finished; the style was written to the run folder but not installed.")
            self._set_state("done")
            if style_id:
                emit(self.style_installed, str(style_id))
        elif outcome == "interrupted":
            step = self.end_info.get("step")
            where = f" at step {step}" if step is not None else ""
            self.eta_label.setText(f"Stopped{where}")
            self.done_notice.show_text(f"Stopped{where}. The last checkpoint is kept: Resume continues from it, "
                                       "now or later (Styles → Train new style… lists unfinished runs).")
            self._set_state("interrupted")
        else:
            message = str(self.end_info.get("message") or "Training stopped with an error.")
            hint = str(self.end_info.get("hint") or "")
            tail = self.end_info.get("stderr_tail") or []
            details = "<br>".join(_escape(line) for line in tail[-8:])
            resume = " You can resume from the last checkpoint." if self._resumable() else ""
            self.error_notice.show_text(f"<b>{_escape(message)}</b> {_escape(hint)}{resume}"
                                        + (f"<br><span style='font-family:monospace;font-size:11px'>{details}</span>"
                                           if details and outcome == "crashed" else ""))
            self.eta_label.setText("Stopped by an error" if outcome == "error" else "The training process ended")
            self._set_state(outcome)
        self.refresh_unfinished()
        if self.isHidden() and outcome != "done":
            self.show()  # a background run that failed: say so

    def _style_name(self) -> str:
        try:
            return str(runs.read_session(self.run_dir).get("name") or "") if self.run_dir else ""
        except OSError:
            return ""

    # ================================================================== stopping and closing
    def _confirm_stop(self) -> bool:
        answer = QMessageBox.question(self, "Stop training?",
                                      "Stop training now? The last checkpoint is kept, so you can resume later.",
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def cancel_training(self, ask: bool = True) -> bool:
        """Stop after the current step (a checkpoint is saved); asks first unless `ask` is False."""
        if self.state != "running" or not self.process.is_active:
            return False
        if ask and not self._confirm_stop():
            return False
        if not self.process.stop():
            return False
        self.eta_label.setText("Stopping after the current step…")
        self._set_state("stopping")
        return True

    def ask_close_choice(self) -> str:
        """While training: "stop", "background" or "cancel" (the person's choice)."""
        box = QMessageBox(QMessageBox.Icon.Question, "A style is training",
                          "A style is still training. Stop it (a checkpoint is kept to resume later), or keep "
                          "it training in the background? It goes on even when the app is closed, and the app "
                          "shows it again next time.", parent=self)
        stop = box.addButton("Stop training", QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton("Keep training", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(keep)
        box.exec()
        clicked = box.clickedButton()
        return "stop" if clicked is stop else "background" if clicked is keep else "cancel"

    def confirm_app_close(self) -> bool:
        """For the main window's closeEvent: False when the person chose to stay (cancel)."""
        if self.state not in ("running", "stopping") or not self.process.is_active:
            self.shutdown()
            return True
        if self.state == "stopping":
            self.process.detach()
            return True
        choice = self.ask_close_choice()
        if choice == "cancel":
            return False
        if choice == "stop":
            self.process.stop()
        self.process.detach()
        self.shutdown()
        return True

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if self.state == "running" and self.process.is_active:
            choice = self.ask_close_choice()
            if choice == "cancel":
                event.ignore()
                return
            if choice == "stop":
                self.cancel_training(ask=False)
            event.ignore()
            self.hide()  # keep following: a finished run still installs and signals its style
            return
        if self.state == "stopping":
            event.ignore()
            self.hide()
            return
        self.benchmark.cancel()
        self._capture_timer.stop()
        super().closeEvent(event)

    def reject(self) -> None:  # Esc goes through closeEvent's questions
        self.close()

    def shutdown(self) -> None:
        """Stop measuring and scanning (the training process itself is left alone)."""
        self._closed = True
        self.benchmark.cancel()
        self._capture_timer.stop()
        self._pool.shutdown(wait=False, cancel_futures=True)


def _escape(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def open_training_dialog(parent: QWidget | None, grab_frame: GrabFrame | None = None, *,
                         on_style_installed: Callable[[str], None] | None = None, **kwargs) -> TrainingDialog:
    """Show the training dialog; the parent's existing one when it has one (it may be training).

    `grab_frame()` returns the newest live frame (BGR ndarray) or None, for "capture from my camera";
    `on_style_installed(style_id)` is connected once, when the dialog is created.
    """
    existing = parent.findChild(TrainingDialog) if parent is not None else None
    dialog = existing or TrainingDialog(parent, grab_frame, **kwargs)
    if existing is None and on_style_installed is not None:
        dialog.style_installed.connect(on_style_installed)
    if existing is not None and grab_frame is not None:
        existing.grab_frame = grab_frame
        existing.rb_camera.setEnabled(True)
    if dialog.state not in ("running", "stopping"):
        dialog.reattach_running()
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog


def reattach_if_running(parent: QWidget | None, grab_frame: GrabFrame | None = None, *,
                        on_style_installed: Callable[[str], None] | None = None) -> TrainingDialog | None:
    """At start-up: when a run from an earlier session is still training, open the dialog on it."""
    if not runs.running_runs():
        return None
    return open_training_dialog(parent, grab_frame, on_style_installed=on_style_installed)


__all__ = ["TrainingDialog", "open_training_dialog", "reattach_if_running"]

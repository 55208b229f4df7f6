"""The main window: video view, side panel, toolbar, menus and shortcuts, wired to the pipeline Engine.

The window owns the GUI-side state (Settings) and turns the person's choices into engine commands; the
engine's signals come back as view updates and banner messages. Nothing here touches pixels except
handing the newest result to the VideoView.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QByteArray, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSizePolicy,
    QStyle,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from vst_desktop.core import paths
from vst_desktop.core.errors import VstError
from vst_desktop.core.settings import Settings, save_settings
from vst_desktop.pipeline.sizing import PRESETS
from vst_desktop.recording.disk import format_bytes
from vst_desktop.styles.library import StyleExistsError
from vst_desktop.ui import icons
from vst_desktop.ui.about_dialog import app_icon
from vst_desktop.ui.common.notify import BannerArea, Level, Notifier
from vst_desktop.ui.common.qt_workarounds import emit
from vst_desktop.ui.engine import Engine
from vst_desktop.ui.latest import LiveResult
from vst_desktop.ui.live_thumbnails import LiveThumbnails
from vst_desktop.ui.side_panel import OPEN_FILE, SidePanel
from vst_desktop.ui.sources import DEMO, describe_spec
from vst_desktop.ui.video_view import CompareMode, VideoView, short_provider
from vst_desktop.ui.virtual_camera_controls import VirtualCameraControls
from vst_desktop.ui.worker import SourceOpener

log = logging.getLogger(__name__)

STYLE_SUFFIX = ".vststyle"
VIDEO_FILTER = "Videos and images (*.mp4 *.mov *.mkv *.avi *.webm *.gif *.png *.jpg *.jpeg);;All files (*)"


def format_elapsed(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 60:02d}:{s % 60:02d}" if s < 3600 else f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"


class MainWindow(QMainWindow):
    """Build with the services from app.py; `close()` stops the engine and saves the settings."""

    result_shown = Signal()  # a new frame reached the view (tests and the self-test listen to it)

    def __init__(self, settings: Settings, library, source_spec: str, *, cameras: list | None = None,
                 open_source: SourceOpener | None = None, messages: list[tuple[str, str, str]] = (),
                 settings_path: Path | None = None, persist: bool = True, prefer_gpu: bool = True) -> None:
        super().__init__()
        self.settings = settings
        self.library = library
        self._settings_path = settings_path
        self._persist = persist
        self._cameras = cameras if cameras is not None else _list_cameras()
        self._source_spec = source_spec
        self._source_info = None
        self._style_provider = ""
        self._active_style = ""
        self._recording_path = ""
        self.last_result: LiveResult | None = None
        self.last_recording = None  # RecordingResult of the most recent recording
        self._training_dialog = None
        self.frames_shown = 0

        self.setWindowTitle("vst-desktop")
        icon = app_icon()
        self.setWindowIcon(icon if not icon.isNull() else icons.compare_icon())
        self.setAcceptDrops(True)
        self.resize(1280, 760)

        self.engine = Engine(open_source, prefer_gpu=prefer_gpu, parent=self)
        self._build_widgets()
        self._build_actions()
        self._build_menus()
        self._connect_engine()
        self._apply_settings()
        for key, text, level in messages:
            self.notify(level, text, key, once=True)
        self._start_engine()

    # ------------------------------------------------------------------ construction
    def _build_widgets(self) -> None:
        self.view = VideoView(self)
        self.view.double_clicked.connect(self.toggle_full_screen)
        self.view.display_area_changed.connect(lambda w, h: self.engine.set_display_area(w, h))
        self.banners = BannerArea(self)
        self.notifier = Notifier(self.banners, self.statusBar())
        left = QWidget(self)
        left_lay = QVBoxLayout(left)
        left_lay.setContentsMargins(0, 0, 0, 0)
        left_lay.setSpacing(0)
        left_lay.addWidget(self.banners)
        left_lay.addWidget(self.view, 1)
        self.panel = SidePanel(self)
        central = QWidget(self)
        lay = QHBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(left, 1)
        lay.addWidget(self.panel)
        self.setCentralWidget(central)
        self.source_label = QLabel("", self)
        self.statusBar().addPermanentWidget(self.source_label)
        self.statusBar().setSizeGripEnabled(False)

        self.panel.gallery.style_selected.connect(self._on_style_selected)
        self.panel.strength_changed.connect(self._on_strength)
        self.panel.source_chosen.connect(self._on_source_chosen)
        self.panel.format_chosen.connect(self._on_format_chosen)
        self.panel.preset_chosen.connect(self._on_preset_chosen)

    def notify(self, level: Level | str, text: str, key: str = "", *, once: bool = False) -> bool:
        """Tell the person something (common/notify.py decides where it shows)."""
        return self.notifier.notify(level, text, key, once=once)

    def _action(self, text: str, shortcut: str | QKeySequence.StandardKey | None = None, slot=None,
                checkable: bool = False, icon=None, tip: str = "") -> QAction:
        act = QAction(text, self)
        if shortcut is not None:
            act.setShortcut(QKeySequence(shortcut))
        if icon is not None:
            act.setIcon(icon)
        act.setCheckable(checkable)
        act.setToolTip(f"{tip or text} ({act.shortcut().toString()})" if shortcut else (tip or text))
        if slot is not None:
            (act.toggled if checkable else act.triggered).connect(slot)
        self.addAction(act)  # window-wide: shortcuts keep working in full screen with the bars hidden
        return act

    def _build_actions(self) -> None:
        st = self.style()
        self.act_record = self._action("Record", "Space", self._on_record_toggled, checkable=True,
                                       icon=icons.record_icon(), tip="Start or stop recording")
        self.act_snapshot = self._action("Snapshot", "S", self.snapshot, icon=icons.snapshot_icon(),
                                         tip="Save the current picture as PNG")
        self.act_compare = self._action("Compare", "C", self._on_compare_toggled, checkable=True,
                                        icon=icons.compare_icon(), tip="Compare original and stylized")
        self.act_side_by_side = self._action("Side by side", None, self._on_side_by_side_toggled,
                                             checkable=True, tip="Show the original beside the stylized view")
        self.act_mirror = self._action("Mirror", "M", self._on_mirror_toggled, checkable=True,
                                       icon=icons.mirror_icon(), tip="Mirror the picture")
        self.act_steady = self._action("Steady strokes", None, self._on_steady_toggled, checkable=True,
                                       tip="Blend each stylized frame with the previous one along the motion: "
                                           "calmer brush strokes on video")
        self.act_stats = self._action("Statistics overlay", "I", self.view.set_stats_visible, checkable=True)
        self.act_fullscreen = self._action("Full screen", "F", self.toggle_full_screen,
                                           icon=icons.fullscreen_icon())
        self.act_leave_fullscreen = self._action("Leave full screen", "Esc", self.leave_full_screen)
        self.act_prev = self._action("Previous style", "Left", lambda: self.panel.gallery.select_next(-1))
        self.act_next = self._action("Next style", "Right", lambda: self.panel.gallery.select_next(1))
        self.act_open_file = self._action("Open video file…", QKeySequence.StandardKey.Open, self.open_video_file,
                                          icon=st.standardIcon(QStyle.StandardPixmap.SP_DialogOpenButton))
        self.act_demo = self._action("Play demo clip", None, lambda: self.choose_source(DEMO))
        self.act_open_recordings = self._action("Open recordings folder", None, self.open_recordings_folder,
                                                icon=st.standardIcon(QStyle.StandardPixmap.SP_DirOpenIcon))
        self.act_choose_recordings = self._action("Choose recordings folder…", None,
                                                  self.choose_recordings_folder)
        self.act_quit = self._action("Quit", QKeySequence.StandardKey.Quit, self.close)
        self.act_import = self._action("Import style…", "Ctrl+I", self.import_style_dialog)
        self.act_export = self._action("Export selected style…", "Ctrl+E", self.export_style_dialog)
        self.act_remove = self._action("Remove selected style", None, self.remove_selected_style)
        self.act_reload = self._action("Reload styles", None, self.reload_styles)
        self.act_train = self._action("Train new style…", "Ctrl+T", self.open_training)
        self.act_about = self._action("About vst-desktop", None, self._about)
        self.act_keys = self._action("Keyboard shortcuts", None, self._show_shortcuts)

        self.vcam = VirtualCameraControls(self)  # the "Virtual camera" toggle
        self.live_thumbs = LiveThumbnails(self)  # the gallery's tiles on the current frame; View menu toggle
        bar = QToolBar("Main", self)
        bar.setObjectName("mainToolbar")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        bar.addAction(self.act_record)
        self.record_button = bar.widgetForAction(self.act_record)
        if isinstance(self.record_button, QToolButton):
            self.record_button.setObjectName("recordButton")
            self.record_button.setMinimumWidth(140)  # elapsed time changes width: keep the bar steady
        bar.addAction(self.act_snapshot)
        bar.addAction(self.vcam.action)
        bar.addSeparator()
        bar.addAction(self.act_compare)
        bar.addAction(self.act_mirror)
        spacer = QWidget(bar)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(spacer)
        bar.addAction(self.act_fullscreen)
        self.toolbar = bar
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)

    def _build_menus(self) -> None:
        mb = self.menuBar()
        m = mb.addMenu("&File")
        for a in (self.act_open_file, self.act_demo, None, self.act_snapshot, self.act_record, self.vcam.action,
                  self.act_open_recordings, self.act_choose_recordings, None, self.act_quit):
            m.addSeparator() if a is None else m.addAction(a)
        m = mb.addMenu("&Styles")
        for a in (self.act_prev, self.act_next, None, self.act_train, self.act_import, self.act_export,
                  self.act_remove, None, self.act_reload):
            m.addSeparator() if a is None else m.addAction(a)
        m = mb.addMenu("&View")
        for a in (self.act_compare, self.act_side_by_side, self.act_mirror, self.act_steady, self.act_stats,
                  self.live_thumbs.action, None, self.act_fullscreen):
            m.addSeparator() if a is None else m.addAction(a)
        m = mb.addMenu("&Help")
        m.addAction(self.act_keys)
        m.addAction(self.act_about)

    def _connect_engine(self) -> None:
        w = self.engine.worker
        w.frame_ready.connect(self._on_frame_ready)
        w.source_opened.connect(self._on_source_opened)
        w.source_failed.connect(self._on_source_failed)
        w.source_problem.connect(self._on_source_problem)
        w.source_recovered.connect(self._on_source_recovered)
        w.style_ready.connect(self._on_style_ready)
        w.style_failed.connect(self._on_style_failed)
        w.presets_measured.connect(self._on_presets_measured)
        w.recording_started.connect(self._on_recording_started)
        w.recording_progress.connect(self._on_recording_progress)
        w.recording_stopped.connect(self._on_recording_stopped)
        w.recording_failed.connect(self._on_recording_failed)
        w.snapshot_saved.connect(lambda p: self.notifier.status(f"Snapshot saved: {p}", 6000))
        w.snapshot_failed.connect(lambda m: self.notify(Level.ERROR, m, "snapshot"))
        w.unexpected_error.connect(self._on_unexpected_error)

    def _apply_settings(self) -> None:
        s = self.settings
        if s.window_geometry:
            self.restoreGeometry(QByteArray.fromBase64(s.window_geometry.encode("ascii")))
        self.panel.set_sources(self._cameras, self._source_spec,
                               extra_file=s.camera if s.camera not in ("", DEMO) and
                               not s.camera.startswith("camera:") else "")
        self.panel.set_format(s.resolution[0], s.resolution[1], s.fps)
        self.panel.set_strength(s.strength)
        self.act_mirror.setChecked(s.mirror)
        self.act_steady.setChecked(bool(s.extra.get("steady", True)))
        self.act_side_by_side.setChecked(s.extra.get("compare_layout") == "side")
        self.act_compare.setChecked(s.compare)
        self.act_stats.setChecked(bool(s.extra.get("show_stats", True)))
        self.view.set_stats_visible(self.act_stats.isChecked())
        self.panel.set_preset(s.inference_preset if s.inference_preset in PRESETS else "Fast 360p")
        self.reload_styles()
        if not self.panel.gallery.select_id(s.style, notify=False):
            self.panel.gallery.select_id("", notify=False)

    def _start_engine(self) -> None:
        e, s = self.engine, self.settings
        e.start()
        e.set_mirror(s.mirror)
        e.set_steady(bool(s.extra.get("steady", True)))
        e.set_compare(s.compare)
        e.set_strength(s.strength)
        e.set_inference_height(PRESETS[self.panel.current_preset()])
        e.set_source(self._source_spec, s.resolution, s.fps)
        self._send_style(self.panel.gallery.current_id())
        if s.inference_preset not in PRESETS:
            self._measure_presets()

    def _measure_presets(self) -> None:
        """Pick the default quality from a measured warm-up of the chosen (or first) style."""
        styles = self.library.list()
        chosen = next((p for p in styles if p.id == self.panel.gallery.current_id()), None)
        pkg = chosen or next((p for p in styles if p.meta.kind == "gan"), styles[0] if styles else None)
        if pkg is not None:
            self.panel.preset_note.setText("Measuring speed to choose the quality…")
            self.engine.measure_presets(str(pkg.onnx_path))

    # ------------------------------------------------------------------ frames
    def _on_frame_ready(self) -> None:
        result = self.engine.take_latest()
        if result is None:
            return
        self.last_result = result
        self.frames_shown += 1
        compare = self.act_compare.isChecked()
        result.stats.display_ms = self.view.last_paint_ms
        pixels = result.display if result.display is not None else result.pixels
        original = result.display_original if result.display is not None else result.original
        self.view.set_frame(pixels, original if compare else None, result.stats, result.fps,
                            result.stats.dropped_frames + self.engine.slot.display_dropped,
                            self.panel.gallery.name_of(result.style_id))
        emit(self.result_shown)

    # ------------------------------------------------------------------ styles
    def reload_styles(self) -> None:
        packages = self.library.list()
        self.panel.gallery.set_styles(packages)
        problems = list(getattr(self.library, "problems", []))
        if problems:
            names = "; ".join(p.message for p in problems)
            self.notify(Level.WARNING, f"Skipped {len(problems)} style(s) that could not be "
                                      f"read: {names}", "style-problems", once=True)

    def _send_style(self, style_id: str) -> None:
        if not style_id:
            self.engine.set_style("", "")
            return
        try:
            pkg = self.library.get(style_id)
        except VstError as exc:
            self.notify(Level.ERROR, exc.user_text(), "style")
            self.panel.gallery.select_id("", notify=False)
            self.engine.set_style("", "")
            return
        self.notifier.status(f"Loading {pkg.meta.name}…", timeout_ms=0)
        self.engine.set_style(style_id, str(pkg.onnx_path))

    def _on_style_selected(self, style_id: str) -> None:
        self.settings.style = style_id
        self._send_style(style_id)

    def _on_style_ready(self, style_id: str, provider: str, fallback_reason: str) -> None:
        self._active_style = style_id
        self._style_provider = provider
        name = self.panel.gallery.name_of(style_id)
        self.setWindowTitle(f"{name} — vst-desktop" if style_id else "vst-desktop")
        self.notifier.status(f"{name} on {short_provider(provider)}" if style_id else "Original", 4000)
        if fallback_reason:
            self.notify(Level.INFO, f"Running on the CPU. {fallback_reason}", "gpu-fallback", once=True)

    def _on_style_failed(self, style_id: str, message: str) -> None:
        name = self.panel.gallery.name_of(style_id)
        self.notify(Level.ERROR, f"The style “{name}” could not be loaded and was skipped. {message}", "style")
        if style_id == self._active_style:  # it failed while running: the worker is back on Original
            self._active_style = ""
            self.setWindowTitle("vst-desktop")
        self.panel.gallery.select_id(self._active_style, notify=False)
        self.notifier.clear()

    # ------------------------------------------------------------------ training (its own process)
    def _grab_input_frame(self):
        """The newest camera frame as captured (not stylized): content photos for training."""
        latest = self.engine.slot.peek()
        return None if latest is None else latest.input_pixels.copy()

    def adopt_training_dialog(self, dialog) -> None:
        """Follow `dialog`'s style_installed (once, however often the dialog is opened)."""
        if dialog is not None and dialog is not self._training_dialog:
            self._training_dialog = dialog
            dialog.style_installed.connect(self._on_style_trained)

    def open_training(self) -> None:
        from vst_desktop.ui.training_dialog import open_training_dialog

        self.adopt_training_dialog(open_training_dialog(self, self._grab_input_frame))

    def reattach_training(self) -> None:
        """At start-up: a style still training from an earlier session gets its dialog back."""
        from vst_desktop.ui.training_dialog import reattach_if_running

        self.adopt_training_dialog(reattach_if_running(self, self._grab_input_frame))

    def _on_style_trained(self, style_id: str) -> None:
        self.reload_styles()
        self.panel.gallery.select_id(style_id)
        self.notifier.status(f"Your new style {self.panel.gallery.name_of(style_id)} is ready", 8000)

    def _on_unexpected_error(self, text: str) -> None:
        """A bug (the worker's, or an exception nobody caught: crash.py): said once, the video goes on."""
        log_file = paths.log_dir() / "vst-desktop.log"
        self.notify(Level.ERROR, f"Something went wrong that we did not expect ({text}). The video keeps running; "
                    f"details are in {log_file}.", "bug", once=True)

    report_bug = _on_unexpected_error

    def _selected_user_style(self):
        style_id = self.panel.gallery.current_id()
        if not style_id:
            return None
        try:
            return self.library.get(style_id)
        except VstError:
            return None

    def import_style(self, path: str | Path) -> bool:
        try:
            try:
                pkg = self.library.import_file(Path(path))
            except StyleExistsError as exc:  # never replace the person's style without asking
                question = (f"A style with the id '{exc.style_id}' is already installed: “{exc.installed_name}”. "
                            f"Replace it with “{exc.new_name}” from {Path(path).name}?\n\nThe installed one is "
                            "kept in the styles folder until the app next starts.")
                if QMessageBox.question(self, "Replace style", question) != QMessageBox.StandardButton.Yes:
                    self.notifier.status(f"Kept the installed style {exc.installed_name}", 6000)
                    return False
                pkg = self.library.import_file(Path(path), replace=True)
        except VstError as exc:  # the library's import errors name the file
            self.notify(Level.ERROR, exc.user_text(), "import")
            return False
        self.reload_styles()
        self.panel.gallery.select_id(pkg.id)
        self.notifier.status(f"Installed the style {pkg.meta.name}", 6000)
        return True

    def import_style_dialog(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "Import styles", str(Path.home()),
                                                f"Style packages (*{STYLE_SUFFIX})")
        for f in files:
            self.import_style(f)

    def export_style_dialog(self) -> None:
        pkg = self._selected_user_style()
        if pkg is None:
            self.notifier.status("Pick a style in the gallery to export it.", 5000)
            return
        dest, _ = QFileDialog.getSaveFileName(self, "Export style", str(Path.home() / f"{pkg.id}{STYLE_SUFFIX}"),
                                              f"Style packages (*{STYLE_SUFFIX})")
        if dest:
            try:
                out = self.library.export(pkg.id, Path(dest))
            except VstError as exc:
                self.notify(Level.ERROR, exc.user_text(), "export")
                return
            self.notifier.status(f"Exported {pkg.meta.name} to {out}", 6000)

    def remove_selected_style(self) -> None:
        pkg = self._selected_user_style()
        if pkg is None or pkg.builtin:
            self.notifier.status("Only styles you installed or trained can be removed.", 5000)
            return
        answer = QMessageBox.question(self, "Remove style", f"Remove the style “{pkg.meta.name}”?")
        if answer == QMessageBox.StandardButton.Yes:
            self.remove_style(pkg.id)

    def remove_style(self, style_id: str) -> bool:
        try:
            self.library.remove(style_id)
        except VstError as exc:
            self.notify(Level.ERROR, exc.user_text(), "remove")
            return False
        if self.panel.gallery.current_id() == style_id:
            self.panel.gallery.select_id("")
        self.reload_styles()
        return True

    # ------------------------------------------------------------------ drag and drop of .vststyle files
    @staticmethod
    def _style_files(event) -> list[str]:
        md = event.mimeData()
        if not md.hasUrls():
            return []
        return [u.toLocalFile() for u in md.urls() if u.toLocalFile().lower().endswith(STYLE_SUFFIX)]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt override
        if self._style_files(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self._style_files(event):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        files = self._style_files(event)
        for f in files:
            self.import_style(f)
        if files:
            event.acceptProposedAction()

    # ------------------------------------------------------------------ controls
    def _on_strength(self, value: float) -> None:
        self.settings.strength = value
        self.engine.set_strength(value)

    def _on_steady_toggled(self, on: bool) -> None:
        self.settings.extra["steady"] = bool(on)
        self.engine.set_steady(on)

    def _on_mirror_toggled(self, on: bool) -> None:
        self.settings.mirror = on
        self.engine.set_mirror(on)

    def _compare_mode(self) -> CompareMode:
        if not self.act_compare.isChecked():
            return CompareMode.OFF
        return CompareMode.SIDE_BY_SIDE if self.act_side_by_side.isChecked() else CompareMode.SPLIT

    def _on_compare_toggled(self, on: bool) -> None:
        self.settings.compare = on
        self.engine.set_compare(on)
        self.view.set_compare_mode(self._compare_mode())

    def _on_side_by_side_toggled(self, on: bool) -> None:
        self.settings.extra["compare_layout"] = "side" if on else "split"
        if on and not self.act_compare.isChecked():
            self.act_compare.setChecked(True)
        self.view.set_compare_mode(self._compare_mode())

    def _on_preset_chosen(self, name: str) -> None:
        self.settings.inference_preset = name
        self.panel.preset_note.setText("")
        self.engine.set_inference_height(PRESETS[name])

    def _on_presets_measured(self, name: str, measured: dict) -> None:
        if self.settings.inference_preset in PRESETS:
            return  # the person chose one meanwhile: theirs wins
        self.panel.set_preset(name)
        self.engine.set_inference_height(PRESETS[name])
        if not measured:
            self.panel.preset_note.setText("The speed test did not run; the fastest setting is used.")
            return
        detail = ", ".join(f"{n.split()[-1]} {ms:.0f} ms" for n, ms in measured.items())
        self.panel.preset_note.setText(f"Chosen by a speed test on this computer ({detail}; "
                                       f"smooth 30 fps needs ≤ 24 ms).")

    def _on_format_chosen(self, width: int, height: int, fps: int) -> None:
        self.settings.resolution, self.settings.fps = (width, height), fps
        if self._source_spec.startswith("camera:") or not self._source_spec:
            self.choose_source(self._source_spec)

    def _on_source_chosen(self, spec: str) -> None:
        if spec == OPEN_FILE:
            self.open_video_file()
        else:
            self.choose_source(spec)

    def choose_source(self, spec: str) -> None:
        """Switch to a camera, the demo clip or a file; the picture keeps its last frame while it opens."""
        self._source_spec = spec
        self.settings.camera = spec
        self.panel.select_source(spec)
        self.notifier.clear("source")
        self.notifier.clear("camera-lost")
        self.view.set_placeholder(f"Opening {describe_spec(spec)}…")
        self.engine.set_source(spec, self.settings.resolution, self.settings.fps)

    def open_video_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a video or image", str(Path.home()), VIDEO_FILTER)
        if path:
            self.choose_source(path)
        else:
            self.panel.revert_source()

    def _on_source_opened(self, info) -> None:
        self._source_info = info
        self.source_label.setText(f"{info.name}  ·  {info.width}×{info.height}  ·  {info.fps:.0f} fps")
        # Resolution and frame rate are requests to a camera; files and the demo clip have their own.
        self.panel.format.setEnabled(info.kind == "camera")
        if info.kind == "camera":
            self.notifier.clear("no-camera")

    def _on_source_failed(self, spec: str, message: str) -> None:
        if spec == DEMO:
            self.notify(Level.ERROR, f"Nothing can be shown: {message}", "source")
            return
        self.notify(Level.WARNING, f"{describe_spec(spec).capitalize()} could not be opened. "
                                  f"{message} The demo clip plays instead.", "source")
        self._source_spec = DEMO
        self.panel.select_source(DEMO)
        self.engine.set_source(DEMO, self.settings.resolution, self.settings.fps)

    def _on_source_problem(self, message: str) -> None:
        self.notify(Level.WARNING, f"{message} Trying to reconnect…", "camera-lost")

    def _on_source_recovered(self) -> None:
        self.notifier.clear("camera-lost")
        self.notifier.status("The camera is back.", 5000)

    @property
    def source_info(self):
        """The SourceInfo of the source now playing (None until the first one opened)."""
        return self._source_info

    # ------------------------------------------------------------------ recording and snapshots
    def recordings_dir(self) -> Path:
        return Path(self.settings.recordings_dir) if self.settings.recordings_dir else paths.default_recordings_dir()

    def is_recording(self) -> bool:
        return self.act_record.isChecked()

    def start_recording(self) -> None:
        self.act_record.setChecked(True)

    def stop_recording(self) -> None:
        self.act_record.setChecked(False)

    def _on_record_toggled(self, on: bool) -> None:
        if on:
            fps = round(self._source_info.fps) if self._source_info and self._source_info.fps else self.settings.fps
            self.act_record.setText("Starting…")
            self.engine.start_recording(str(self.recordings_dir()), int(fps))
        else:
            self.act_record.setText("Finishing…")
            self.engine.stop_recording()

    def _on_recording_started(self, path: str) -> None:
        self._recording_path = path
        self.act_record.setIcon(icons.stop_icon())
        self._on_recording_progress(0.0, 0)

    def _on_recording_progress(self, elapsed: float, size: int) -> None:
        text = f"{format_elapsed(elapsed)}  ·  {format_bytes(size)}"
        self.act_record.setText(text)
        self.view.set_recording_text(text)

    def _reset_record_button(self) -> None:
        self.act_record.blockSignals(True)
        self.act_record.setChecked(False)
        self.act_record.blockSignals(False)
        self.act_record.setText("Record")
        self.act_record.setIcon(icons.record_icon())
        self.view.set_recording_text("")

    def _on_recording_stopped(self, result) -> None:
        self.last_recording = result
        self._reset_record_button()
        if result.error is not None:
            self.notify(Level.ERROR, result.error.user_text(), "recording")
        else:
            self.notifier.status(f"Saved {result.path.name}: {format_elapsed(result.duration_s)}, "
                                         f"{format_bytes(result.bytes)}", 8000)

    def _on_recording_failed(self, message: str) -> None:
        self._reset_record_button()
        self.notify(Level.ERROR, f"Recording could not start. {message}", "recording")

    def snapshot(self) -> None:
        self.engine.snapshot(str(self.recordings_dir()))

    def open_recordings_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.recordings_dir())))

    def choose_recordings_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Recordings folder", str(self.recordings_dir()))
        if folder:
            self.settings.recordings_dir = folder
            self.notifier.status(f"Recordings go to {folder}", 5000)

    # ------------------------------------------------------------------ full screen and help
    def toggle_full_screen(self) -> None:
        if self.isFullScreen():
            self.leave_full_screen()
            return
        for w in (self.panel, self.toolbar, self.statusBar(), self.menuBar()):
            w.hide()
        self.showFullScreen()

    def leave_full_screen(self) -> None:
        if not self.isFullScreen():
            return
        self.showNormal()
        for w in (self.panel, self.toolbar, self.statusBar(), self.menuBar()):
            w.show()

    def _show_shortcuts(self) -> None:
        rows = [(a.text(), a.shortcut().toString()) for a in (
            self.act_record, self.act_snapshot, self.act_compare, self.act_mirror, self.act_prev, self.act_next,
            self.act_fullscreen, self.act_leave_fullscreen, self.act_stats)]
        html = "".join(f"<tr><td><b>{k}</b></td><td>&nbsp;&nbsp;{t}</td></tr>" for t, k in rows)
        QMessageBox.information(self, "Keyboard shortcuts", f"<table>{html}</table>")

    def _about(self) -> None:
        from vst_desktop.ui.about_dialog import show_about

        show_about(self)

    # ------------------------------------------------------------------ closing
    def save_settings(self) -> None:
        self.settings.window_geometry = bytes(self.saveGeometry().toBase64()).decode("ascii")
        self.settings.extra["show_stats"] = self.act_stats.isChecked()
        if not self._persist:
            return
        try:
            save_settings(self.settings, self._settings_path)
        except OSError as exc:
            log.warning("settings not saved: %s", exc)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.save_settings()
        self.live_thumbs.close()
        self.engine.close()  # finalises a running recording before the window goes
        super().closeEvent(event)


def _list_cameras() -> list:
    from vst_desktop.capture.camera import list_cameras

    try:
        return list(list_cameras())
    except (VstError, OSError) as exc:
        log.warning("listing cameras failed: %s", exc)
        return []

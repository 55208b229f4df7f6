"""The main window: video view, side panel, toolbar, menus and shortcuts, wired to the pipeline Engine.

The window owns the GUI-side state (Settings) and turns the person's choices into engine commands; the
engine's signals come back as view updates and messages (common/notify.py). Three parts hold the rest:
source_controls.py (which source plays), recording_controls.py (Record and Snapshot) and style_actions.py
(choosing, installing and training styles). Nothing here touches pixels except handing the newest result
to the VideoView.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
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

from vst_desktop.capture.sources import DEMO
from vst_desktop.core import paths
from vst_desktop.core.settings import Settings, save_settings
from vst_desktop.pipeline.live_result import LiveResult
from vst_desktop.pipeline.sizing import PRESETS
from vst_desktop.pipeline.speed_test import FRAME_BUDGET_MS
from vst_desktop.ui.common import icons
from vst_desktop.ui.common.about_dialog import app_icon
from vst_desktop.ui.common.notify import BannerArea, Level, Notifier
from vst_desktop.ui.common.qt_workarounds import emit
from vst_desktop.ui.live.engine import Engine
from vst_desktop.ui.live.live_thumbnails import LiveThumbnails
from vst_desktop.ui.live.recommendations import Recommendations
from vst_desktop.ui.live.recording_controls import RecordingControls
from vst_desktop.ui.live.side_panel import SidePanel
from vst_desktop.ui.live.source_controls import SourceControls, available_cameras
from vst_desktop.ui.live.style_actions import StyleActions, style_files
from vst_desktop.ui.live.video_view import CompareMode, VideoView
from vst_desktop.ui.live.virtual_camera_controls import VirtualCameraControls
from vst_desktop.ui.live.worker import SourceOpener

log = logging.getLogger(__name__)


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
        self._cameras = cameras if cameras is not None else available_cameras()
        self.last_result: LiveResult | None = None
        self.frames_shown = 0
        self.sources = SourceControls(self, source_spec)
        self.recording = RecordingControls(self)
        self.styles = StyleActions(self)

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

        self.panel.gallery.style_selected.connect(self.styles.on_selected)
        self.panel.strength_changed.connect(self._on_strength)
        self.sources.connect_panel(self.panel)
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
        self.act_record = self._action("Record", "Space", self.recording.toggle, checkable=True,
                                       icon=icons.record_icon(), tip="Start or stop recording")
        self.act_snapshot = self._action("Snapshot", "S", self.recording.snapshot, icon=icons.snapshot_icon(),
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
        self.act_open_file = self._action("Open video file…", QKeySequence.StandardKey.Open, self.sources.open_video_file,
                                          icon=st.standardIcon(QStyle.StandardPixmap.SP_DialogOpenButton))
        self.act_demo = self._action("Play demo clip", None, lambda: self.sources.choose(DEMO))
        self.act_open_recordings = self._action("Open recordings folder", None, self.recording.open_folder,
                                                icon=st.standardIcon(QStyle.StandardPixmap.SP_DirOpenIcon))
        self.act_choose_recordings = self._action("Choose recordings folder…", None,
                                                  self.recording.choose_folder)
        self.act_quit = self._action("Quit", QKeySequence.StandardKey.Quit, self.close)
        self.act_import = self._action("Import style…", "Ctrl+I", self.styles.import_dialog)
        self.act_export = self._action("Export selected style…", "Ctrl+E", self.styles.export_dialog)
        self.act_remove = self._action("Remove selected style", None, self.styles.remove_selected)
        self.act_reload = self._action("Reload styles", None, self.reload_styles)
        self.act_train = self._action("Train new style…", "Ctrl+T", self.styles.open_training)
        self.act_about = self._action("About vst-desktop", None, self._about)
        self.act_keys = self._action("Keyboard shortcuts", None, self._show_shortcuts)

        self.vcam = VirtualCameraControls(self)  # the "Virtual camera" toggle
        self.live_thumbs = LiveThumbnails(self)  # the gallery's tiles on the current frame; View menu toggle
        self.recommend = Recommendations(self)  # More like this, For you, a dropped picture (under the gallery)
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
        self.sources.connect_worker(w)
        self.styles.connect_worker(w)
        self.recording.connect_worker(w)
        w.presets_measured.connect(self._on_presets_measured)
        w.unexpected_error.connect(self.report_bug)

    def _apply_settings(self) -> None:
        s = self.settings
        if s.window_geometry:
            self.restoreGeometry(QByteArray.fromBase64(s.window_geometry.encode("ascii")))
        self.panel.set_sources(self._cameras, self.sources.spec,
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
        e.set_output_height(PRESETS[self.panel.current_preset()])
        e.set_source(self.sources.spec, s.resolution, s.fps)
        self.styles.send(self.panel.gallery.current_id())
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
                            result.stats.dropped_frames + self.engine.slot.dropped,
                            self.panel.gallery.name_of(result.style_id))
        emit(self.result_shown)

    # ------------------------------------------------------------------ the parts' public faces
    @property
    def source_info(self):
        """The SourceInfo of the source now playing (None until the first one opened)."""
        return self.sources.info

    def choose_source(self, spec: str) -> None:
        self.sources.choose(spec)

    def open_video_file(self) -> None:
        self.sources.open_video_file()

    def reload_styles(self) -> None:
        self.styles.reload()

    def import_style(self, path: str | Path) -> bool:
        return self.styles.import_style(path)

    def remove_style(self, style_id: str) -> bool:
        return self.styles.remove(style_id)

    def adopt_training_dialog(self, dialog) -> None:
        self.styles.adopt_training_dialog(dialog)

    def open_training(self) -> None:
        self.styles.open_training()

    def reattach_training(self) -> None:
        """At start-up: a style still training from an earlier session gets its dialog back."""
        self.styles.reattach_training()

    @property
    def last_recording(self):
        """The RecordingResult of the most recent recording (None before the first)."""
        return self.recording.last_result

    def recordings_dir(self) -> Path:
        return self.recording.recordings_dir()

    def is_recording(self) -> bool:
        return self.act_record.isChecked()

    def start_recording(self) -> None:
        self.act_record.setChecked(True)

    def stop_recording(self) -> None:
        self.act_record.setChecked(False)

    def snapshot(self) -> None:
        self.recording.snapshot()

    def report_bug(self, text: str) -> None:
        """A bug (the worker's, or an exception nobody caught: crash.py): said once, the video goes on."""
        log_file = paths.log_dir() / "vst-desktop.log"
        self.notify(Level.ERROR, f"Something went wrong that we did not expect ({text}). The video keeps running; "
                    f"details are in {log_file}.", "bug", once=True)

    # ------------------------------------------------------------------ drag and drop of .vststyle files
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt override
        if style_files(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:  # noqa: N802 - Qt override
        if style_files(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        files = style_files(event.mimeData())
        for f in files:
            self.styles.import_style(f)
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
        self.engine.set_output_height(PRESETS[name])

    def _on_presets_measured(self, name: str, measured: dict) -> None:
        if self.settings.inference_preset in PRESETS:
            return  # the person chose one meanwhile: theirs wins
        self.panel.set_preset(name)
        self.engine.set_output_height(PRESETS[name])
        if not measured:
            self.panel.preset_note.setText("The speed test did not run; the fastest setting is used.")
            return
        detail = ", ".join(f"{n.split()[-1]} {ms:.0f} ms" for n, ms in measured.items())
        self.panel.preset_note.setText(f"Chosen by a speed test on this computer ({detail} per frame; "
                                       f"smooth 30 fps needs ≤ {FRAME_BUDGET_MS:.0f} ms).")

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
        from vst_desktop.ui.common.about_dialog import show_about

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


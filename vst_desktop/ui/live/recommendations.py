"""Styles you may like, under the gallery: "More like this" (the current style's nearest styles), "For you"
(unused styles near the ones used most) and "From a picture" (an image dropped on the window or opened
ranks the styles; its top three are offered, and "Train a style from this picture").

The embeddings are measured by `recommend.embedding` on a lowest-priority thread whenever the style list
changes (cached per ONNX file, so only new styles cost anything): never on the frame path. The usage log
(`recommend.usage`) stays on this machine; "Learn from what I use" turns it off, "Clear usage history"
empties it. A picture's top three are painted on the newest live frame, at the live view's scale, on the
same low-priority thread that ranks them.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from vst_desktop.core import paths
from vst_desktop.core.errors import VstError
from vst_desktop.core.images import IMAGE_SUFFIXES
from vst_desktop.pipeline.sizing import PRESETS
from vst_desktop.pipeline.thumbnails import (
    ThumbnailRenderer,
    inference_side,
    live_network_height,
    lower_thread_priority,
    square_crop,
)
from vst_desktop.recommend import ranking
from vst_desktop.recommend.embedding import BACKGROUND_YIELD, EmbeddingCache, embeddings_for
from vst_desktop.recommend.usage import SETTING, UsageLog
from vst_desktop.ui.common.notify import Level
from vst_desktop.ui.common.qt_workarounds import emit
from vst_desktop.ui.live.live_thumbnails import bgr_pixmap

log = logging.getLogger(__name__)

TOP = 3
_ICON = 40


def usage_setting_on(extra: dict) -> bool:
    value = extra.get(SETTING, True)
    return value if isinstance(value, bool) else True


def image_files(mime_data) -> list[str]:
    """The pictures among dragged URLs (a .vststyle is the window's own business)."""
    if not mime_data.hasUrls():
        return []
    return [u.toLocalFile() for u in mime_data.urls() if Path(u.toLocalFile()).suffix.lower() in IMAGE_SUFFIXES]


class StyleRow(QWidget):
    """A heading and up to TOP style buttons; `chosen(id)` when one is clicked. Hidden when empty."""

    chosen = Signal(str)

    def __init__(self, title: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.title = QLabel(title, self)
        self.title.setStyleSheet("color: #9aa0a8; font-size: 11px;")
        self._buttons = QHBoxLayout()
        self._buttons.setSpacing(4)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(self.title)
        lay.addLayout(self._buttons)
        self.ids: list[str] = []
        self.setVisible(False)

    def set_styles(self, items: list[tuple[str, str, object]]) -> None:
        """`items`: (style id, name, QIcon), best first."""
        while self._buttons.count():
            w = self._buttons.takeAt(0).widget()
            if w is not None:
                w.deleteLater()
        self.ids = [sid for sid, _, _ in items[:TOP]]
        for sid, name, icon in items[:TOP]:
            b = QToolButton(self)
            b.setIcon(icon)
            b.setIconSize(QSize(_ICON, _ICON))
            b.setText(name)
            b.setToolTip(name)
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
            b.setAutoRaise(True)
            b.clicked.connect(lambda _=False, s=sid: emit(self.chosen, s))
            self._buttons.addWidget(b)
        self._buttons.addStretch(1)
        self.setVisible(bool(self.ids))


class Recommendations(QObject):
    """Owned by the MainWindow; builds its widget under the gallery and follows the gallery's choices."""

    ready = Signal()  # new embeddings arrived (tests wait for it)
    picture_ranked = Signal(list)  # style ids, nearest to the picture first
    _done = Signal(int, str, object)  # generation, job kind, result: from the worker threads

    def __init__(self, window) -> None:
        super().__init__(window)
        self._window = window
        self.gallery = window.panel.gallery
        self.cache = EmbeddingCache()
        self.usage = UsageLog(enabled=usage_setting_on(window.settings.extra))
        self.embeddings: dict = {}
        self.picture: Path | None = None
        self.picture_tiles: dict = {}  # style id -> BGR tile: the picture's top styles on the live frame
        self._generation = 0
        self._on_since: tuple[str, float] | None = None
        self._closed = False
        self._stop = threading.Event()  # set at close: the threads end between two styles
        self._threads: list[threading.Thread] = []
        self.dialog_options: dict = {}  # extra TrainingDialog options (tests turn its speed test off)
        self._done.connect(self._on_done)  # queued from the worker threads to the GUI thread
        self._build_widget()
        if self.usage.backup is not None:
            window.notify(Level.INFO, "Your style usage history could not be read and was started anew; the "
                          f"old file is kept as {self.usage.backup}.", "usage-log", once=True)
        self.gallery.styles_changed.connect(self.refresh_embeddings)
        self.gallery.style_selected.connect(self._on_selected)
        window.act_record.toggled.connect(self._on_record)
        window.installEventFilter(self)

    def _build_widget(self) -> None:
        w = self.widget = QWidget(self._window.panel)
        lay = QVBoxLayout(w)
        lay.setContentsMargins(0, 4, 0, 0)
        lay.setSpacing(4)
        self.more_like_this = StyleRow("More like this", w)
        self.for_you_row = StyleRow("For you", w)
        self.picture_row = StyleRow("Closest to your picture", w)
        for row in (self.more_like_this, self.for_you_row, self.picture_row):
            row.chosen.connect(lambda sid: self.gallery.select_id(sid))
            lay.addWidget(row)
        buttons = QHBoxLayout()
        self.match_button = QPushButton("Match a picture…", w)
        self.match_button.setToolTip("Rank the styles by how close they come to a picture's look "
                                     "(or drop a picture on the window); the top three are shown on your live picture")
        self.match_button.clicked.connect(self.open_picture_dialog)
        self.train_button = QPushButton("Train a style from this picture", w)
        self.train_button.clicked.connect(self.train_from_picture)
        self.train_button.setVisible(False)
        self.options = QToolButton(w)
        self.options.setText("⋯")
        self.options.setToolTip("What the recommendations learn from")
        self.options.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.options)
        self.act_learn = QAction("Learn from what I use", menu)
        self.act_learn.setCheckable(True)
        self.act_learn.setChecked(self.usage.enabled)
        self.act_learn.setToolTip("Keep a private log on this computer of the styles you select, keep on and "
                                  "record with, for \"For you\"")
        self.act_learn.toggled.connect(self.set_learning)
        self.act_clear = QAction("Clear usage history", menu)
        self.act_clear.triggered.connect(self.clear_history)
        menu.addAction(self.act_learn)
        menu.addAction(self.act_clear)
        self.options.setMenu(menu)
        buttons.addWidget(self.match_button, 1)
        buttons.addWidget(self.options)
        lay.addLayout(buttons)
        lay.addWidget(self.train_button)
        self._window.panel.add_below_gallery(w)

    # ---- background work ----
    def _in_thread(self, kind: str, job) -> None:
        gen = self._generation

        def run() -> None:
            lower_thread_priority()  # the live view has the cores; this can wait
            try:
                result = job()
            except VstError as exc:
                result = exc
            except Exception as exc:  # noqa: BLE001 - reported as a banner, never a crash of the window
                log.warning("recommendations: %s failed", kind, exc_info=True)
                result = exc
            if not self._closed:
                try:
                    emit(self._done, gen, kind, result)
                except RuntimeError:  # the window went while this ran
                    log.debug("recommendation finished after its window closed")

        thread = threading.Thread(target=run, name=f"recommend-{kind}", daemon=True)
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()

    def refresh_embeddings(self) -> None:
        self._generation += 1
        packages, cache = self._window.library.list(), self.cache
        self._in_thread("embeddings", lambda: embeddings_for(packages, cache, self._stop, BACKGROUND_YIELD))

    def _on_done(self, generation: int, kind: str, result) -> None:
        if self._closed or (kind == "embeddings" and generation != self._generation):
            return  # the style list changed meanwhile: a newer result is on its way
        if isinstance(result, Exception):
            text = result.user_text() if isinstance(result, VstError) else f"{type(result).__name__}: {result}"
            what = "The picture could not be matched." if kind == "picture" else "Style suggestions are unavailable."
            self._window.notify(Level.ERROR, f"{what} {text}", "recommend")
            return
        if kind == "embeddings":
            self.embeddings = result
            self.update_rows()
            emit(self.ready)
        else:
            ranked, tiles = result
            ids = [r.style_id for r in ranked]
            items = [(sid, name, QIcon(bgr_pixmap(tiles[sid])) if sid in tiles else icon)
                     for sid, name, icon in self._items(ids)]
            self.picture_row.set_styles(items)
            self.picture_tiles = tiles
            self.train_button.setVisible(True)
            emit(self.picture_ranked, ids)

    # ---- the rows ----
    def _items(self, ids: list[str]) -> list[tuple[str, str, object]]:
        known = set(self.gallery.style_ids())
        return [(sid, self.gallery.name_of(sid), self.gallery.icon_of(sid)) for sid in ids if sid in known]

    def similar_ids(self, style_id: str) -> list[str]:
        if style_id not in self.embeddings:
            return []
        return [r.style_id for r in ranking.similar(style_id, self.embeddings)]

    def for_you_ids(self) -> list[str]:
        if not self.usage.enabled:
            return []
        return [r.style_id for r in ranking.for_you(self.usage.weights(), self.embeddings, limit=TOP)]

    def update_rows(self) -> None:
        self.more_like_this.set_styles(self._items(self.similar_ids(self.gallery.current_id())))
        self.for_you_row.set_styles(self._items(self.for_you_ids()))

    # ---- what the person does ----
    def _close_stint(self) -> None:
        if self._on_since is not None:
            style_id, since = self._on_since
            self.usage.kept_on(style_id, time.monotonic() - since)
            self._on_since = None

    def _on_selected(self, style_id: str) -> None:
        self._close_stint()
        if style_id:
            self.usage.selected(style_id)
            self._on_since = (style_id, time.monotonic())
        self.update_rows()

    def _on_record(self, on: bool) -> None:
        if on and self.gallery.current_id():
            self.usage.recorded(self.gallery.current_id())

    def set_learning(self, on: bool) -> None:
        self._close_stint()
        self._window.settings.extra[SETTING] = bool(on)
        self.usage.enabled = bool(on)
        self.update_rows()

    def clear_history(self) -> None:
        self.usage.clear()
        self._on_since = None
        self.update_rows()
        self._window.notifier.status("Usage history cleared", 4000)

    # ---- a picture ----
    def open_picture_dialog(self) -> None:
        exts = " ".join(f"*{s}" for s in IMAGE_SUFFIXES)
        path, _ = QFileDialog.getOpenFileName(self._window, "Match a picture", "", f"Pictures ({exts})")
        if path:
            self.match_picture(path)

    def match_picture(self, path: str | Path) -> None:
        """Rank the installed styles by closeness to the picture (on a worker thread)."""
        self.picture = Path(path)
        packages, cache = self._window.library.list(), self.cache
        models = {p.id: p.onnx_path for p in packages}
        frame = self._live_square()

        def job():
            img = ranking.load_picture(path)  # a bad picture: a clear message, no ranking
            ranked = ranking.match(img, embeddings_for(packages, cache, self._stop, BACKGROUND_YIELD))[:TOP]
            tiles = {}
            if frame is not None:  # the top three on the person's own live frame, at the live scale
                renderer, (square, side, out_side) = ThumbnailRenderer(), frame
                tiles = {r.style_id: renderer.render(r.style_id, models[r.style_id], square, side, out_side)
                         for r in ranked}
            return ranked, tiles

        self._window.notifier.status(f"Matching the styles to {self.picture.name}…", 4000)
        self._in_thread("picture", job)

    def _live_square(self) -> tuple | None:
        """(centre square of the newest frame, the side the live view paints it at, tile side), or None."""
        latest = self._window.engine.slot.peek()
        if latest is None:
            return None
        pixels = latest.input_pixels
        height = live_network_height(latest.stats.inference_size,
                                     PRESETS.get(self._window.panel.current_preset(), PRESETS["Fast 360p"]))
        side = inference_side((pixels.shape[1], pixels.shape[0]), height)
        out_side = max(16, round(_ICON * self.widget.devicePixelRatioF()))
        return square_crop(pixels, self._window.act_mirror.isChecked()), side, out_side

    def train_from_picture(self) -> None:
        """The training dialog with the picture as a one-image style folder."""
        from vst_desktop.ui.training.dialog import open_training_dialog

        if self.picture is None:
            return
        stamp = time.strftime("%Y%m%d-%H%M%S")
        folder = paths.data_dir() / "recommend" / "from_picture" / f"{self.picture.stem}-{stamp}"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copy2(self.picture, folder / self.picture.name)
        except OSError as exc:
            self._window.notify(Level.ERROR, f"The picture could not be copied for training ({exc}).", "recommend")
            return
        dialog = open_training_dialog(self._window, self._window.styles.grab_input_frame, **self.dialog_options)
        self._window.adopt_training_dialog(dialog)
        if dialog.state.active:
            self._window.notify(Level.INFO, "A style is training now; train from the picture when it is done.",
                                "recommend")
            return
        dialog.set_style_folder(folder)

    # ---- drops on the window, and closing ----
    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt override
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove) and image_files(event.mimeData()):
            event.acceptProposedAction()
            return True
        if kind == QEvent.Type.Drop and image_files(event.mimeData()):
            self.match_picture(image_files(event.mimeData())[0])
            event.acceptProposedAction()
            return True
        if kind == QEvent.Type.Close:
            self.close()
        return super().eventFilter(obj, event)

    def close(self) -> None:
        """The window is closing: log the current stint, and wait for the threads (an onnxruntime session
        still running when the interpreter exits aborts the process); each ends after its current style."""
        if not self._closed:
            self._close_stint()
            self._closed = True
            self._stop.set()
            for t in self._threads:
                t.join(timeout=10)

"""Style actions: choosing a style, and installing, exporting, removing and training styles.

The gallery's choice goes to the worker as the style's model file; the worker's answer (ready on a
provider, or failed) comes back here as the window title, a status message or a banner. Import, export and
remove work on the StyleLibrary; a .vststyle file dropped on the window is imported; a style finished by
the training dialog is listed and selected.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QMessageBox

from vst_desktop.core.errors import VstError
from vst_desktop.styles.library import StyleExistsError
from vst_desktop.ui.common.notify import Level
from vst_desktop.ui.live.video_view import short_provider

STYLE_SUFFIX = ".vststyle"


def style_files(mime_data) -> list[str]:
    """The .vststyle files among dragged URLs."""
    if not mime_data.hasUrls():
        return []
    return [u.toLocalFile() for u in mime_data.urls() if u.toLocalFile().lower().endswith(STYLE_SUFFIX)]


class StyleActions(QObject):
    """Owned by the MainWindow; `active` is the style the worker runs now ("" = Original)."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self._window = window
        self.active = ""
        self.provider = ""
        self._training_dialog = None

    @property
    def _library(self):
        return self._window.library

    @property
    def _gallery(self):
        return self._window.panel.gallery

    def connect_worker(self, worker) -> None:
        worker.style_ready.connect(self._on_ready)
        worker.style_failed.connect(self._on_failed)

    # ---- choosing ----
    def reload(self) -> None:
        self._gallery.set_styles(self._library.list())
        problems = list(getattr(self._library, "problems", []))
        if problems:
            names = "; ".join(p.message for p in problems)
            self._window.notify(Level.WARNING, f"Skipped {len(problems)} style(s) that could not be read: {names}",
                                "style-problems", once=True)

    def send(self, style_id: str) -> None:
        """Ask the worker for `style_id` ("" = Original)."""
        w = self._window
        if not style_id:
            w.engine.set_style("", "")
            return
        try:
            pkg = self._library.get(style_id)
        except VstError as exc:
            w.notify(Level.ERROR, exc.user_text(), "style")
            self._gallery.select_id("", notify=False)
            w.engine.set_style("", "")
            return
        w.notifier.status(f"Loading {pkg.meta.name}…", timeout_ms=0)
        w.engine.set_style(style_id, str(pkg.onnx_path))

    def on_selected(self, style_id: str) -> None:
        self._window.settings.style = style_id
        self.send(style_id)

    def _on_ready(self, style_id: str, provider: str, fallback_reason: str) -> None:
        w = self._window
        self.active, self.provider = style_id, provider
        name = self._gallery.name_of(style_id)
        w.setWindowTitle(f"{name} — vst-desktop" if style_id else "vst-desktop")
        w.notifier.status(f"{name} on {short_provider(provider)}" if style_id else "Original", 4000)
        if fallback_reason:
            w.notify(Level.INFO, f"Running on the CPU. {fallback_reason}", "gpu-fallback", once=True)

    def _on_failed(self, style_id: str, message: str) -> None:
        w = self._window
        name = self._gallery.name_of(style_id)
        w.notify(Level.ERROR, f"The style “{name}” could not be loaded and was skipped. {message}", "style")
        if style_id == self.active:  # it failed while running: the worker is back on Original
            self.active = ""
            w.setWindowTitle("vst-desktop")
        self._gallery.select_id(self.active, notify=False)
        w.notifier.clear()

    # ---- the library ----
    def _selected_user_style(self):
        style_id = self._gallery.current_id()
        if not style_id:
            return None
        try:
            return self._library.get(style_id)
        except VstError:
            return None

    def import_style(self, path: str | Path) -> bool:
        w = self._window
        try:
            try:
                pkg = self._library.import_file(Path(path))
            except StyleExistsError as exc:  # never replace the person's style without asking
                question = (f"A style with the id '{exc.style_id}' is already installed: “{exc.installed_name}”. "
                            f"Replace it with “{exc.new_name}” from {Path(path).name}?\n\nThe installed one is "
                            "kept in the styles folder until the app next starts.")
                if QMessageBox.question(w, "Replace style", question) != QMessageBox.StandardButton.Yes:
                    w.notifier.status(f"Kept the installed style {exc.installed_name}", 6000)
                    return False
                pkg = self._library.import_file(Path(path), replace=True)
        except VstError as exc:  # the library's import errors name the file
            w.notify(Level.ERROR, exc.user_text(), "import")
            return False
        self.reload()
        self._gallery.select_id(pkg.id)
        w.notifier.status(f"Installed the style {pkg.meta.name}", 6000)
        return True

    def import_dialog(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self._window, "Import styles", str(Path.home()),
                                                f"Style packages (*{STYLE_SUFFIX})")
        for f in files:
            self.import_style(f)

    def export_dialog(self) -> None:
        w = self._window
        pkg = self._selected_user_style()
        if pkg is None:
            w.notifier.status("Pick a style in the gallery to export it.", 5000)
            return
        dest, _ = QFileDialog.getSaveFileName(w, "Export style", str(Path.home() / f"{pkg.id}{STYLE_SUFFIX}"),
                                              f"Style packages (*{STYLE_SUFFIX})")
        if dest:
            try:
                out = self._library.export(pkg.id, Path(dest))
            except VstError as exc:
                w.notify(Level.ERROR, exc.user_text(), "export")
                return
            w.notifier.status(f"Exported {pkg.meta.name} to {out}", 6000)

    def remove_selected(self) -> None:
        pkg = self._selected_user_style()
        if pkg is None or pkg.builtin:
            self._window.notifier.status("Only styles you installed or trained can be removed.", 5000)
            return
        answer = QMessageBox.question(self._window, "Remove style", f"Remove the style “{pkg.meta.name}”?")
        if answer == QMessageBox.StandardButton.Yes:
            self.remove(pkg.id)

    def remove(self, style_id: str) -> bool:
        try:
            self._library.remove(style_id)
        except VstError as exc:
            self._window.notify(Level.ERROR, exc.user_text(), "remove")
            return False
        if self._gallery.current_id() == style_id:
            self._gallery.select_id("")
        self.reload()
        return True

    # ---- training (its own process) ----
    def grab_input_frame(self):
        """The newest camera frame as captured (not stylized): content photos for training."""
        latest = self._window.engine.slot.peek()
        return None if latest is None else latest.input_pixels.copy()

    def adopt_training_dialog(self, dialog) -> None:
        """Follow `dialog`'s style_installed (once, however often the dialog is opened)."""
        if dialog is not None and dialog is not self._training_dialog:
            self._training_dialog = dialog
            dialog.style_installed.connect(self._on_trained)

    def open_training(self) -> None:
        from vst_desktop.ui.training.dialog import open_training_dialog

        self.adopt_training_dialog(open_training_dialog(self._window, self.grab_input_frame))

    def reattach_training(self) -> None:
        """At start-up: a style still training from an earlier session gets its dialog back."""
        from vst_desktop.ui.training.dialog import reattach_if_running

        self.adopt_training_dialog(reattach_if_running(self._window, self.grab_input_frame))

    def _on_trained(self, style_id: str) -> None:
        self.reload()
        self._gallery.select_id(style_id)
        self._window.notifier.status(f"Your new style {self._gallery.name_of(style_id)} is ready", 8000)

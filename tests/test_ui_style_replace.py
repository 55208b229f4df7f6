"""Dropping a style whose id is installed already: the window asks before replacing, keeps the
replaced one until the next start, and the next start cleans it up."""

from __future__ import annotations

from pathlib import Path

from _style_archives import make_archive
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QMessageBox

from vst_desktop.core.settings import Settings
from vst_desktop.styles.library import StyleLibrary
from vst_desktop.ui.live.main_window import MainWindow


def _drop(window: MainWindow, path: Path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    window.dropEvent(QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                                Qt.KeyboardModifier.NoModifier))


def _backups(library: StyleLibrary) -> list[Path]:
    return [p for p in library.user_dir.iterdir() if ".replaced-" in p.name]


def _answer(monkeypatch, button) -> list[str]:
    asked: list[str] = []

    def question(_parent, _title, text, *_args, **_kw):
        asked.append(text)
        return button

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


def test_dropping_an_installed_id_asks_and_keeps_the_replaced_style(qtbot, tmp_path, monkeypatch):
    library = StyleLibrary()
    library.import_file(make_archive(tmp_path / "first.vststyle", "mine", name="First"))
    second = make_archive(tmp_path / "second.vststyle", "mine", base="classic_film", name="Second")
    settings = Settings(camera="demo", recordings_dir=str(tmp_path / "recordings"), inference_preset="Fast 360p")
    window = MainWindow(settings, library, "demo", cameras=[], persist=False)
    qtbot.addWidget(window)
    try:
        asked = _answer(monkeypatch, QMessageBox.StandardButton.No)
        _drop(window, second)
        assert len(asked) == 1 and "First" in asked[0] and "Second" in asked[0]
        assert library.get("mine").meta.name == "First" and _backups(library) == []
        assert window.banners.text("import") == ""

        asked = _answer(monkeypatch, QMessageBox.StandardButton.Yes)
        _drop(window, second)
        assert len(asked) == 1
        assert library.get("mine").meta.name == "Second"
        assert window.panel.gallery.name_of("mine") == "Second"
        [backup] = _backups(library)
        assert (backup / "mine.json").read_text().count("First") == 1
        assert "mine" in [p.id for p in library.list()] and library.problems == []
    finally:
        window.close()

    # The next start of the app drops what the earlier session kept.
    from vst_desktop.app import build_main_window

    window = build_main_window("demo")
    qtbot.addWidget(window)
    try:
        assert _backups(library) == []
        assert library.get("mine").meta.name == "Second"
    finally:
        window.close()

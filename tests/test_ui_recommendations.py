"""The gallery's recommendations in the real window, on the built-in styles: "More like this", a picture
dropped on the window (and "Train a style from this picture"), "For you" after a scripted usage history,
and a corrupt usage log at start-up."""

from __future__ import annotations

from pathlib import Path

import pytest
from _helpers import window_settings
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QToolButton

from vst_desktop.evaluation.media import image_files
from vst_desktop.recommend.usage import UsageLog
from vst_desktop.ui.live.main_window import MainWindow

TIMEOUT_MS = 120_000  # a first start measures every style (about 0.5 s each) beside the live view


@pytest.fixture
def make_window(make_window, tmp_path):
    """The shared window (conftest.py) with live thumbnails off, once every style's embedding is measured."""

    def make() -> MainWindow:
        return make_window(settings=window_settings(tmp_path, extra={"live_thumbnails": False}),
                           ready=lambda w: bool(w.recommend.embeddings), timeout_ms=TIMEOUT_MS)

    return make


def _buttons(row) -> list[QToolButton]:
    return [b for b in row.findChildren(QToolButton) if not b.isHidden()]


def _drop(window: MainWindow, path: Path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    window.recommend.eventFilter(window, event)  # what Qt does first with a drop on the window


def test_more_like_this_shows_the_nearest_styles_and_selects_one(qtbot, make_window):
    window = make_window()
    assert not window.recommend.more_like_this.isVisible()  # Original: nothing to be like
    window.panel.gallery.select_id("bw_film")
    row = window.recommend.more_like_this
    assert row.isVisible() and row.ids[0] == "classic_film" and len(row.ids) == 3
    qtbot.mouseClick(_buttons(row)[0], Qt.MouseButton.LeftButton)
    assert window.panel.gallery.current_id() == "classic_film"
    assert "bw_film" in window.recommend.more_like_this.ids  # the row follows the new style


def test_a_dropped_painting_ranks_its_style_and_offers_training(qtbot, make_window, shared_data, tmp_path):
    window = make_window()
    rec = window.recommend
    painting = image_files(shared_data / "styles" / "munch_scream")[0]
    with qtbot.waitSignal(rec.picture_ranked, timeout=TIMEOUT_MS) as ranked:
        _drop(window, painting)
    assert ranked.args[0][0] == "the-scream"
    assert rec.picture_row.isVisible() and rec.picture_row.ids == ranked.args[0][:3]
    assert rec.train_button.isVisible()
    assert sorted(rec.picture_tiles) == sorted(rec.picture_row.ids)  # painted on the live frame
    assert all(t.ndim == 3 and t.shape[0] == t.shape[1] >= 16 for t in rec.picture_tiles.values())

    rec.dialog_options = {"measure_speed": False}
    qtbot.mouseClick(rec.train_button, Qt.MouseButton.LeftButton)
    from vst_desktop.ui.training.dialog import TrainingDialog

    dialog = window.findChild(TrainingDialog)
    try:
        folder = Path(dialog.setup_page.folder_edit.text())
        assert [p.name for p in folder.iterdir()] == [painting.name]  # a one-image style folder
    finally:
        dialog.close()
        dialog.shutdown()

    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG no picture here")
    _drop(window, bad)
    qtbot.waitUntil(lambda: "recommend" in window.banners.keys(), timeout=TIMEOUT_MS)
    assert "could not be read" in window.banners.text("recommend")


def test_for_you_follows_a_scripted_usage_history(qtbot, make_window):
    log = UsageLog()  # the user data folder of this test (VST_DESKTOP_HOME)
    for _ in range(4):
        log.selected("bw_film")
    log.kept_on("bw_film", 1800)
    log.recorded("bw_film")
    window = make_window()
    rec = window.recommend
    assert rec.for_you_row.isVisible() and rec.for_you_row.ids[0] == "classic_film"
    assert "bw_film" not in rec.for_you_row.ids

    window.panel.gallery.select_id("classic_film")  # now tried: it leaves "For you", and survives a restart
    assert "classic_film" not in rec.for_you_row.ids
    assert UsageLog().styles["classic_film"].selected == 1

    rec.act_learn.setChecked(False)  # the setting off: no suggestions, nothing more written
    assert not rec.for_you_row.isVisible() and window.settings.extra["usage_log"] is False
    window.panel.gallery.select_id("udnie")
    assert "udnie" not in UsageLog().styles
    rec.act_learn.setChecked(True)
    rec.act_clear.trigger()
    assert UsageLog().styles == {} and not rec.for_you_row.isVisible()


def test_a_corrupt_usage_log_is_backed_up_and_the_window_starts(qtbot, make_window):
    path = UsageLog().path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b'{"styles": {"monet": "many"}')
    window = make_window()
    assert window.recommend.usage.styles == {}
    backup = window.recommend.usage.backup
    assert backup is not None and backup.read_bytes() == b'{"styles": {"monet": "many"}'
    assert "usage-log" in window.banners.keys()

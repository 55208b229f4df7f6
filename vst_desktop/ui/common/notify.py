"""One way to tell the person something: `Notifier.notify(level, text, key)`.

Where a message appears follows from its level, so every window says things the same way:

* `Level.STATUS`: a passing confirmation ("Snapshot saved: …"), in the status bar for a few seconds;
* `Level.INFO`, `Level.WARNING`, `Level.ERROR`: a non-modal banner above the video, one per `key`, shown until
  dismissed or cleared; the video keeps playing underneath. With `once=True` a key is shown at most once
  per session (a dismissed banner stays dismissed).

A key that names a `Notice` placed in a dialog's layout (`Notifier(places={key: notice})`) shows its text
there instead: the training dialog's strips for setup errors, warnings, errors and the end of a run.
Every message also goes to the log file.
"""

from __future__ import annotations

import logging
from enum import StrEnum

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QStatusBar,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from vst_desktop.ui.common.qt_workarounds import emit

log = logging.getLogger(__name__)

_MAX_CHARS = 260
_STATUS_MS = 5000


class Level(StrEnum):
    STATUS = "status"
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


_ICONS = {
    Level.ERROR: QStyle.StandardPixmap.SP_MessageBoxCritical,
    Level.WARNING: QStyle.StandardPixmap.SP_MessageBoxWarning,
    Level.INFO: QStyle.StandardPixmap.SP_MessageBoxInformation,
}


class Banner(QFrame):
    closed = Signal(str)

    def __init__(self, key: str, text: str, level: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.setObjectName("banner")
        self.setProperty("level", str(level))
        lay = QHBoxLayout(self)
        lay.setContentsMargins(10, 6, 6, 6)
        lay.setSpacing(10)
        icon = QLabel(self)
        icon.setPixmap(self.style().standardIcon(_ICONS.get(level, _ICONS[Level.INFO])).pixmap(20, 20))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.label = QLabel(self)
        self._set_label(text)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton(self)
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip("Dismiss")
        close.clicked.connect(lambda: emit(self.closed, self.key))
        lay.addWidget(icon)
        lay.addWidget(self.label, 1)
        lay.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)

    def _set_label(self, text: str) -> None:
        # Engine messages can carry a long technical tail (e.g. onnxruntime's); keep the banner short
        # and the whole text in the tooltip and the log.
        short = text if len(text) <= _MAX_CHARS else text[:_MAX_CHARS].rsplit(" ", 1)[0] + " …"
        self.label.setText(short)
        self.label.setToolTip(text if short != text else "")
        self.full_text = text

    def set_text(self, text: str, level: str) -> None:
        self._set_label(text)
        self.setProperty("level", str(level))
        self.style().unpolish(self)  # re-read the style sheet for the new level
        self.style().polish(self)


class BannerArea(QWidget):
    """Holds the visible banners. `show_message(key, ...)` replaces the banner with the same key."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._lay = QVBoxLayout(self)
        self._lay.setContentsMargins(8, 8, 8, 0)
        self._lay.setSpacing(6)
        self._banners: dict[str, Banner] = {}
        self._once: set[str] = set()
        self.setVisible(False)

    def show_message(self, key: str, text: str, level: str = Level.WARNING, once: bool = False) -> bool:
        """Show (or update) the banner `key`. With `once`, a key is shown at most once per session."""
        if once:
            if key in self._once:
                return False
            self._once.add(key)
        banner = self._banners.get(key)
        if banner is None:
            banner = Banner(key, text, level, self)
            banner.closed.connect(self.clear)
            self._banners[key] = banner
            self._lay.addWidget(banner)
        else:
            banner.set_text(text, level)
        self.setVisible(True)
        return True

    def clear(self, key: str) -> None:
        banner = self._banners.pop(key, None)
        if banner is not None:
            banner.hide()
            banner.deleteLater()
        self.setVisible(bool(self._banners))

    def text(self, key: str) -> str:
        banner = self._banners.get(key)
        return banner.full_text if banner else ""

    def shown_text(self, key: str) -> str:
        """What the banner shows (a long text is cut; `text()` is the whole of it)."""
        banner = self._banners.get(key)
        return banner.label.text() if banner else ""

    def level(self, key: str) -> str:
        banner = self._banners.get(key)
        return str(banner.property("level")) if banner else ""

    def keys(self) -> list[str]:
        return list(self._banners)


class Notice(QFrame):
    """A coloured strip placed in a dialog's layout for one kind of message (hidden while empty)."""

    def __init__(self, level: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setProperty("level", str(level))
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


class Notifier:
    """Routes `notify(level, text, key)` to a placed Notice, the status bar or the banner area."""

    def __init__(self, banners: BannerArea | None = None, status_bar: QStatusBar | None = None,
                 places: dict[str, Notice] | None = None) -> None:
        self.banners = banners
        self.status_bar = status_bar
        self.places = dict(places or {})

    def notify(self, level: Level | str, text: str, key: str = "", *, once: bool = False,
               timeout_ms: int = _STATUS_MS) -> bool:
        """Tell the person `text`; False when a `once` key was shown before (nothing is shown)."""
        level = Level(level)
        # INFO whatever the level: the person already reads it; the log file keeps it beside the details.
        log.info("told the person (%s%s): %s", level, f", {key}" if key else "", text, extra={"file_only": True})
        place = self.places.get(key)
        if place is not None:
            place.show_text(text)
            return True
        if level is Level.STATUS:
            if self.status_bar is not None:
                self.status_bar.showMessage(text, timeout_ms)
            return True
        if self.banners is None:
            return False
        return self.banners.show_message(key or text, text, level, once=once)

    def status(self, text: str, timeout_ms: int = _STATUS_MS) -> None:
        """A status-bar message; `timeout_ms=0` keeps it until the next one."""
        self.notify(Level.STATUS, text, timeout_ms=timeout_ms)

    def clear(self, key: str = "") -> None:
        """Take back the message `key` (the status bar's with no key)."""
        place = self.places.get(key)
        if place is not None:
            place.hide()
        elif not key:
            if self.status_bar is not None:
                self.status_bar.clearMessage()
        elif self.banners is not None:
            self.banners.clear(key)

    def text(self, key: str) -> str:
        place = self.places.get(key)
        if place is not None:
            return place.text()
        return self.banners.text(key) if self.banners is not None else ""

"""Non-modal message banners above the video: one per problem, each shown once, dismissable.

This is the window's one channel for user-facing problems (DESIGN.md section 9): the person reads what
happened and what to do, and the video keeps playing underneath.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QStyle, QToolButton, QVBoxLayout, QWidget

from vst_desktop.ui.signals import emit

_MAX_CHARS = 260
_ICONS = {
    "error": QStyle.StandardPixmap.SP_MessageBoxCritical,
    "warning": QStyle.StandardPixmap.SP_MessageBoxWarning,
    "info": QStyle.StandardPixmap.SP_MessageBoxInformation,
}


class Banner(QFrame):
    closed = Signal(str)

    def __init__(self, key: str, text: str, level: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.setObjectName("banner")
        self.setProperty("level", level)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(10, 6, 6, 6)
        lay.setSpacing(10)
        icon = QLabel(self)
        icon.setPixmap(self.style().standardIcon(_ICONS.get(level, _ICONS["info"])).pixmap(20, 20))
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
        self.setProperty("level", level)
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

    def show_message(self, key: str, text: str, level: str = "warning", once: bool = False) -> bool:
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

    def keys(self) -> list[str]:
        return list(self._banners)

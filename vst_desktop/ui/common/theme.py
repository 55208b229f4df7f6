"""Dark theme: Fusion style, a dark palette and a short style sheet for the few custom pieces.

One place for colours so the video view, the banner and the panels agree.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

ACCENT = QColor(74, 144, 226)
RECORD_RED = QColor(226, 60, 60)
WINDOW_BG = QColor(30, 31, 34)
PANEL_BG = QColor(38, 40, 44)
BASE_BG = QColor(24, 25, 27)
TEXT = QColor(222, 224, 228)
MUTED_TEXT = QColor(150, 154, 160)

_STYLE_SHEET = """
QToolBar { border: none; spacing: 6px; padding: 4px 8px; background: #26282c; }
QToolBar QToolButton { padding: 4px 8px; border-radius: 4px; }
QToolBar QToolButton:checked { background: #34506f; }
QToolBar QToolButton:hover { background: #3a3d42; }
QToolButton#recordButton:checked { background: #7a2323; }
QFrame#sidePanel { background: #26282c; border-left: 1px solid #18191b; }
QLabel[role="heading"] { color: #9aa0a8; font-weight: 600; letter-spacing: 1px; padding-top: 6px; }
QListView { background: #1e1f22; border: 1px solid #18191b; border-radius: 6px; padding: 4px; }
QListView::item { border-radius: 6px; padding: 4px; color: #dee0e4; }
QListView::item:selected { background: #34506f; }
QListView::item:hover:!selected { background: #2f3236; }
QLineEdit, QComboBox { padding: 4px 6px; border-radius: 4px; border: 1px solid #18191b; background: #1e1f22; }
QFrame#banner { border-radius: 6px; padding: 2px; }
QFrame#banner[level="error"] { background: #5c2222; }
QFrame#banner[level="warning"] { background: #5a4a1c; }
QFrame#banner[level="info"] { background: #23415e; }
QStatusBar { color: #9aa0a8; }
"""


def apply_dark_theme(app: QApplication) -> None:
    app.setStyle("Fusion")
    pal = QPalette()
    pal.setColor(QPalette.ColorRole.Window, WINDOW_BG)
    pal.setColor(QPalette.ColorRole.WindowText, TEXT)
    pal.setColor(QPalette.ColorRole.Base, BASE_BG)
    pal.setColor(QPalette.ColorRole.AlternateBase, PANEL_BG)
    pal.setColor(QPalette.ColorRole.ToolTipBase, PANEL_BG)
    pal.setColor(QPalette.ColorRole.ToolTipText, TEXT)
    pal.setColor(QPalette.ColorRole.Text, TEXT)
    pal.setColor(QPalette.ColorRole.Button, PANEL_BG)
    pal.setColor(QPalette.ColorRole.ButtonText, TEXT)
    pal.setColor(QPalette.ColorRole.BrightText, QColor(255, 90, 90))
    pal.setColor(QPalette.ColorRole.Highlight, ACCENT)
    pal.setColor(QPalette.ColorRole.HighlightedText, QColor(255, 255, 255))
    pal.setColor(QPalette.ColorRole.PlaceholderText, MUTED_TEXT)
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, MUTED_TEXT)
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, MUTED_TEXT)
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, MUTED_TEXT)
    app.setPalette(pal)
    app.setStyleSheet(_STYLE_SHEET)

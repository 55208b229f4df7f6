"""Small icons drawn with QPainter, so the app ships no image files and they stay sharp at any DPI."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

from vst_desktop.ui.common.theme import RECORD_RED, TEXT

_SIZE = 64  # drawn large, scaled down by Qt: crisp on HiDPI screens


def _pen(color: QColor = TEXT, width: float = 5.0) -> QPen:
    pen = QPen(color, width)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen


def _draw(fn: Callable[[QPainter, float], None], fill: QColor | None = None) -> QIcon:
    """Paint `fn` on a transparent square. The icons have two looks, set here so each painter only draws:
    `fill` gives a solid shape with no outline; without it, a round-capped outline in the text colour."""
    pm = QPixmap(_SIZE, _SIZE)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen if fill is not None else _pen())
    p.setBrush(fill if fill is not None else Qt.BrushStyle.NoBrush)
    fn(p, float(_SIZE))
    p.end()
    return QIcon(pm)


def record_icon() -> QIcon:
    def paint(p: QPainter, s: float) -> None:
        p.drawEllipse(QRectF(s * 0.18, s * 0.18, s * 0.64, s * 0.64))
    return _draw(paint, fill=RECORD_RED)


def stop_icon() -> QIcon:
    def paint(p: QPainter, s: float) -> None:
        p.drawRoundedRect(QRectF(s * 0.22, s * 0.22, s * 0.56, s * 0.56), s * 0.08, s * 0.08)
    return _draw(paint, fill=RECORD_RED)


def snapshot_icon() -> QIcon:
    def paint(p: QPainter, s: float) -> None:
        p.drawRoundedRect(QRectF(s * 0.1, s * 0.3, s * 0.8, s * 0.52), s * 0.08, s * 0.08)
        p.drawRect(QRectF(s * 0.36, s * 0.18, s * 0.28, s * 0.12))
        p.drawEllipse(QPointF(s * 0.5, s * 0.56), s * 0.15, s * 0.15)
    return _draw(paint)


def compare_icon() -> QIcon:
    def paint(p: QPainter, s: float) -> None:
        p.drawRoundedRect(QRectF(s * 0.1, s * 0.2, s * 0.8, s * 0.6), s * 0.06, s * 0.06)
        p.setBrush(TEXT)
        p.drawRect(QRectF(s * 0.5, s * 0.2, s * 0.4, s * 0.6))
        p.drawLine(QPointF(s * 0.5, s * 0.08), QPointF(s * 0.5, s * 0.92))
    return _draw(paint)


def mirror_icon() -> QIcon:
    def paint(p: QPainter, s: float) -> None:
        left = QPainterPath()
        left.moveTo(s * 0.42, s * 0.22)
        left.lineTo(s * 0.42, s * 0.78)
        left.lineTo(s * 0.1, s * 0.78)
        left.closeSubpath()
        right = QPainterPath()
        right.moveTo(s * 0.58, s * 0.22)
        right.lineTo(s * 0.58, s * 0.78)
        right.lineTo(s * 0.9, s * 0.78)
        right.closeSubpath()
        p.setBrush(TEXT)
        p.drawPath(left)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawPath(right)
    return _draw(paint)


def fullscreen_icon() -> QIcon:
    def paint(p: QPainter, s: float) -> None:
        a, b, c = s * 0.14, s * 0.34, s * 0.86
        for x, y, dx, dy in ((a, a, 1, 1), (c, a, -1, 1), (a, c, 1, -1), (c, c, -1, -1)):
            p.drawLine(QPointF(x, y), QPointF(x + dx * (b - a), y))
            p.drawLine(QPointF(x, y), QPointF(x, y + dy * (b - a)))
    return _draw(paint)


def original_thumbnail(size: int = 256) -> QPixmap:
    """The gallery tile for "Original": a neutral gradient with a plain frame symbol."""
    pm = QPixmap(size, size)
    pm.fill(QColor(52, 55, 60))
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(_pen(QColor(170, 175, 182), size * 0.035))
    m = size * 0.22
    p.drawRoundedRect(QRectF(m, m * 1.3, size - 2 * m, size - 2.6 * m), size * 0.04, size * 0.04)
    p.drawEllipse(QPointF(size * 0.5, size * 0.5), size * 0.12, size * 0.12)
    p.end()
    return pm

"""The video view: paints the newest frame aspect-correct, with an optional compare split and a stats line.

Frames arrive as numpy BGR arrays and are wrapped (not copied) in a QImage with Format_BGR888. The image
is drawn into a rectangle in logical pixels; Qt maps it to device pixels, so on a HiDPI screen the frame
is sampled at full device resolution rather than scaled up from a logical-size pixmap.
"""

from __future__ import annotations

import enum
import time

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QImage,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
    QRegion,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from vst_desktop.core.stats import Stats
from vst_desktop.ui.common.qt_workarounds import emit
from vst_desktop.ui.common.theme import RECORD_RED

_PROVIDER_NAMES = {
    "CPUExecutionProvider": "CPU",
    "CUDAExecutionProvider": "CUDA",
    "TensorrtExecutionProvider": "TensorRT",
    "DmlExecutionProvider": "DirectML",
    "CoreMLExecutionProvider": "CoreML",
}
_GRAB_PX = 12
_GAP = 6.0
_BACKGROUND = QColor(12, 12, 14)
_STATS_EVERY_S = 0.25  # between the two pictures side by side  # how close to the divider a press grabs it; elsewhere a press jumps it there


class CompareMode(enum.Enum):
    OFF = "off"
    SPLIT = "split"
    SIDE_BY_SIDE = "side"


def short_provider(name: str) -> str:
    return _PROVIDER_NAMES.get(name, name.replace("ExecutionProvider", "")) if name else "original"


def to_qimage(pixels: np.ndarray) -> QImage:
    """Wrap a contiguous HxWx3 BGR or HxWx4 BGRA uint8 array (no copy); keep the array alive meanwhile.

    BGRA is Format_RGB32 on little-endian machines, the raster backing store's format: drawn 1:1 it is
    a plain copy, where BGR888 would be converted pixel by pixel in the GUI thread.
    """
    h, w = pixels.shape[:2]
    fmt = QImage.Format.Format_RGB32 if pixels.shape[2] == 4 else QImage.Format.Format_BGR888
    return QImage(pixels.data, w, h, int(pixels.strides[0]), fmt)


def fit_rect(image_w: int, image_h: int, area: QRectF) -> QRectF:
    """The largest rectangle with the image's aspect ratio centred in `area` (letter- or pillar-boxed)."""
    if image_w <= 0 or image_h <= 0 or area.width() <= 0 or area.height() <= 0:
        return QRectF()
    scale = min(area.width() / image_w, area.height() / image_h)
    w, h = image_w * scale, image_h * scale
    return QRectF(area.x() + (area.width() - w) / 2, area.y() + (area.height() - h) / 2, w, h)


class VideoView(QWidget):
    """Shows one frame (and its original for comparison); repaints only when given a new one."""

    double_clicked = Signal()
    display_area_changed = Signal(int, int)  # device pixels available to the (stylized) picture

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 180)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)  # we fill every pixel ourselves
        self.setMouseTracking(True)
        self._pixels: np.ndarray | None = None
        self._original: np.ndarray | None = None
        self._stats: Stats | None = None
        self._fps = 0.0
        self._dropped = 0
        self._style_name = ""
        self._compare = CompareMode.OFF
        self._divider = 0.5  # fraction of the image width
        self._dragging = False
        self._show_stats = True
        self._recording_text = ""
        self._placeholder = "Starting video…"
        self.last_paint_ms = 0.0
        self.painted_frames = 0
        self._announced_area = (0, 0)
        self._stats_pill: QPixmap | None = None
        self._stats_at = 0.0

    # ---- state set by the window ----
    def set_frame(self, pixels: np.ndarray, original: np.ndarray | None = None, stats: Stats | None = None,
                  fps: float = 0.0, dropped: int = 0, style_name: str = "") -> None:
        self._pixels = np.ascontiguousarray(pixels)
        self._original = None if original is None else np.ascontiguousarray(original)
        self._stats, self._fps, self._dropped, self._style_name = stats, fps, dropped, style_name
        self.update()

    def set_placeholder(self, text: str) -> None:
        self._placeholder = text
        if self._pixels is None:
            self.update()

    def set_compare_mode(self, mode: CompareMode) -> None:
        self._compare = mode
        self._announce_area()
        self.update()

    def _announce_area(self) -> None:
        dpr = self.devicePixelRatioF()
        w = (self.width() - _GAP) / 2 if self._compare is CompareMode.SIDE_BY_SIDE else self.width()
        area = (int(w * dpr), int(self.height() * dpr))
        if area != self._announced_area:
            self._announced_area = area
            emit(self.display_area_changed, *area)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        self._announce_area()
        super().resizeEvent(event)

    def compare_mode(self) -> CompareMode:
        return self._compare

    def set_divider(self, fraction: float) -> None:
        self._divider = min(1.0, max(0.0, float(fraction)))
        self.update()

    def divider(self) -> float:
        return self._divider

    def set_stats_visible(self, visible: bool) -> None:
        self._show_stats = visible
        self.update()

    def set_recording_text(self, text: str) -> None:
        """'' hides the recording badge; otherwise e.g. '00:12 · 4.1 MB'."""
        self._recording_text = text
        self.update()

    def current_pixels(self) -> np.ndarray | None:
        return self._pixels

    # ---- geometry ----
    def _image_rects(self) -> tuple[QRectF, QRectF | None]:
        """Where the stylized image goes and, in side-by-side mode, where the original goes."""
        area = QRectF(self.rect())
        assert self._pixels is not None
        h, w = self._pixels.shape[:2]
        if self._compare is CompareMode.SIDE_BY_SIDE and self._original is not None:
            gap = _GAP
            half = (area.width() - gap) / 2
            left = fit_rect(w, h, QRectF(area.x(), area.y(), half, area.height()))
            right = fit_rect(w, h, QRectF(area.x() + half + gap, area.y(), half, area.height()))
            return right, left
        return fit_rect(w, h, area), None

    def _divider_x(self, target: QRectF) -> float:
        return target.x() + target.width() * self._divider

    # ---- painting ----
    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt override
        t0 = time.perf_counter()
        p = QPainter(self)
        if self._pixels is None:
            p.fillRect(self.rect(), _BACKGROUND)
            p.setPen(QColor(150, 154, 160))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self._placeholder)
            p.end()
            return
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        target, original_target = self._image_rects()
        self._fill_around(p, [r for r in (target, original_target) if r is not None])
        self._blit(p, target, self._pixels)
        if self._original is not None and self._compare is CompareMode.SIDE_BY_SIDE and original_target:
            self._blit(p, original_target, self._original)
            self._draw_tag(p, original_target, "Original", left=True)
            self._draw_tag(p, target, self._style_name or "Original", left=True)
        elif self._original is not None and self._compare is CompareMode.SPLIT:
            self._draw_split(p, target)
        if self._show_stats:
            self._draw_stats(p)
        if self._recording_text:
            self._draw_recording(p)
        p.end()
        self.painted_frames += 1
        self.last_paint_ms = (time.perf_counter() - t0) * 1000.0

    def _fill_around(self, p: QPainter, pictures: list[QRectF]) -> None:
        """Paint only the bars around the pictures: the pictures cover the rest every frame anyway."""
        region = QRegion(self.rect())
        for r in pictures:
            region -= QRegion(r.toAlignedRect().adjusted(1, 1, -1, -1))
        p.save()
        p.setClipRegion(region)
        p.fillRect(self.rect(), _BACKGROUND)
        p.restore()

    def _blit(self, p: QPainter, target: QRectF, pixels: np.ndarray) -> None:
        """1:1 copy when the worker already scaled the picture to the target's device pixels (cheap);
        otherwise (e.g. for a frame or two after a resize) a smooth scaled draw."""
        image = to_qimage(pixels)
        dpr = self.devicePixelRatioF()
        if abs(image.width() - target.width() * dpr) <= 1.5 and abs(image.height() - target.height() * dpr) <= 1.5:
            image.setDevicePixelRatio(dpr)
            p.drawImage(QPointF(round(target.x() * dpr) / dpr, round(target.y() * dpr) / dpr), image)
        else:
            p.drawImage(target, image)

    def _draw_split(self, p: QPainter, target: QRectF) -> None:
        x = self._divider_x(target)
        p.save()
        p.setClipRect(QRectF(target.x(), target.y(), x - target.x(), target.height()))
        self._blit(p, target, self._original)
        p.restore()
        p.setPen(QPen(QColor(255, 255, 255, 220), 2))
        p.drawLine(QPointF(x, target.top()), QPointF(x, target.bottom()))
        # A round handle with two arrows says "drag me" without any text.
        c = QPointF(x, target.center().y())
        p.setBrush(QColor(255, 255, 255, 230))
        p.setPen(Qt.PenStyle.NoPen)
        p.drawEllipse(c, 14, 14)
        p.setBrush(QColor(40, 40, 44))
        for sign in (-1, 1):
            tri = QPainterPath()
            tri.moveTo(c.x() + sign * 10, c.y())
            tri.lineTo(c.x() + sign * 3, c.y() - 6)
            tri.lineTo(c.x() + sign * 3, c.y() + 6)
            tri.closeSubpath()
            p.drawPath(tri)
        self._draw_tag(p, target, "Original", left=True)
        self._draw_tag(p, target, self._style_name or "Original", left=False)

    def _small_font(self) -> QFont:
        f = QFont(self.font())
        f.setPointSizeF(max(8.0, f.pointSizeF() * 0.9))
        return f

    def _pill(self, p: QPainter, text: str, anchor: QPointF, right_align: bool = False,
              dot: QColor | None = None) -> None:
        p.setFont(self._small_font())
        fm = p.fontMetrics()
        pad, dot_w = 8, (14 if dot else 0)
        w = fm.horizontalAdvance(text) + 2 * pad + dot_w
        h = fm.height() + 8
        x = anchor.x() - w if right_align else anchor.x()
        box = QRectF(x, anchor.y(), w, h)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(0, 0, 0, 150))
        p.drawRoundedRect(box, h / 2, h / 2)
        if dot:
            p.setBrush(dot)
            p.drawEllipse(QPointF(box.x() + pad + 4, box.center().y()), 5, 5)
        p.setPen(QColor(235, 236, 238))
        p.drawText(box.adjusted(pad + dot_w, 0, -pad, 0), Qt.AlignmentFlag.AlignVCenter, text)

    def _draw_tag(self, p: QPainter, target: QRectF, text: str, left: bool) -> None:
        if left:
            self._pill(p, text, QPointF(target.x() + 10, target.y() + 10))
        else:
            self._pill(p, text, QPointF(target.right() - 10, target.y() + 10), right_align=True)

    def _stats_text(self) -> str:
        s = self._stats
        parts = [f"{self._fps:.0f} fps"]
        if s is not None:
            latency = s.capture_age_ms + s.total_ms + self.last_paint_ms
            parts.append(f"{latency:.0f} ms")
            parts.append(short_provider(s.provider))
            if s.output_size != (0, 0):
                parts.append(f"{s.output_size[0]}×{s.output_size[1]}")
            if s.inference_size not in ((0, 0), s.output_size):
                parts.append(f"network {s.inference_size[0]}×{s.inference_size[1]}")
        parts.append(f"dropped {self._dropped}")
        return "  ·  ".join(parts)

    def _draw_stats(self, p: QPainter) -> None:
        """The numbers change every frame; refreshing them 4 times a second keeps them readable and lets
        each frame reuse the rendered pill (text layout is the dearest part of painting the overlay)."""
        now = time.monotonic()
        if self._stats_pill is None or now - self._stats_at >= _STATS_EVERY_S:
            self._stats_at = now
            self._stats_pill = self._render_pill(self._stats_text())
        # Inside the picture's bottom-left corner, so it stays attached to the video when letterboxed.
        target, original_target = self._image_rects()
        left = original_target or target
        pill = self._stats_pill
        h = pill.height() / pill.devicePixelRatio()
        p.drawPixmap(QPointF(left.x() + 10, left.bottom() - h - 10), pill)

    def _render_pill(self, text: str) -> QPixmap:
        fm = QFontMetrics(self._small_font())
        dpr = self.devicePixelRatioF()
        w, h = fm.horizontalAdvance(text) + 16, fm.height() + 8
        pm = QPixmap(int(w * dpr) + 1, int(h * dpr) + 1)
        pm.setDevicePixelRatio(dpr)
        pm.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pm)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._pill(painter, text, QPointF(0, 0))
        painter.end()
        return pm

    def _draw_recording(self, p: QPainter) -> None:
        # Top-right corner of the (stylized) picture; in the split view the style's tag is there already.
        target = self._image_rects()[0]
        y = target.y() + (44 if self._compare is CompareMode.SPLIT and self._original is not None else 10)
        self._pill(p, f"REC  {self._recording_text}", QPointF(target.right() - 10, y), right_align=True,
                   dot=RECORD_RED)

    # ---- divider dragging ----
    def _split_target(self) -> QRectF | None:
        if self._pixels is None or self._original is None or self._compare is not CompareMode.SPLIT:
            return None
        return self._image_rects()[0]

    def _move_divider_to(self, x: float, target: QRectF) -> None:
        if target.width() > 0:
            self.set_divider((x - target.x()) / target.width())

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        target = self._split_target()
        if target is not None and event.button() == Qt.MouseButton.LeftButton:
            self._dragging = True
            self._move_divider_to(event.position().x(), target)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        target = self._split_target()
        if target is not None and self._dragging:
            self._move_divider_to(event.position().x(), target)
        near = target is not None and abs(event.position().x() - self._divider_x(target)) <= _GRAB_PX
        self.setCursor(Qt.CursorShape.SplitHCursor if (near or self._dragging) else Qt.CursorShape.ArrowCursor)
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        self._dragging = False
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        emit(self.double_clicked)
        super().mouseDoubleClickEvent(event)

"""The training run's loss curves: one per loss term, on a log scale, painted with QPainter."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

LOSS_COLOURS = ["#4a90e2", "#e2a04a", "#6cc070", "#d0605e", "#a77bd8", "#5ec8c8", "#c8c85e", "#b0b0b0"]
LOSS_LABELS = {"d": "discriminator", "adv": "adversarial", "nce": "content (NCE)", "lowfreq": "content (tone)",
               "identity": "identity", "tv": "smoothness", "temporal": "stability", "g_total": "generator total",
               "paired_l1": "paired L1"}


class LossPlot(QWidget):
    """Live loss curves, one per loss term, on a log scale; painted with QPainter.

    Not pyqtgraph: with PySide6 6.12 on CPython 3.11 every Python-side signal emit drops a reference to
    True (see ui/common/qt_workarounds.py), and pyqtgraph emits on every redraw: measured here, True's refcount fell from
    2509 to 1866 in 50 redraws and the process aborted ("none_dealloc") before 100. A training run redraws
    thousands of times, so the curves are drawn here instead (no signals involved).
    """

    MARGIN_L, MARGIN_R, MARGIN_T, MARGIN_B = 52, 12, 10, 26

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(260, 160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._data: dict[str, tuple[list[int], list[float]]] = {}
        self._dirty = False
        self._timer = QTimer(self)
        self._timer.setInterval(250)  # at most 4 repaints a second, however fast the events come
        self._timer.timeout.connect(self._redraw)
        self._timer.start()

    def clear(self) -> None:
        self._data.clear()
        self.update()

    def add(self, step: int, losses: dict) -> None:
        for key, value in losses.items():
            if not isinstance(value, (int, float)) or value <= 0:
                continue  # log scale; None (not finite) and exact zeros are not drawn
            xs, ys = self._data.setdefault(key, ([], []))
            while xs and xs[-1] >= step:  # a resumed run repeats steps after its checkpoint: keep x increasing
                xs.pop()
                ys.pop()
            xs.append(step)
            ys.append(float(value))
        self._dirty = True

    def series(self) -> dict[str, tuple[list[int], list[float]]]:
        return self._data

    def _redraw(self) -> None:
        if self._dirty:
            self._dirty = False
            self.update()

    def _ranges(self) -> tuple[float, float, float, float]:
        xs = [x for sx, _ in self._data.values() for x in sx]
        ys = [math.log10(y) for _, sy in self._data.values() for y in sy]
        x0, x1 = (min(xs), max(xs)) if xs else (0, 1)
        y0, y1 = (math.floor(min(ys)), math.ceil(max(ys))) if ys else (-2, 1)
        return x0, max(x1, x0 + 1), y0, max(y1, y0 + 1)

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt override
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("#1e1f22"))
        w, h = self.width(), self.height()
        columns = max(1, min(4, (w - self.MARGIN_L) // 140))
        legend_rows = math.ceil(len(self._data) / columns) if self._data else 0
        left, top = self.MARGIN_L, self.MARGIN_T
        pw = max(10, w - left - self.MARGIN_R)
        ph = max(10, h - top - self.MARGIN_B - 16 * legend_rows)
        x0, x1, y0, y1 = self._ranges()

        def px(x: float) -> float:
            return left + (x - x0) / (x1 - x0) * pw

        def py(logy: float) -> float:
            return top + (y1 - logy) / (y1 - y0) * ph

        grid, text = QColor(255, 255, 255, 28), QColor("#9aa0a8")
        font = p.font()
        font.setPointSizeF(max(7.0, font.pointSizeF() - 1.5))
        p.setFont(font)
        for e in range(int(y0), int(y1) + 1):  # one line per power of ten
            y = py(e)
            p.setPen(QPen(grid, 1))
            p.drawLine(QPointF(left, y), QPointF(left + pw, y))
            p.setPen(text)
            p.drawText(QRectF(0, y - 8, left - 6, 16), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                       _power_label(e))
        for i in range(5):
            x = x0 + (x1 - x0) * i / 4
            p.setPen(text)
            p.drawText(QRectF(px(x) - 40, top + ph + 4, 80, 16), Qt.AlignmentFlag.AlignHCenter, f"{x:.0f}")
        p.setPen(QPen(QColor(255, 255, 255, 70), 1))
        p.drawRect(QRectF(left, top, pw, ph))
        if not self._data:
            p.setPen(text)
            p.drawText(QRectF(left, top, pw, ph), Qt.AlignmentFlag.AlignCenter, "Losses appear after the first steps.")
            p.end()
            return
        col_w = pw / columns
        for i, (key, (xs, ys)) in enumerate(self._data.items()):
            colour = QColor(LOSS_COLOURS[i % len(LOSS_COLOURS)])
            p.setPen(QPen(colour, 2.0 if key == "g_total" else 1.4))
            if len(xs) == 1:
                p.drawEllipse(QPointF(px(xs[0]), py(math.log10(ys[0]))), 2.0, 2.0)
            else:
                p.drawPolyline(QPolygonF([QPointF(px(x), py(math.log10(y))) for x, y in zip(xs, ys, strict=True)]))
            # legend under the plot, with each term's latest value
            lx = left + (i % columns) * col_w
            ly = top + ph + self.MARGIN_B - 4 + 16 * (i // columns)
            p.drawLine(QPointF(lx, ly + 7), QPointF(lx + 14, ly + 7))
            p.setPen(QColor("#dee0e4"))
            p.drawText(QRectF(lx + 18, ly, col_w - 20, 16), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                       f"{LOSS_LABELS.get(key, key)} {ys[-1]:.3g}")
        p.end()


def _power_label(e: int) -> str:
    return f"{10.0 ** e:g}" if -3 <= e <= 3 else f"1e{e}"

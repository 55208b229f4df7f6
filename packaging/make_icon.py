"""Draw the vst-desktop icon: a camera lens with a painted brush stroke sweeping across it.

    .venv/bin/python packaging/make_icon.py            # writes resources/icons/vst-desktop-{256,128,64,32}.png,
                                                       # vst-desktop.png (512) and vst-desktop.ico

Everything is vector drawing with QPainter at each size (no scaling of a bitmap), so the small sizes stay
crisp. Runs offscreen; needs only PySide6.
"""

from __future__ import annotations

import ctypes
import math
import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, Qt  # noqa: E402
from PySide6.QtGui import (  # noqa: E402
    QBrush,
    QColor,
    QConicalGradient,
    QGuiApplication,
    QImage,
    QLinearGradient,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
    QRadialGradient,
)

SIZES = (512, 256, 128, 64, 32)
ICO_SIZES = (256, 128, 64, 32)
OUT = Path(__file__).resolve().parents[1] / "resources" / "icons"


def _background(p: QPainter, s: float) -> None:
    rect = QRectF(0.03 * s, 0.03 * s, 0.94 * s, 0.94 * s)
    g = QLinearGradient(rect.topLeft(), rect.bottomRight())
    g.setColorAt(0.0, QColor("#26305e"))
    g.setColorAt(1.0, QColor("#120f2a"))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QBrush(g))
    p.drawRoundedRect(rect, 0.22 * s, 0.22 * s)
    # a faint top sheen
    sheen = QLinearGradient(QPointF(0, rect.top()), QPointF(0, rect.top() + 0.5 * s))
    sheen.setColorAt(0.0, QColor(255, 255, 255, 38))
    sheen.setColorAt(1.0, QColor(255, 255, 255, 0))
    p.setBrush(QBrush(sheen))
    p.drawRoundedRect(rect, 0.22 * s, 0.22 * s)


def _lens(p: QPainter, s: float) -> None:
    c = QPointF(0.46 * s, 0.44 * s)
    r_outer, r_ring, r_glass = 0.33 * s, 0.29 * s, 0.235 * s
    # barrel: a metallic conical gradient
    cone = QConicalGradient(c, 135)
    for t, col in ((0.0, "#d9dde8"), (0.25, "#5b6173"), (0.5, "#c4c9d6"), (0.75, "#3b3f4d"), (1.0, "#d9dde8")):
        cone.setColorAt(t, QColor(col))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QBrush(cone))
    p.drawEllipse(c, r_outer, r_outer)
    p.setBrush(QColor("#14151d"))
    p.drawEllipse(c, r_ring, r_ring)
    # glass
    glass = QRadialGradient(c + QPointF(-0.05 * s, -0.06 * s), r_glass * 1.25)
    glass.setColorAt(0.0, QColor("#4fd1e8"))
    glass.setColorAt(0.45, QColor("#2a5fb8"))
    glass.setColorAt(0.85, QColor("#1a1c4a"))
    glass.setColorAt(1.0, QColor("#0b0b1c"))
    p.setBrush(QBrush(glass))
    p.drawEllipse(c, r_glass, r_glass)
    # aperture blades: six wedges that leave a hexagonal opening
    blades = 6
    r_open = 0.085 * s
    for i in range(blades):
        a0 = math.radians(i * 360 / blades + 15)
        a1 = math.radians((i + 1) * 360 / blades + 15)
        poly = QPolygonF([
            c + QPointF(r_open * math.cos(a0), r_open * math.sin(a0)),
            c + QPointF(r_glass * 0.97 * math.cos(a0 - 0.35), r_glass * 0.97 * math.sin(a0 - 0.35)),
            c + QPointF(r_glass * 0.97 * math.cos(a1 - 0.35), r_glass * 0.97 * math.sin(a1 - 0.35)),
            c + QPointF(r_open * math.cos(a1), r_open * math.sin(a1)),
        ])
        shade = 40 + 14 * (i % 3)
        p.setBrush(QColor(shade, shade + 6, shade + 30, 150))
        p.setPen(QPen(QColor(255, 255, 255, 28), max(0.6, 0.004 * s)))
        p.drawPolygon(poly)
    # reflections
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(255, 255, 255, 150))
    p.drawEllipse(c + QPointF(-0.085 * s, -0.095 * s), 0.038 * s, 0.026 * s)
    p.setBrush(QColor(255, 255, 255, 70))
    p.drawEllipse(c + QPointF(0.095 * s, 0.085 * s), 0.018 * s, 0.013 * s)
    arc = QPen(QColor(255, 255, 255, 90), max(1.0, 0.012 * s))
    arc.setCapStyle(Qt.PenCapStyle.RoundCap)
    p.setPen(arc)
    p.setBrush(Qt.BrushStyle.NoBrush)
    rr = r_glass * 0.8
    p.drawArc(QRectF(c.x() - rr, c.y() - rr, 2 * rr, 2 * rr), 100 * 16, 60 * 16)


def _stroke_outline(points: list[QPointF], widths: list[float]) -> QPainterPath:
    """A tapered ribbon through `points`, `widths[i]` wide at each point."""
    left, right = [], []
    for i, pt in enumerate(points):
        a = points[max(i - 1, 0)]
        b = points[min(i + 1, len(points) - 1)]
        dx, dy = b.x() - a.x(), b.y() - a.y()
        n = math.hypot(dx, dy) or 1.0
        nx, ny = -dy / n, dx / n
        w = widths[i] / 2
        left.append(QPointF(pt.x() + nx * w, pt.y() + ny * w))
        right.append(QPointF(pt.x() - nx * w, pt.y() - ny * w))
    path = QPainterPath(left[0])
    for q in left[1:]:
        path.lineTo(q)
    for q in reversed(right):
        path.lineTo(q)
    path.closeSubpath()
    return path


def _bezier(p0, p1, p2, p3, n):
    out = []
    for i in range(n + 1):
        t = i / n
        u = 1 - t
        x = u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0]
        y = u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1]
        out.append((x, y))
    return out


def _brush_stroke(p: QPainter, s: float) -> None:
    pts = _bezier((0.12, 0.86), (0.38, 0.60), (0.62, 0.98), (0.92, 0.58), 48)
    points = [QPointF(x * s, y * s) for x, y in pts]
    n = len(points) - 1
    # thick in the middle, a blunt start (the brush pressed down) and a dry, tapered end
    widths = [s * (0.05 + 0.11 * math.sin(math.pi * min(1.0, 0.15 + 0.95 * i / n)) ** 0.7) for i in range(n + 1)]
    path = _stroke_outline(points, widths)
    g = QLinearGradient(points[0], points[-1])
    g.setColorAt(0.0, QColor("#ff4f81"))
    g.setColorAt(0.45, QColor("#ff9f1c"))
    g.setColorAt(1.0, QColor("#ffe14d"))
    p.setPen(QPen(QColor(20, 10, 30, 120), max(1.0, 0.012 * s)))  # a dark rim separates it from the lens
    p.setBrush(QBrush(g))
    p.drawPath(path)
    if s < 48:
        return
    # bristle streaks along the stroke
    for k, (off, alpha) in enumerate(((-0.28, 90), (-0.08, 70), (0.14, 80), (0.32, 60))):
        streak = QPainterPath()
        start = 4 + 3 * k
        for i in range(start, n - 2 - 2 * k):
            a, b = points[max(i - 1, 0)], points[min(i + 1, n)]
            dx, dy = b.x() - a.x(), b.y() - a.y()
            m = math.hypot(dx, dy) or 1.0
            q = QPointF(points[i].x() - dy / m * widths[i] * off, points[i].y() + dx / m * widths[i] * off)
            if i == start:
                streak.moveTo(q)
            else:
                streak.lineTo(q)
        pen = QPen(QColor(255, 255, 255, alpha) if k % 2 else QColor(160, 30, 60, alpha), max(0.8, 0.008 * s))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawPath(streak)
    # a few paint drops
    p.setPen(Qt.PenStyle.NoPen)
    for x, y, r, col in ((0.80, 0.80, 0.022, "#ffb238"), (0.87, 0.72, 0.013, "#ffd84a"),
                         (0.18, 0.70, 0.014, "#ff5c8a")):
        p.setBrush(QColor(col))
        p.drawEllipse(QPointF(x * s, y * s), r * s, r * s)


def render(size: int) -> QImage:
    img = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    img.fill(Qt.GlobalColor.transparent)
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    s = float(size)
    _background(p, s)
    _lens(p, s)
    _brush_stroke(p, s)
    p.end()
    return img


def png_bytes(img: QImage) -> bytes:
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    img.save(buf, "PNG")
    buf.close()
    return bytes(data.data())


def write_ico(path: Path, images: dict[int, bytes]) -> None:
    """A Windows .ico holding PNG-compressed entries (valid since Vista; PyInstaller accepts it)."""
    sizes = sorted(images, reverse=True)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = 6 + 16 * len(sizes)
    entries, blobs = b"", b""
    for sz in sizes:
        blob = images[sz]
        dim = 0 if sz >= 256 else sz
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(blob), offset + len(blobs))
        blobs += blob
    path.write_bytes(header + entries + blobs)


def _spare_none_references() -> None:
    """PySide6 6.12.0 on CPython 3.11 drops one reference to None on every call of a void method
    (measured: 1000 QPainterPath.lineTo calls, None's refcount 1000 lower), and CPython aborts when it
    reaches zero. Give None spare references; on CPython >= 3.12 None is immortal and this is skipped."""
    if sys.version_info < (3, 12):
        ctypes.c_ssize_t.from_address(id(None)).value += 1 << 24


def main() -> int:
    _spare_none_references()
    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # fonts/raster need a Gui app
    OUT.mkdir(parents=True, exist_ok=True)
    pngs = {}
    for size in SIZES:
        data = png_bytes(render(size))
        pngs[size] = data
        name = "vst-desktop.png" if size == 512 else f"vst-desktop-{size}.png"
        (OUT / name).write_bytes(data)
    write_ico(OUT / "vst-desktop.ico", {s: pngs[s] for s in ICO_SIZES})
    print(f"wrote {len(SIZES)} PNGs and vst-desktop.ico to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The soak run's plot, drawn with OpenCV (matplotlib is not a dependency of the app's environment).

Three panels over the run's minutes: RSS, frames per second, dropped frames. Recordings are shaded,
style switches are thin vertical lines, the end of the warm-up is a dashed line.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

WIDTH, PANEL_H, MARGIN_L, MARGIN_R, MARGIN_T, GAP = 1400, 260, 90, 30, 50, 60
BG, AXIS, GRID, TEXT = (255, 255, 255), (60, 60, 60), (225, 225, 225), (30, 30, 30)
RECORDING, SWITCH, WARMUP = (215, 215, 250), (200, 170, 120), (120, 120, 120)
COLOURS = [(180, 90, 30), (40, 140, 240), (60, 160, 60), (40, 40, 200)]  # BGR: blue, orange, green, red
FONT = cv2.FONT_HERSHEY_SIMPLEX


def _nice_step(span: float, ticks: int = 5) -> float:
    """A round tick step (1, 2 or 5 times a power of ten) giving about `ticks` ticks over `span`."""
    raw = max(span, 1e-9) / ticks
    power = 10 ** np.floor(np.log10(raw))
    return float(next(m * power for m in (1, 2, 5, 10) if m * power >= raw))


def _label(img: np.ndarray, text: str, org: tuple[int, int], scale: float = 0.45, colour=TEXT,
           align_right: bool = False) -> None:
    if align_right:
        (w, _), _ = cv2.getTextSize(text, FONT, scale, 1)
        org = (org[0] - w, org[1])
    cv2.putText(img, text, org, FONT, scale, colour, 1, cv2.LINE_AA)


class _Panel:
    """One plot area: maps (minutes, value) to pixels."""

    def __init__(self, img: np.ndarray, top: int, x_max: float, y_lo: float, y_hi: float) -> None:
        self.img, self.top, self.x_max = img, top, max(x_max, 1e-6)
        pad = (y_hi - y_lo) * 0.08 or max(abs(y_hi) * 0.1, 1.0)
        self.y_lo, self.y_hi = y_lo - pad, y_hi + pad
        self.left, self.right = MARGIN_L, WIDTH - MARGIN_R

    def px(self, x: float, y: float) -> tuple[int, int]:
        fx = x / self.x_max
        fy = (y - self.y_lo) / (self.y_hi - self.y_lo)
        return (round(self.left + fx * (self.right - self.left)), round(self.top + (1 - fy) * PANEL_H))

    def shade(self, x0: float, x1: float, colour) -> None:
        (a, _), (b, _) = self.px(x0, 0), self.px(x1, 0)
        cv2.rectangle(self.img, (a, self.top), (max(a + 1, b), self.top + PANEL_H), colour, -1)

    def vline(self, x: float, colour, dashed: bool = False) -> None:
        xp, _ = self.px(x, 0)
        step = 8 if dashed else PANEL_H
        for y in range(self.top, self.top + PANEL_H, step * (2 if dashed else 1)):
            cv2.line(self.img, (xp, y), (xp, min(y + step, self.top + PANEL_H)), colour, 1)

    def axes(self, title: str, unit: str) -> None:
        y_step = _nice_step(self.y_hi - self.y_lo)
        y = np.ceil(self.y_lo / y_step) * y_step
        while y <= self.y_hi:
            _, yp = self.px(0, y)
            cv2.line(self.img, (self.left, yp), (self.right, yp), GRID, 1)
            _label(self.img, f"{y:g}", (self.left - 8, yp + 5), align_right=True)
            y += y_step
        x_step = _nice_step(self.x_max, 10)
        x = 0.0
        while x <= self.x_max + 1e-9:
            xp, _ = self.px(x, 0)
            cv2.line(self.img, (xp, self.top + PANEL_H), (xp, self.top + PANEL_H + 5), AXIS, 1)
            _label(self.img, f"{x:g}", (xp - 8, self.top + PANEL_H + 20))
            x += x_step
        cv2.rectangle(self.img, (self.left, self.top), (self.right, self.top + PANEL_H), AXIS, 1)
        _label(self.img, f"{title} ({unit})", (self.left, self.top - 10), 0.55)

    def line(self, xs: Sequence[float], ys: Sequence[float], colour) -> None:
        pts = np.array([self.px(x, y) for x, y in zip(xs, ys, strict=True)], np.int32)
        if len(pts) > 1:
            cv2.polylines(self.img, [pts], False, colour, 2, cv2.LINE_AA)
        elif len(pts) == 1:
            cv2.circle(self.img, tuple(int(v) for v in pts[0]), 3, colour, -1)


def plot_soak(path: Path, minutes: Sequence[float], panels: list[tuple[str, str, dict[str, Sequence[float]]]],
              recordings: Sequence[tuple[float, float]], switches: Sequence[float], warmup_min: float,
              title: str) -> None:
    """Write a PNG: `panels` is [(title, unit, {series name: values per sample})]; times are in minutes."""
    height = MARGIN_T + len(panels) * (PANEL_H + GAP) + 10
    img = np.full((height, WIDTH, 3), BG, np.uint8)
    _label(img, title, (MARGIN_L, 28), 0.65)
    x_max = max(minutes[-1] if minutes else 1.0, 1e-3)
    for i, (name, unit, series) in enumerate(panels):
        values = [v for ys in series.values() for v in ys]
        lo, hi = (min(values), max(values)) if values else (0.0, 1.0)
        panel = _Panel(img, MARGIN_T + 20 + i * (PANEL_H + GAP), x_max, lo, hi)
        for start, end in recordings:
            panel.shade(start, end, RECORDING)
        for x in switches:
            panel.vline(x, SWITCH)
        panel.vline(warmup_min, WARMUP, dashed=True)
        panel.axes(name, unit)
        items = list(series.items())
        for idx in reversed(range(len(items))):  # the first series is drawn last, on top
            panel.line(minutes, items[idx][1], COLOURS[idx % len(COLOURS)])
        legend_x = WIDTH - MARGIN_R
        for idx, (label, _) in enumerate(items):
            (w, _), _ = cv2.getTextSize(label, FONT, 0.45, 1)
            legend_x -= w + 30
            colour = COLOURS[idx % len(COLOURS)]
            cv2.line(img, (legend_x, panel.top - 14), (legend_x + 18, panel.top - 14), colour, 3)
            _label(img, label, (legend_x + 22, panel.top - 10))
    _label(img, "minutes  (shaded: recording; thin lines: style switch; dashed: end of warm-up)",
           (MARGIN_L, height - 8), 0.45)
    if not cv2.imwrite(str(path), img):
        raise OSError(f"could not write {path}")

"""Carrying a style's canvas along the picture's motion.

Styles trained with a canvas (a fixed periodic field the network paints its marks from, on the plain wall
behind a person among other places) read it, by default, in place: the marks are tied to the screen. On a
still scene that is what holds them still; under a pan, or behind a walking person, the picture moves and
the marks do not, and the eye sees them swim. Training showed the network crops moved together with their
canvas, so at run time the canvas may move with the picture: this module keeps, for every pixel, the frame
position whose canvas it carries (`canvas_at`, read by the model's `canvas_at` input), and moves that map
along the optical flow from frame to frame, as texture advection does for video painting.

What keeps the map from doing harm:
- a dead zone: sub-pixel flow on a still scene is mostly the flow's own noise (about 0.3 px on a plain wall),
  and following it would make still marks wander, so motion under it is dropped (and up to twice it, eased in);
- a smoothed flow: marks are a few pixels wide, and a map that followed every wrinkle of the flow would tear them;
- settling: where the motion tore or squeezed the map (behind a walking person, at occlusions), its local
  distortion relaxes toward the surrounding map a little every frame; a uniform shift (a pan) is kept.

The flow is DIS (ultrafast) at half resolution, as the stabiliser's; the whole step takes a few ms at 640x360
(`vst-desktop bench` reports it).
"""

from __future__ import annotations

import cv2
import numpy as np

FLOW_SCALE = 2  # the flow is computed at 1/FLOW_SCALE of the frame size
DEAD_ZONE = 0.3  # px (frame scale): flow below this is taken as noise
SMOOTH_SIGMA = 3.0  # px (flow scale): how much the flow is smoothed before it moves the map
SETTLE = 0.05  # share of the map's local distortion that relaxes each frame
SETTLE_SCALE = 16  # the "surrounding map" is the map averaged over blocks of this many flow pixels
CANVAS_INPUT = "canvas_at"  # the model input: (1, H, W, 2) float32, where each pixel reads the canvas
WRAP = 1024.0  # px: the map is shifted back by whole multiples of this (a multiple of every canvas period)


def still_canvas(height: int, width: int) -> np.ndarray:
    """(1, H, W, 2) float32: each pixel reads the canvas in place (the model's default)."""
    xs, ys = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))
    return np.dstack([xs, ys])[np.newaxis]


class CanvasMotion:
    """Stateful: call it on consecutive frames of one stream (the network's input, uint8 BGR); `reset()` at a
    cut. Returns the `canvas_at` map for the frame, (1, H, W, 2) float32."""

    def __init__(self, dead_zone: float = DEAD_ZONE, smooth_sigma: float = SMOOTH_SIGMA, settle: float = SETTLE,
                 flow_scale: int = FLOW_SCALE) -> None:
        self.dead_zone = float(dead_zone)
        self.smooth_sigma = float(smooth_sigma)
        self.settle = float(settle)
        self.flow_scale = int(flow_scale)
        self._dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_ULTRAFAST)
        self._prev_small: np.ndarray | None = None
        self._offset: np.ndarray | None = None  # (h, w, 2) at flow scale, in frame pixels: where - position
        self._still: dict[tuple[int, int], np.ndarray] = {}

    def reset(self) -> None:
        self._prev_small = self._offset = None

    def _grid(self, h: int, w: int) -> np.ndarray:
        grid = self._still.get((h, w))
        if grid is None:
            grid = self._still[(h, w)] = still_canvas(h, w)[0]
        return grid

    def _flow(self, small: np.ndarray) -> np.ndarray:
        """For each pixel of the current small frame: where it was in the previous one, in frame pixels,
        smoothed and with the noise-sized part taken out."""
        flow = self._dis.calc(small, self._prev_small, None) * np.float32(self.flow_scale)
        if self.smooth_sigma > 0:
            flow = cv2.GaussianBlur(flow, (0, 0), self.smooth_sigma)
        if self.dead_zone <= 0:
            return flow
        # Nothing below the dead zone, all of it from twice the dead zone on (a pan is followed without lag).
        size = np.sqrt((flow * flow).sum(-1, keepdims=True))
        ramp = np.clip(size * np.float32(1.0 / self.dead_zone) - 1.0, 0.0, 1.0)
        return flow * (ramp * ramp * (3.0 - 2.0 * ramp))

    def __call__(self, frame: np.ndarray) -> np.ndarray:
        h, w = frame.shape[:2]
        sw, sh = max(8, w // self.flow_scale), max(8, h // self.flow_scale)
        small = cv2.cvtColor(cv2.resize(frame, (sw, sh), interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2GRAY)
        if self._prev_small is None or self._prev_small.shape != small.shape:
            self._offset = np.zeros((sh, sw, 2), np.float32)
        else:
            flow = self._flow(small)
            # A pixel carries the canvas its source pixel carried: offset_t(x) = flow(x) + offset_t-1(x + flow(x)).
            source = self._grid(sh, sw) + flow * np.float32(1.0 / self.flow_scale)
            carried = cv2.remap(self._offset, source, None, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
            offset = flow + carried
            if self.settle > 0:
                coarse = cv2.resize(offset, (max(1, sw // SETTLE_SCALE), max(1, sh // SETTLE_SCALE)),
                                    interpolation=cv2.INTER_AREA)
                surrounding = cv2.resize(coarse, (sw, sh), interpolation=cv2.INTER_LINEAR)
                offset += np.float32(self.settle) * (surrounding - offset)
            offset -= np.round(offset.mean((0, 1)) / WRAP).astype(np.float32) * np.float32(WRAP)
            self._offset = offset
        self._prev_small = small
        offset = cv2.resize(self._offset, (w, h), interpolation=cv2.INTER_LINEAR)
        return (self._grid(h, w) + offset)[np.newaxis]

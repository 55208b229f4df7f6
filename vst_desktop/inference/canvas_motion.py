"""Carrying a style's canvas along the camera's motion.

Styles trained with a canvas (a fixed periodic field the network paints its marks from, on the plain wall
behind a person among other places) read it, by default, in place: the marks are tied to the screen. On a
still scene that is what holds them still; when the camera pans, zooms or turns, the picture moves and the
marks do not, and the eye sees them swim. Training showed the network crops moved together with their
canvas, so at run time the canvas may move with the picture: this module keeps, for every pixel, the frame
position whose canvas it carries (`canvas_at`, the model's input of that name) and moves it along the camera.

It follows the camera, not every object: one similarity transform (shift, zoom, turn) per frame, fitted with
RANSAC to the optical flow over the whole frame, and used only when most of the frame agrees with it.
Following the flow pixel by pixel was tried first and is worse (docs/research/carried_canvas.md): behind
a walking person the flow drags the wall's canvas along, and the map tears. What else keeps it harmless:
- a dead zone: a camera move under `dead_zone` px a frame is mostly the flow's own noise (about 0.3 px on
  a plain wall), so it is dropped, and the canvas of a still scene stays exactly in place;
- settling: a long zoom or turn would leave the canvas's marks enlarged or tilted for good, so its zoom and
  turn relax back a little every frame (its shift is kept: a pan's marks keep their size).

The flow is DIS at half resolution, as the stabiliser's; the step takes about 3 ms at 640x360
(the live path reports it as `canvas_ms`).
"""

from __future__ import annotations

import cv2
import numpy as np

CANVAS_INPUT = "canvas_at"  # the model input: (1, H, W, 2) float32, where each pixel reads the canvas
FLOW_SCALE = 2  # the flow is computed at 1/FLOW_SCALE of the frame size
DEAD_ZONE = 0.3  # px a frame (frame scale): a smaller camera move is taken as the flow's noise
AGREEMENT = 0.5  # share of the frame that must move with the fitted camera motion for it to be followed
INLIER_PX = 0.5  # px (flow scale): how close a point's flow must be to the fitted motion to agree with it
POINT_STEP = 6  # px (flow scale) between the points the motion is fitted to
SETTLE = 0.02  # share of the canvas's accumulated zoom and turn that relaxes each frame
WRAP = 1024.0  # px: the map's shift is kept modulo this (a multiple of every canvas period)


def still_canvas(height: int, width: int) -> np.ndarray:
    """(1, H, W, 2) float32: each pixel reads the canvas in place (the model's default)."""
    xs, ys = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))
    return np.dstack([xs, ys])[np.newaxis]


def _as3x3(affine: np.ndarray) -> np.ndarray:
    return np.vstack([affine, [0.0, 0.0, 1.0]])


class CanvasMotion:
    """Stateful: call it on consecutive frames of one stream (the network's input, uint8 BGR); `reset()` at a
    cut. Returns the `canvas_at` map for the frame, (1, H, W, 2) float32."""

    def __init__(self, dead_zone: float = DEAD_ZONE, agreement: float = AGREEMENT, settle: float = SETTLE,
                 flow_scale: int = FLOW_SCALE) -> None:
        self.dead_zone = float(dead_zone)
        self.agreement = float(agreement)
        self.settle = float(settle)
        self.flow_scale = int(flow_scale)
        # "fast", not the stabiliser's "ultrafast": on a 1.5 px/frame pan of a photo, ultrafast falls 7 % short
        # of the true motion and fast 3 %, for 0.5 ms more at 640x360
        self._dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_FAST)
        self._prev_small: np.ndarray | None = None
        # frame pixel -> canvas position, homogeneous 3x3 (float64: a product of many small moves)
        self._where = np.eye(3)
        self._grids: dict[tuple[int, int], np.ndarray] = {}
        self.followed = False  # whether the last frame's camera motion was followed (for tests and logs)

    def reset(self) -> None:
        self._prev_small, self._where = None, np.eye(3)

    def _camera_move(self, small: np.ndarray) -> np.ndarray | None:
        """The 3x3 map from this frame's pixels to where they were in the previous frame (frame scale), or
        None when there is no camera motion to follow (too small, or the frame does not agree on one)."""
        flow = self._dis.calc(small, self._prev_small, None)  # for each current pixel: where it was before
        h, w = small.shape
        ys, xs = np.mgrid[POINT_STEP // 2:h:POINT_STEP, POINT_STEP // 2:w:POINT_STEP]
        here = np.stack([xs.ravel(), ys.ravel()], 1).astype(np.float32)
        before = here + flow[ys.ravel(), xs.ravel()]
        if len(here) < 8:
            return None
        fit, inliers = cv2.estimateAffinePartial2D(here, before, method=cv2.RANSAC,
                                                   ransacReprojThreshold=INLIER_PX, maxIters=500)
        if fit is None or inliers is None or inliers.mean() < self.agreement:
            return None
        s = float(self.flow_scale)  # to frame scale: x_frame = s * x_small (+ the pixel-centre offset)
        to_small = np.array([[1 / s, 0, (1 / s - 1) / 2], [0, 1 / s, (1 / s - 1) / 2], [0, 0, 1]])
        move = np.linalg.inv(to_small) @ _as3x3(fit) @ to_small
        corners = np.array([[0, 0, 1], [w * s, 0, 1], [0, h * s, 1], [w * s, h * s, 1]], float).T
        if np.abs(move @ corners - corners)[:2].max() < self.dead_zone:
            return None
        return move

    def _settle(self, where: np.ndarray, h: int, w: int) -> np.ndarray:
        """Relax the map's zoom and turn toward none, keeping where the frame's centre reads the canvas."""
        linear = where[:2, :2] + self.settle * (np.eye(2) - where[:2, :2])
        centre = np.array([(w - 1) / 2.0, (h - 1) / 2.0])
        shift = where[:2, :2] @ centre + where[:2, 2] - linear @ centre
        shift -= np.round(shift / WRAP) * WRAP
        return np.vstack([np.hstack([linear, shift[:, None]]), [0.0, 0.0, 1.0]])

    def __call__(self, frame: np.ndarray) -> np.ndarray:
        h, w = frame.shape[:2]
        sw, sh = max(8, w // self.flow_scale), max(8, h // self.flow_scale)
        small = cv2.cvtColor(cv2.resize(frame, (sw, sh), interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2GRAY)
        self.followed = False
        if self._prev_small is None or self._prev_small.shape != small.shape:
            self._where = np.eye(3)
        else:
            move = self._camera_move(small)
            if move is not None:
                # a pixel reads the canvas its previous position read: where_t = where_t-1 o move
                self._where, self.followed = self._where @ move, True
            if self.settle > 0 and not np.allclose(self._where[:2, :2], np.eye(2)):
                self._where = self._settle(self._where, h, w)
        self._prev_small = small
        return self._map(h, w)

    def _map(self, h: int, w: int) -> np.ndarray:
        grid = self._grids.get((h, w))
        if grid is None:
            grid = self._grids[(h, w)] = still_canvas(h, w)
        if np.array_equal(self._where, np.eye(3)):
            return grid
        m = self._where.astype(np.float32)
        out = np.empty_like(grid)
        out[..., 0] = grid[..., 0] * m[0, 0] + grid[..., 1] * m[0, 1] + m[0, 2]
        out[..., 1] = grid[..., 0] * m[1, 0] + grid[..., 1] * m[1, 1] + m[1, 2]
        return out

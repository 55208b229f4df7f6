"""Carrying a style's canvas along the camera's motion.

Styles trained with a canvas (a fixed periodic field the network paints its marks from, on the plain wall
behind a person among other places) read it, by default, in place: the marks are tied to the screen. On a
still scene that is what holds them still; when the camera pans, zooms or turns, the picture moves and the
marks do not, and the eye sees them swim. Training showed the network crops moved together with their
canvas, so at run time the canvas may move with the picture: `CanvasMotion` keeps the map from frame pixels
to the canvas positions they carry (`canvas_at`, 2x3) and moves it along the camera; `CanvasTile` reads the
style's tile (stored in its ONNX file) along that map and gives the network its `canvas` input.

It follows the camera, not every object: one similarity transform (shift, zoom, turn) per frame, fitted with
RANSAC to the optical flow over the whole frame, and used only when most of the frame agrees with it.
Following the flow pixel by pixel was tried first and is worse (docs/research/carried_canvas.md): behind
a walking person the flow drags the wall's canvas along, and the map tears. What else keeps it harmless:
- a dead zone: the flow's noise (about 0.3 px a pixel on a plain wall) mostly averages out over a whole
  frame's fit; a fitted camera move under `dead_zone` px a frame is dropped, so a still scene's canvas
  stays exactly in place;
- settling: a long zoom or turn would leave the canvas's marks enlarged or tilted for good, so its zoom and
  turn relax back a little every frame (its shift is kept: a pan's marks keep their size).

The flow is DIS at half resolution, as the stabiliser's; the step takes 2-3 ms at 640x360
(the live path reports it as `canvas_ms`).
"""

from __future__ import annotations

import cv2
import numpy as np

CANVAS_INPUT = "canvas"  # the model's input: float32 [1, C, H, W], the canvas the network reads
CANVAS_TILE = "canvas_tile"  # the model's initializer: float32 [1, C, P, Q], the periodic tile it is read from
FLOW_SCALE = 2  # the flow is computed at 1/FLOW_SCALE of the frame size
DEAD_ZONE = 0.15  # px a frame (frame scale): a smaller camera move is taken as the flow's noise (chosen on
# the motion set's tune part: 0.15, 0.3 and 0.6 tie on camera moves; 0.15 also follows a slight shake)
AGREEMENT = 0.5  # share of the frame that must move with the fitted camera motion for it to be followed
INLIER_PX = 0.5  # px (flow scale): how close a point's flow must be to the fitted motion to agree with it
POINT_STEP = 6  # px (flow scale) between the points the motion is fitted to
SETTLE = 0.02  # share of the canvas's accumulated zoom and turn that relaxes each frame
MAX_TILE = 1024  # px: a larger tile is refused (it is repeated over the frame when read)
# Bilinear, though it softens the tile by up to a fifth at half-pixel positions: bicubic keeps its contrast
# and flickered 20-35% more on the motion set's tune part (docs/research/carried_canvas.md, section 4).
TILE_INTERPOLATION = cv2.INTER_LINEAR


STILL = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])  # canvas_at: each pixel reads the canvas in place


def canvas_positions(height: int, width: int, canvas_at: np.ndarray = STILL) -> np.ndarray:
    """(1, H, W, 2) float32: the canvas position each pixel reads (for training's CanvasStage.at)."""
    xs, ys = np.meshgrid(np.arange(width, dtype=np.float64), np.arange(height, dtype=np.float64))
    m = np.asarray(canvas_at, dtype=np.float64)
    where = np.dstack([m[0, 0] * xs + m[0, 1] * ys + m[0, 2], m[1, 0] * xs + m[1, 1] * ys + m[1, 2]])
    return where.astype(np.float32)[np.newaxis]


class CanvasTile:
    """A canvas style's periodic tile, read along a `canvas_at` map with OpenCV (bilinear, wrapping around the
    tile): under 1 ms at 640x360 on one core, where onnxruntime's GridSample inside the graph took 14."""

    def __init__(self, tile: np.ndarray) -> None:
        tile = np.asarray(tile, dtype=np.float32)
        if (tile.ndim != 4 or tile.shape[0] != 1 or not 1 <= tile.shape[1] <= 4
                or not 1 <= min(tile.shape[2:]) <= max(tile.shape[2:]) <= MAX_TILE):
            raise ValueError(f"a canvas tile is [1, C<=4, P<={MAX_TILE}, Q<={MAX_TILE}], not {list(tile.shape)}")
        if not np.isfinite(tile).all():
            raise ValueError("the canvas tile holds values that are not finite")
        self.channels = int(tile.shape[1])
        self._planes = [np.ascontiguousarray(plane) for plane in tile[0]]
        self._still: dict[tuple[int, int], np.ndarray] = {}
        self._tiled: dict[tuple[int, int], list[np.ndarray]] = {}

    @classmethod
    def from_model(cls, model) -> CanvasTile | None:
        """The tile of a parsed ONNX model (onnx.ModelProto), or None when it has none."""
        from onnx import numpy_helper

        for init in model.graph.initializer:
            if init.name == CANVAS_TILE:
                return cls(numpy_helper.to_array(init))
        return None

    def read(self, height: int, width: int, canvas_at: np.ndarray | None = None) -> np.ndarray:
        """(1, C, H, W) float32: the canvas read along `canvas_at` (a 2x3 map from frame pixels to canvas
        positions, see `CanvasMotion`); by default, and for anything else, in place."""
        if canvas_at is None or np.shape(canvas_at) != (2, 3) or np.array_equal(canvas_at, STILL):
            cached = self._still.get((height, width))
            if cached is None:
                cached = self._still[(height, width)] = self._warp(height, width, STILL)
            return cached
        return self._warp(height, width, np.asarray(canvas_at, dtype=np.float64))

    def _warp(self, height: int, width: int, canvas_at: np.ndarray) -> np.ndarray:
        """Read from the tile repeated over the frame and a tile's margin, the map's shift taken modulo the
        tile: several times faster than wrapping around the small tile pixel by pixel, which is kept for maps
        that reach past the margin (a long zoom)."""
        ph, pw = self._planes[0].shape
        reps = (height // ph + 3, width // pw + 3)
        tiled = self._tiled.get(reps)
        if tiled is None:
            tiled = self._tiled[reps] = [np.tile(plane, reps) for plane in self._planes]
        m = canvas_at.copy()
        m[:, 2] = np.mod(m[:, 2], (pw, ph)) + (pw, ph)
        corners = m @ np.array([[0, width - 1, 0, width - 1], [0, 0, height - 1, height - 1], [1, 1, 1, 1]], float)
        inside = corners.min() >= 0 and corners[0].max() <= reps[1] * pw - 2 and corners[1].max() <= reps[0] * ph - 2
        sources, border = (tiled, cv2.BORDER_REFLECT) if inside else (self._planes, cv2.BORDER_WRAP)
        out = np.empty((1, self.channels, height, width), np.float32)
        for plane, dst in zip(sources, out[0], strict=True):  # plane by plane: no transpose after
            cv2.warpAffine(plane, m, (width, height), dst=dst, flags=TILE_INTERPOLATION | cv2.WARP_INVERSE_MAP,
                           borderMode=border)
        return out


def _as3x3(affine: np.ndarray) -> np.ndarray:
    return np.vstack([affine, [0.0, 0.0, 1.0]])


class CanvasMotion:
    """Stateful: call it on consecutive frames of one stream (the network's input, uint8 BGR); `reset()` at a
    cut. Returns the frame's `canvas_at`: a 2x3 map from its pixels to the canvas positions they read
    (`STILL` while the camera has not moved)."""

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
        return self._where[:2].copy()

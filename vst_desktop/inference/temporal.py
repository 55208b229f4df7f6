"""Temporal stabilisation of a stylised video: each output frame is blended with the previous output, moved
onto the current frame by optical flow, wherever the flow can be trusted.

A frame-by-frame network cannot anchor a brush stroke to a surface: a little sensor noise or a sub-pixel
move changes the strokes it paints, and the eye sees that as shimmer. Blending with the motion-compensated
previous output (an exponential moving average along the motion, as in the "blind video temporal
consistency" line of work) keeps what was painted where the scene has not changed. Where the flow is
wrong (occlusions, cuts, fast motion: the warped previous *input* does not match the current input) the
weight of the past drops to 0, so moving objects do not leave ghosts.

The flow is computed on the input frames at half resolution (DIS, ultrafast preset); the whole step takes
about 4 ms per 640x360 frame on one core (`vst-desktop bench` reports it).
"""

from __future__ import annotations

import cv2
import numpy as np

HISTORY_WEIGHT = 0.7  # weight of the motion-compensated past where the flow is reliable (docs/research/training_log.md)
MISMATCH_LEVEL = 12.0  # grey levels of input mismatch at which the past is no longer trusted
FLOW_SCALE = 2  # flow and trust are computed at 1/FLOW_SCALE of the frame size
PAST_WARP = cv2.INTER_LINEAR  # moving the past output: bicubic flickered more (docs/research/carried_canvas.md)


class TemporalStabilizer:
    """Stateful: call it on consecutive frames of one stream; `reset()` at a cut (new source, new style)."""

    def __init__(self, history_weight: float = HISTORY_WEIGHT, mismatch_level: float = MISMATCH_LEVEL,
                 flow_scale: int = FLOW_SCALE) -> None:
        self.history_weight = float(history_weight)
        self.flow_scale = int(flow_scale)
        self.mismatch_level = float(mismatch_level)
        self._dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_ULTRAFAST)
        self._prev_small: np.ndarray | None = None  # half-resolution grey of the previous input
        self._prev_out: np.ndarray | None = None
        self._grids: dict[tuple[int, int], np.ndarray] = {}

    def reset(self) -> None:
        self._prev_small = self._prev_out = None

    def _base_grid(self, h: int, w: int) -> np.ndarray:
        """(h, w, 2) float32 pixel coordinates, cached per size."""
        grid = self._grids.get((h, w))
        if grid is None:
            xs, ys = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
            grid = self._grids[(h, w)] = np.dstack([xs, ys])
        return grid

    def __call__(self, frame_in: np.ndarray, frame_out: np.ndarray) -> np.ndarray:
        """frame_in: the network's input (uint8 BGR); frame_out: its output, same size. Returns the output
        to show (uint8 BGR, same size)."""
        h, w = frame_in.shape[:2]
        sw, sh = max(8, w // self.flow_scale), max(8, h // self.flow_scale)
        small = cv2.cvtColor(cv2.resize(frame_in, (sw, sh), interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2GRAY)
        if (self._prev_out is None or self._prev_out.shape != frame_out.shape
                or self._prev_small.shape != small.shape or self.history_weight <= 0):
            self._prev_small, self._prev_out = small, frame_out.copy()
            return frame_out
        # Everything that decides *how much* to trust the past is computed at half resolution; only the
        # warp of the previous output and the blend run at full resolution.
        flow = self._dis.calc(small, self._prev_small, None)  # for each current pixel: where it was before
        map_small = self._base_grid(sh, sw) + flow
        # 0 where the pixel came from outside the previous frame: it has no past.
        inside = ((map_small[..., 0] >= 0) & (map_small[..., 0] <= sw - 1)
                  & (map_small[..., 1] >= 0) & (map_small[..., 1] <= sh - 1)).astype(np.float32)
        # Fixed-point maps: remap with float maps is several times slower.
        fixed_xy, fixed_frac = cv2.convertMaps(map_small, None, cv2.CV_16SC2)
        past_small = cv2.remap(self._prev_small, fixed_xy, fixed_frac, cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_REPLICATE)
        mismatch = cv2.GaussianBlur(cv2.absdiff(small, past_small).astype(np.float32), (0, 0), 1.0)
        trust = np.clip(1.0 - mismatch * (1.0 / self.mismatch_level), 0.0, 1.0) * inside
        alpha = cv2.resize(trust * np.float32(self.history_weight), (w, h), interpolation=cv2.INTER_LINEAR)
        map_full = cv2.resize(flow, (w, h), interpolation=cv2.INTER_LINEAR)
        map_full *= np.float32(w / sw)
        map_full += self._base_grid(h, w)
        fixed_xy, fixed_frac = cv2.convertMaps(map_full, None, cv2.CV_16SC2)
        past_out = cv2.remap(self._prev_out, fixed_xy, fixed_frac, PAST_WARP, borderMode=cv2.BORDER_REPLICATE)
        out = cv2.blendLinear(frame_out, past_out, 1.0 - alpha, alpha)
        self._prev_small, self._prev_out = small, out
        return out

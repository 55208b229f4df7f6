"""The generator's fixed stages: transforms with no trained weights around the residual network.

- `ColourStage` (in front): a global colour transform fitted in closed form before training;
- `FlattenStage` (in front): flat colour planes that keep their edges (a soft Kuwahara filter);
- `CanvasStage` (beside): the canvas, a periodic field tied to pixel position, that the analogy teacher's
  marks in flat areas follow;
- `LeadStage` (after): dark lines along the painted output's borders.

Each travels with the generator's state dict and export; `top` is the pixel scale (the exporter sets 255).
Images are float RGB in [0, 1], NCHW.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def grey(x: torch.Tensor) -> torch.Tensor:
    """(N, 1, H, W): the channel mean, the same for RGB and BGR order. Three slices added rather than a 1x1
    conv, which onnxruntime runs in its blocked layout with reorders around it: at 640x360 that conv and its
    reorders were half of LeadStage's time (docs/research/painter_guide.md, round 17)."""
    return (x[:, :1] + x[:, 1:2] + x[:, 2:3]) * (1.0 / 3.0)


class ColourStage(nn.Module):
    """y = clamp(M x + b, 0, top): a global colour transform fitted before training, never trained.

    Stored as buffers, so it travels with the generator's state dict (checkpoints, EMA, export). `top` is
    1 in training units; the exporter sets it to 255 when it folds the 0..255 scale into the weights.
    """

    def __init__(self) -> None:
        super().__init__()
        self.register_buffer("matrix", torch.eye(3))
        self.register_buffer("bias", torch.zeros(3))
        self.top = 1.0

    def set_transform(self, matrix, bias) -> None:
        with torch.no_grad():
            self.matrix.copy_(torch.as_tensor(matrix, dtype=torch.float32))
            self.bias.copy_(torch.as_tensor(bias, dtype=torch.float32))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # Three groups, each reading all of x for one output channel: as a plain 1x1 conv onnxruntime runs it
        # in its blocked layout, with reorders around it that cost more than the transform.
        y = F.conv2d(torch.cat([x, x, x], 1), self.matrix.view(3, 3, 1, 1), self.bias, groups=3)
        return y.clamp(0.0, self.top)


class FlattenStage(nn.Module):
    """Flat colour planes that keep their edges: a soft 4-sector Kuwahara filter, applied `passes` times.

    Each pixel takes the mean colour of the four (r+1)x(r+1) windows that have it as a corner, weighted by
    (least variance / its variance)^(2^sharpness_doublings) (the generalised Kuwahara of Papari et al.
    2007) instead of the hard lowest-variance pick: differentiable, exportable, and steadier on video
    (docs/research/training_log.md: at radius 4 the hard pick flickers at raw ewarp 2.5, the soft one at
    1.1). The small residual network could not
    learn the per-pixel choice from the planes teacher (TG -0.03), so it is built in, like the colour
    stage. No weights; `top` is the pixel scale (the exporter sets 255), which sets the variance floor. `sigma`
    > 0 weighs each sector as a Gaussian quadrant instead of a box: rounded planes, not square blocks.
    """

    def __init__(self, radius: int, passes: int, sharpness_doublings: int = 3, scale: int = 1,
                 sigma: float = 0.0) -> None:
        super().__init__()
        self.radius, self.passes, self.sharpness_doublings, self.scale = radius, passes, sharpness_doublings, scale
        self.top = 1.0
        # sigma > 0: each sector a Gaussian-weighted quadrant of (2r+1)^2 instead of an (r+1)^2 box, whose square
        # corners make the planes blocky on a face (docs/research/painter_guide.md, round 15). Not persistent:
        # the spec rebuilds it, and older checkpoints load unchanged.
        self.register_buffer("rows", None, persistent=False)
        self.register_buffer("columns", None, persistent=False)
        if sigma > 0:
            # A Gaussian quadrant is a half Gaussian along y times one along x, so the four sectors are two
            # depthwise passes of 1-D kernels (150 multiplications per pixel at radius 2 instead of one 2-D pass's 500).
            t = torch.arange(-radius, radius + 1.0)
            g = torch.exp(-t ** 2 / (2 * sigma ** 2))
            halves = torch.stack([h / h.sum() for h in (g * (t <= 0), g * (t >= 0))])  # (2, k): before, after
            self.register_buffer("rows", halves.repeat(5, 1).view(10, 1, 1, -1), persistent=False)
            self.register_buffer("columns", halves.repeat(10, 1).view(20, 1, -1, 1), persistent=False)

    def _once(self, x: torch.Tensor) -> torch.Tensor:
        r = self.radius
        h, w = x.shape[2:]
        g = grey(x)
        padded = F.pad(torch.cat([x, g, g * g], 1), (r, r, r, r), mode="reflect")
        if self.rows is not None:
            return self._weigh(self._gaussian_sectors(padded))
        # Mean colour, mean grey and mean square grey over every (r+1)^2 window in one pooling call; window
        # (y, x) of the padded image is the sector whose top-left corner is pixel (y - r, x - r).
        stats = F.avg_pool2d(padded, r + 1, stride=1)
        mean, gm, gsq = stats[:, :3], stats[:, 3:4], stats[:, 4:5]
        var = gsq - gm * gm + 1e-4 * self.top * self.top  # plus a floor: flat sectors tie instead of dividing by 0
        sectors = [(dy, dx) for dy in (0, r) for dx in (0, r)]
        return self._weigh([(var[..., dy:dy + h, dx:dx + w], mean[..., dy:dy + h, dx:dx + w]) for dy, dx in sectors])

    def _gaussian_sectors(self, padded: torch.Tensor) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """(variance, mean colour) per sector: channel c's sector (left/right j, up/down i) at c * 4 + j * 2 + i."""
        stats = F.conv2d(F.conv2d(padded, self.rows, groups=5), self.columns, groups=10)
        out = []
        for s in range(4):
            gm, gsq = stats[:, 12 + s:13 + s], stats[:, 16 + s:17 + s]
            mean = torch.cat([stats[:, s:s + 1], stats[:, 4 + s:5 + s], stats[:, 8 + s:9 + s]], 1)
            out.append((gsq - gm * gm + 1e-4 * self.top * self.top, mean))
        return out

    def _weigh(self, sectors: list[tuple[torch.Tensor, torch.Tensor]]) -> torch.Tensor:
        vars_ = [v for v, _ in sectors]
        least = torch.minimum(torch.minimum(vars_[0], vars_[1]), torch.minimum(vars_[2], vars_[3]))
        total, norm = 0.0, 0.0
        for v, mean in sectors:
            wt = least / v  # in (0, 1]: 1 for the flattest sector; then to the power sharpness / 2
            for _ in range(self.sharpness_doublings):
                wt = wt * wt  # squarings, not Pow: 4x faster in onnxruntime
            total = total + wt * mean
            norm = norm + wt
        return total / norm

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.avg_pool2d(x, self.scale) if self.scale > 1 else x
        for _ in range(self.passes):
            y = self._once(y)
        if self.scale > 1:
            y = F.interpolate(y, scale_factor=float(self.scale), mode="bilinear", align_corners=False)
        return y


class CanvasStage(nn.Module):
    """The canvas over a frame: the analogy teacher's periodic tile repeated from the frame's top-left pixel,
    (N, 1, H, W). A buffer, so it travels with checkpoints and the export; tiled with Repeat and Slice, so
    the exported graph accepts any frame size. `top` scales it with the pixel scale (the exporter sets 255)."""

    def __init__(self, form: str = "blobs", wall: bool = False, period: int = 128) -> None:
        super().__init__()
        from vst_desktop.training.texture.analogy import canvas_tile

        tile = torch.from_numpy(canvas_tile(form, period))[None, None]
        self.register_buffer("tile", tile)
        # The teacher's painted wall, RGB (the teacher's tile replaces these zeros, as it does the canvas's)
        self.register_buffer("wall", torch.zeros(1, 3, *tile.shape[2:]) if wall else None)
        self.top = 1.0

    @property
    def channels(self) -> int:
        return 1 if self.wall is None else 4

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, 1, H, W): the canvas; with a wall, (N, 4, H, W): the canvas, then the wall's colours."""
        p = self.tile.shape[-1]
        h, w = x.shape[2], x.shape[3]
        reps_y, reps_x = h // p + 1, w // p + 1
        tiled = self._tile().repeat(x.shape[0], 1, reps_y, reps_x)
        return tiled[:, :, :h, :w] * self.top

    def _tile(self) -> torch.Tensor:
        return self.tile if self.wall is None else torch.cat([self.tile, self.wall], 1)

    def at(self, where: torch.Tensor) -> torch.Tensor:
        """The canvas read at `where` (N, H, W, 2): for each pixel, the frame position (x, y) whose canvas it
        carries. The identity grid gives `forward`'s canvas exactly; a grid carried along the picture's motion
        moves the marks with the picture, as training's moved crops taught. (The run time reads it the same
        way from the exported tile, with OpenCV: inference/canvas_motion.py.)"""
        tile = self._tile()
        ph, pw = tile.shape[-2:]
        # One wrapped row and column, so that bilinear reads across the tile's seam stay periodic.
        tile = torch.cat([tile, tile[:, :, :1]], 2)
        tile = torch.cat([tile, tile[:, :, :, :1]], 3)
        x, y = where[..., :1], where[..., 1:]
        x, y = x - torch.floor(x / pw) * pw, y - torch.floor(y / ph) * ph  # in [0, period)
        grid = torch.cat([x * (2.0 / pw) - 1.0, y * (2.0 / ph) - 1.0], -1)  # align_corners: +1 is pixel `period`
        out = F.grid_sample(tile.expand(where.shape[0], -1, -1, -1), grid, mode="bilinear",
                            padding_mode="border", align_corners=True)
        return out * self.top


class LeadStage(nn.Module):
    """Dark lines where the picture's grey changes fastest (a stained-glass window's leading, a poster's
    outlines): on flat planes, along their borders only. Applied to the painted output, so the lines follow
    the marks' borders too.

    The grey's gradient (Sobel after a Gaussian blur of sigma 1, as separable 9-tap passes) is read against a fixed
    `threshold` in [0, 1] pixel units: line = clamp(|gradient| / threshold - 1, 0, 1), so a border is fully
    dark at twice the threshold. A fixed threshold, not one read off each frame, keeps a still scene's lines
    still, and a plain wall's sensor noise draws none. No weights; `top` is the pixel scale (the exporter
    sets 255)."""

    def __init__(self, darkness: float, threshold: float = 0.2) -> None:
        super().__init__()
        self.darkness, self.threshold = darkness, threshold
        self.top = 1.0
        t = torch.arange(-4.0, 5.0)
        blur = torch.exp(-t ** 2 / 2)
        blur = blur / blur.sum()
        smooth, diff = torch.tensor([1.0, 2.0, 1.0]), torch.tensor([-1.0, 0.0, 1.0])
        # blur (9 taps) then Sobel (3 taps) = one 11-tap kernel per axis, cropped to 9 taps, whose lost tails
        # weigh under 0.2% of the kernel.
        bx = F.conv1d(blur.view(1, 1, -1), diff.flip(0).view(1, 1, -1), padding=1)[0, 0]
        by = F.conv1d(blur.view(1, 1, -1), smooth.view(1, 1, -1), padding=1)[0, 0]
        # gx = by (down) x bx (across), gy its transpose: one pass across into two channels, one pass down
        self.register_buffer("across", torch.stack([bx, by]).view(2, 1, 1, -1), persistent=False)
        self.register_buffer("down", torch.stack([by, bx]).view(2, 1, -1, 1), persistent=False)

    def gradient(self, x: torch.Tensor) -> torch.Tensor:
        """(N, 2, H, W): the blurred grey's Sobel x and y."""
        g = F.pad(grey(x), (4, 4, 4, 4), mode="replicate")
        # The grey twice, each copy filtered by its own kernel (groups=2): as one conv to two channels,
        # onnxruntime runs the pass in its blocked layout and reorders its output, three times the cost.
        return F.conv2d(F.conv2d(torch.cat([g, g], 1), self.across, groups=2), self.down, groups=2)

    def lines(self, x: torch.Tensor) -> torch.Tensor:
        """(N, 1, H, W) in [0, 1]: how dark each pixel's line is at full darkness."""
        d = self.gradient(x)
        mag = torch.sqrt(d[:, :1] * d[:, :1] + d[:, 1:] * d[:, 1:] + 1e-12)
        return (mag / (self.threshold * self.top) - 1.0).clamp(0.0, 1.0)

    def forward(self, x: torch.Tensor, strength: torch.Tensor | float = 1.0) -> torch.Tensor:
        return x * (1.0 - (strength * self.darkness) * self.lines(x))

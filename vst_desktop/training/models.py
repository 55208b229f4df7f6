"""Generator and discriminator networks.

Generator: output = input + strength * residual. The residual's last layer is zero-initialised, so a new
run starts at the identity and the style grows out of the photo instead of out of noise. No
normalisation layers (instance/batch norm make the tone flicker from frame to frame on video), a stride-2
first layer, inverted-residual blocks at 1/4 resolution where almost all of the computation happens, and
resize-then-conv upsampling (overlapping transposed convolutions leave checkerboard patterns; the only
transposed conv, in the `subpixel` head, has kernel = stride = 2, so it writes each output pixel once).

The fixed stages around the residual network (colour, planes, canvas, lines) are in `fixed_stages.py`.

Images are float RGB in [0, 1], NCHW.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from vst_desktop.training.fixed_stages import CanvasStage, ColourStage, FlattenStage, LeadStage


@dataclass(frozen=True)
class GeneratorSpec:
    stem_channels: int  # at 1/2 resolution
    body_channels: int  # at 1/4 resolution
    blocks: int
    expand: int  # inverted-residual expansion factor
    # "half": 1x1 conv at 1/2 resolution, residual upsampled bilinearly (smooth, cheapest);
    # "full": a 3x3 conv at full resolution; "subpixel": a separable 3x3 conv at 1/2 resolution, then a
    # 2x2 stride-2 transposed conv that writes 4 sub-pixels per position: full-resolution detail such as
    # brush strokes at half-resolution cost. (A 3x3 conv to 12 channels + PixelShuffle does the same job
    # but costs 7.3 ms against about 3 ms in onnxruntime at 640x360: its DepthToSpace alone takes 4 ms.)
    head: str = "half"
    colour_stage: bool = False  # a fixed colour transform in front (the painted recipe fits it in closed form)
    # A fixed flat-colour-planes stage after the colour stage (the painted recipe's `planes` marks): Kuwahara
    # radius and passes, 0 = none. Set per run by `build_generator`, not by the named sizes.
    flatten_radius: int = 0
    flatten_passes: int = 0
    flatten_scale: int = 1  # 2: flattened at half resolution (4x cheaper), then upsampled
    flatten_sigma: float = 0.0  # > 0: Gaussian-weighted sectors of this sigma (rounded planes, not square blocks)
    # The network also sees a fixed canvas (a periodic noise field tied to pixel position): the analogy
    # teacher's marks in flat areas are a function of it, so the network can paint a plain wall and hold
    # the marks still on a still scene. Its form ("blobs", "strokes"; "" = no canvas). Set per run by
    # `build_generator`.
    canvas: str = ""
    # A per-colour gain for the canvas, which is added at full resolution (the teacher's flat-area marks follow
    # the canvas pixel for pixel; the stride-2 stem alone blurs them away). "pixel": the head writes it per
    # pixel; "smooth": the body writes it at 1/4 resolution, enlarged, so a sensor's noise cannot move it per
    # pixel; "": no gain.
    canvas_gain: str = ""
    # The canvas stage also carries the teacher's painted wall (3 colour channels, the network sees them too),
    # and the gain multiplies it instead of the grey canvas: the analogy teacher's `canvas_wall` marks.
    canvas_wall: bool = False
    canvas_period: int = 128  # px: the canvas tile's side (the teacher's tile replaces it, same side)
    # Dark lines along the painted output's borders (`fixed_stages.LeadStage`), this dark at full strength;
    # 0 = none. Set per run by `build_generator`.
    lead_darkness: float = 0.0


GENERATOR_SIZES: dict[str, GeneratorSpec] = {
    # CPU real time: 640x360 in a few ms on 2 cores (measured in docs/research/training_log.md).
    "fast": GeneratorSpec(stem_channels=16, body_channels=32, blocks=4, expand=3, head="half"),
    # GPU: wider body and a full-resolution head for pixel-level texture.
    "quality": GeneratorSpec(stem_channels=32, body_channels=96, blocks=8, expand=4, head="full",
                             colour_stage=True),
    # CPU real time with brush strokes: `fast` with a closed-form colour stage and a sub-pixel head (the
    # painted recipe's strokes are 1-2 px wide; the bilinear half-resolution head blurs them away).
    # Expansion 2 instead of 3: 16 ms instead of 21 at 640x360, same texture gain (docs/research/training_log.md).
    "painter": GeneratorSpec(stem_channels=16, body_channels=32, blocks=4, expand=2,
                             head="subpixel", colour_stage=True),
}


def _act() -> nn.Module:
    # LeakyReLU rather than ReLU: a zero-initialised network must not start with dead units.
    return nn.LeakyReLU(0.2, inplace=True)


class InvertedResidual(nn.Module):
    """MobileNetV2 block without normalisation: 1x1 expand, 3x3 depthwise, 1x1 project, skip."""

    def __init__(self, channels: int, expand: int) -> None:
        super().__init__()
        hidden = channels * expand
        self.body = nn.Sequential(
            nn.Conv2d(channels, hidden, 1), _act(),
            nn.Conv2d(hidden, hidden, 3, padding=1, groups=hidden), _act(),
            nn.Conv2d(hidden, channels, 1),
        )
        # Start each block near the identity too: small last layer keeps early training stable.
        nn.init.normal_(self.body[-1].weight, std=1e-3)
        nn.init.zeros_(self.body[-1].bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


def _sep_conv(cin: int, cout: int, stride: int = 1) -> nn.Sequential:
    """Depthwise 3x3 then pointwise 1x1: a 3x3 conv at a fraction of the cost."""
    return nn.Sequential(
        nn.Conv2d(cin, cin, 3, stride=stride, padding=1, groups=cin),
        nn.Conv2d(cin, cout, 1), _act(),
    )


class GeneratorStages(NamedTuple):
    """A generator's pass at full strength, stage by stage (what a training step's loss terms read)."""

    prepared: torch.Tensor  # after the colour stage: what the stroke teacher paints
    base: torch.Tensor  # after the planes stage (= prepared without one): what the residual is added to
    out: torch.Tensor  # the output, base + residual
    feats: list[torch.Tensor]  # the encoder's features of `base` (PatchNCE)


class Generator(nn.Module):
    def __init__(self, spec: GeneratorSpec) -> None:
        super().__init__()
        self.spec = spec
        c1, c2 = spec.stem_channels, spec.body_channels
        self.canvas = CanvasStage(spec.canvas, wall=spec.canvas_wall, period=spec.canvas_period) if spec.canvas else None
        # residual RGB (+ the canvas gain RGB where the head writes it)
        out_channels = 6 if spec.canvas and spec.canvas_gain == "pixel" else 3
        extra = 0 if self.canvas is None else self.canvas.channels
        self.stem = nn.Sequential(nn.Conv2d(3 + extra, c1, 3, stride=2, padding=1), _act())
        self.down = _sep_conv(c1, c2, stride=2)
        self.blocks = nn.ModuleList([InvertedResidual(c2, spec.expand) for _ in range(spec.blocks)])
        self.up = _sep_conv(c2, c1)
        self.colour = ColourStage() if spec.colour_stage else None
        self.flatten = (FlattenStage(spec.flatten_radius, spec.flatten_passes, scale=spec.flatten_scale,
                                     sigma=spec.flatten_sigma)
                        if spec.flatten_radius > 0 and spec.flatten_passes > 0 else None)
        self.lead = LeadStage(spec.lead_darkness) if spec.lead_darkness > 0 else None
        if spec.head == "subpixel":
            self.head = nn.Sequential(_sep_conv(c1, c1), nn.ConvTranspose2d(c1, out_channels, 2, stride=2))
        elif spec.head == "full":
            self.head = nn.Sequential(_sep_conv(c1, c1), nn.Conv2d(c1, out_channels, 3, padding=1))
        else:
            # 1x1: the spatial filtering is already done by `up`; a 3-channel 3x3 conv is slow in ORT.
            self.head = nn.Sequential(nn.Conv2d(c1, out_channels, 1))
        last = self.last_conv
        nn.init.zeros_(last.weight)  # training starts exactly at the identity
        nn.init.zeros_(last.bias)
        self.gain_head = nn.Conv2d(c2, 3, 1) if spec.canvas and spec.canvas_gain == "smooth" else None
        if self.gain_head is not None:
            nn.init.zeros_(self.gain_head.weight)
            nn.init.zeros_(self.gain_head.bias)

    @property
    def last_conv(self) -> nn.Conv2d | nn.ConvTranspose2d:
        return [m for m in self.head if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d))][-1]

    def prepare(self, x: torch.Tensor) -> torch.Tensor:
        """The input after the colour stage (what the stroke teacher paints)."""
        return x if self.colour is None else self.colour(x)

    @property
    def feature_channels(self) -> list[int]:
        """Channels of the layers `encode` returns (PatchNCE builds its projection heads from these)."""
        c1, c2 = self.spec.stem_channels, self.spec.body_channels
        return [c1, c2, c2, c2]

    def encode(self, x: torch.Tensor, canvas: torch.Tensor | None = None) -> list[torch.Tensor]:
        """The encoder's own features, used by PatchNCE: stem, down, middle block, last block. `canvas`:
        the canvas the network sees (default: the frame's own; training passes a moved one)."""
        feats = []
        if self.canvas is not None:
            x = torch.cat([x, self.canvas(x) if canvas is None else canvas], 1)
        h = self.stem(x)
        feats.append(h)
        h = self.down(h)
        feats.append(h)
        mid = len(self.blocks) // 2
        for i, block in enumerate(self.blocks):
            h = block(h)
            if i + 1 == mid:
                feats.append(h)
        feats.append(h)
        return feats

    def residual(self, x: torch.Tensor, canvas: torch.Tensor | None = None) -> tuple[torch.Tensor, list[torch.Tensor]]:
        feats = self.encode(x, canvas)
        skip, h = feats[0], feats[-1]
        h = F.interpolate(h, scale_factor=2.0, mode="nearest")
        h = self.up(h) + skip  # the skip keeps the photo's detail without making the body carry it
        if self.spec.head == "full":
            h = F.interpolate(h, scale_factor=2.0, mode="nearest")
            r = self.head(h)
        else:
            r = self.head(h)
        if self.gain_head is not None:  # the smooth gain joins the head's output at its resolution
            up = 2.0 if self.spec.head == "half" else 4.0
            gain = F.interpolate(self.gain_head(feats[-1]), scale_factor=up, mode="bilinear", align_corners=False)
            r = torch.cat([r, gain], 1)
        return r, feats

    def upsample_residual(self, r: torch.Tensor) -> torch.Tensor:
        if self.spec.head != "half":
            return r
        return F.interpolate(r, scale_factor=2.0, mode="bilinear", align_corners=False)

    def change(self, r: torch.Tensor, canvas: torch.Tensor | None) -> torch.Tensor:
        """What the head's output `r` adds to the picture: the residual, plus the canvas times its gain."""
        r = self.upsample_residual(r)
        if r.shape[1] == 3:
            return r
        basis = canvas[:, 1:] if canvas.shape[1] == 4 else canvas  # the painted wall where there is one
        return r[:, :3] + r[:, 3:] * basis

    def stages(self, x: torch.Tensor, canvas: torch.Tensor | None = None) -> GeneratorStages:
        """`forward` at strength 1, keeping every stage's result (training reads them; export and inference
        use `forward`, whose strength blends the planes and the residual in)."""
        prepared = self.prepare(x)
        base = prepared if self.flatten is None else self.flatten(prepared)
        if self.canvas is not None and canvas is None:
            canvas = self.canvas(base)
        r, feats = self.residual(base, canvas)
        out = base + self.change(r, canvas)
        return GeneratorStages(prepared, base, out if self.lead is None else self.lead(out), feats)

    def forward(self, x: torch.Tensor, strength: torch.Tensor | float = 1.0,
                canvas: torch.Tensor | None = None) -> torch.Tensor:
        """`canvas`: the canvas the network reads (e.g. CanvasStage.at, moved with the camera); default: in place."""
        x = self.prepare(x)
        if self.flatten is not None:  # strength fades the planes too: at 0, the palette alone
            x = x + strength * (self.flatten(x) - x)
        if self.canvas is not None and canvas is None:
            canvas = self.canvas(x)
        r, _ = self.residual(x, canvas)
        # Strength scales the residual before upsampling: 4x fewer multiplications at inference.
        out = x + self.change(strength * r, canvas)
        return out if self.lead is None else self.lead(out, strength)


def build_generator(size: str, flatten_radius: int = 0, flatten_passes: int = 0, flatten_scale: int = 1,
                    canvas: str = "", canvas_gain: str = "", canvas_wall: bool = False,
                    flatten_sigma: float = 0.0, lead_darkness: float = 0.0, canvas_period: int = 128) -> Generator:
    try:
        spec = GENERATOR_SIZES[size]
    except KeyError:
        raise ValueError(f"unknown generator size {size!r}; choose from {sorted(GENERATOR_SIZES)}") from None
    return Generator(dataclasses.replace(spec, flatten_radius=flatten_radius, flatten_passes=flatten_passes,
                                         flatten_scale=flatten_scale, flatten_sigma=flatten_sigma, canvas=canvas,
                                         canvas_gain=canvas_gain, canvas_wall=canvas_wall,
                                         canvas_period=canvas_period, lead_darkness=lead_darkness))


class PatchDiscriminator(nn.Module):
    """A PatchGAN with spectral norm: each output value judges one receptive field (about 34 px)."""

    def __init__(self, in_channels: int, width: int, layers: int = 3) -> None:
        super().__init__()
        mods: list[nn.Module] = []
        c = in_channels
        for i in range(layers):
            out = width * (2 ** i)
            mods += [spectral_norm(nn.Conv2d(c, out, 4, stride=2, padding=1)), nn.LeakyReLU(0.2)]
            c = out
        mods += [spectral_norm(nn.Conv2d(c, c, 3, padding=1)), nn.LeakyReLU(0.2),
                 spectral_norm(nn.Conv2d(c, 1, 3, padding=1))]
        self.net = nn.Sequential(*mods)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class MultiScaleDiscriminator(nn.Module):
    """Two patch discriminators, at full and half resolution: fine texture and larger shapes.

    `conditional=True` is the paired mode's D(x, y): it sees the input photo beside the image it judges,
    so it can punish outputs that do not belong to their input.
    """

    def __init__(self, width: int = 32, conditional: bool = False, scales: int = 2) -> None:
        super().__init__()
        self.conditional = conditional
        cin = 6 if conditional else 3
        self.scales = nn.ModuleList([PatchDiscriminator(cin, width) for _ in range(scales)])

    def forward(self, h: torch.Tensor) -> list[torch.Tensor]:
        """h: the judged image, or in conditional mode cat([input, image]) on channels (6 channels)."""
        h = h * 2.0 - 1.0
        outs = []
        for i, d in enumerate(self.scales):
            if i:
                h = F.avg_pool2d(h, 2)
            outs.append(d(h))
        return outs


class PatchSampleMLP(nn.Module):
    """CUT's projection heads: one small MLP per encoder layer, applied to sampled feature positions."""

    def __init__(self, channels: list[int], dim: int = 128) -> None:
        super().__init__()
        self.heads = nn.ModuleList(
            [nn.Sequential(nn.Linear(c, dim), nn.ReLU(inplace=True), nn.Linear(dim, dim)) for c in channels])

    def forward(self, feats: list[torch.Tensor], ids: list[torch.Tensor]) -> list[torch.Tensor]:
        out = []
        for head, f, idx in zip(self.heads, feats, ids, strict=True):
            flat = f.flatten(2).transpose(1, 2)  # B, HW, C
            picked = flat[:, idx, :].flatten(0, 1)  # B*P, C
            out.append(F.normalize(head(picked), dim=1))
        return out

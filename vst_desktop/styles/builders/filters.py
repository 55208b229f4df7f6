"""The two built-in film looks, written as ONNX graphs (no torch): all colour maths runs inside the
graph, so they follow the same contract as a trained GAN style.

- "Black & white film": panchromatic channel mix, lens vignette, S-shaped tone curve with a little extra
  contrast, and fresh fine grain every frame.
- "Classic film": slightly desaturated, faded warm tone curve (lifted blacks, creamy highlights),
  teal shadows / orange highlights split toning, lighter grain, vignette.

Grain comes from `RandomUniformLike`, so every frame gets new grain like real film (a fixed noise image
would look like a dirty lens). It is drawn at half resolution and upsampled bilinearly: that gives it a
soft ~2 px structure instead of hard single-pixel digital noise, and costs a quarter of the random
numbers (RandomNormalLike and a blur measured 6x slower). The amplitude follows the tone: film grain
shows most in the mid-tones. The seed only makes a session's sequence reproducible (tests,
thumbnails); every run still draws new grain.
"""

from __future__ import annotations

import math

import numpy as np
import onnx

from vst_desktop.styles.builders.graph import GraphBuilder

# Luminance weights in B, G, R order. Panchromatic black & white film is a little more red-sensitive
# than the eye (Rec.601 is 0.114, 0.587, 0.299): skin gets lighter, blue skies darker.
BW_MIX = [0.10, 0.55, 0.35]
REC601_BGR = [0.114, 0.587, 0.299]
GRAIN_SEED = 1234.0
# Std of uniform noise on [-1, 1] after 2x bilinear upsampling (output taps weigh 9/16, 3/16, 3/16, 1/16).
_GRAIN_UNIT_STD = math.sqrt(1.0 / 3.0) * math.sqrt((81 + 9 + 9 + 1) / 256.0)


def _vignette(g: GraphBuilder, amount: float) -> str:
    """A [1, 1, H, W] multiplier: 1 in the middle, 1 - amount in the corners, for any frame size.

    Coordinates are built from the frame's runtime shape (Shape + Range), so H and W stay dynamic;
    the ellipse follows the frame's aspect ratio, as a lens vignette does on a cropped sensor.
    """
    shape = g.op("Shape", "frame")  # [1, H, W, 3]

    def axis(index: int, target_shape: list[int]) -> str:
        n = g.op("Cast", g.op("Gather", shape, g.const(index, np.int64)), to=onnx.TensorProto.FLOAT)
        centres = g.op("Range", g.const(0.5), n, g.const(1.0))  # 0.5, 1.5, ... n - 0.5
        unit = g.sub(g.op("Div", g.mul(centres, g.const(2.0)), n), g.const(1.0))  # -1 .. 1
        return g.op("Reshape", g.mul(unit, unit), g.const(target_shape, np.int64))

    d2 = g.add(axis(1, [1, 1, -1, 1]), axis(2, [1, 1, 1, -1]))  # 0 in the centre, 2 in the corners
    half = g.mul(d2, g.const(0.5))
    falloff = g.mul(half, half)  # flat in the middle, steepening towards the corners
    return g.sub(g.const(1.0), g.mul(falloff, g.const(amount)))


def _grain(g: GraphBuilder, tone: str, sigma: float, seed: float) -> str:
    """Fresh-per-frame film grain [1, 1, H, W] with std `sigma` in mid-tones, for `tone` in 0..1."""
    half = g.op("Slice", tone, g.const([0, 0], np.int64), g.const([2**62, 2**62], np.int64),
                g.const([2, 3], np.int64), g.const([2, 2], np.int64), name="half_res")
    amp = sigma / _GRAIN_UNIT_STD
    noise = g.op("RandomUniformLike", half, dtype=onnx.TensorProto.FLOAT, low=-amp, high=amp, seed=seed)
    full = g.op("Resize", noise, "", "", g.op("Shape", tone), mode="linear", name="grain")
    # Mid-tones carry the most grain; deep shadows and bright highlights about a third of it.
    mid = g.mul(g.mul(tone, g.sub(g.const(1.0), tone)), g.const(4.0 * 0.65))
    return g.mul(full, g.add(mid, g.const(0.35)))


def build_bw_film() -> onnx.ModelProto:
    g = GraphBuilder("bw_film")
    frame_f = g.frame_input_float()
    lum = g.luminance(frame_f, [w / 255.0 for w in BW_MIX])  # [1, 1, H, W] in 0..1
    exposed = g.mul(lum, _vignette(g, 0.42))  # the lens darkens the corners before "development"
    curve = g.lerp(exposed, g.smoothstep(exposed), g.const(0.55))
    contrast = g.add(g.mul(g.sub(curve, g.const(0.5)), g.const(1.06)), g.const(0.5))
    tone = g.clip01(contrast)
    grainy = g.clip01(g.add(tone, _grain(g, tone, sigma=0.03, seed=GRAIN_SEED)))
    effect = g.mul(grainy, g.const(255.0))  # one plane: broadcasting makes B = G = R
    return g.finish(frame_f, effect, "Black & white film look (vst-desktop built-in filter)")


# Classic film look, all in 0..1: faded print levels (lifted blacks; highlights held below white and
# warm, with less blue), a gentle S-curve, and teal shadows / orange highlights. B, G, R order.
CLASSIC_BLACK = np.array([0.075, 0.07, 0.065], np.float32)
CLASSIC_WHITE = np.array([0.86, 0.93, 0.985], np.float32)
CLASSIC_CURVE = 0.30  # how far towards smoothstep the tone curve goes
CLASSIC_DESAT = 0.10
TEAL = np.array([0.03, 0.015, -0.02], np.float32)
ORANGE = np.array([-0.05, 0.008, 0.045], np.float32)


def build_classic_film() -> onnx.ModelProto:
    """Written as polynomials (Horner form) with folded constants: every operation on the three full
    colour planes costs about a millisecond at 640x360 on a small CPU, so the graph keeps few of them.
    """
    g = GraphBuilder("classic_film")
    frame_f = g.frame_input_float()  # [1, 3, H, W], 0..255
    lum_255 = g.luminance(frame_f, REC601_BGR)  # [1, 1, H, W]
    scale = g.mul(_vignette(g, 0.32), g.const(1.0 / 255.0))  # lens falloff and 0..1, one plane
    # Slight desaturation (colour negative printed on paper is gentler than a sensor):
    # d = (1 - k) x + k lum(x); the luminance of d is the luminance of x.
    d = g.add(g.mul(frame_f, g.mul(scale, g.const(1.0 - CLASSIC_DESAT))),
              g.mul(lum_255, g.mul(scale, g.const(CLASSIC_DESAT))))
    lum = g.mul(lum_255, scale)
    # curve(d) = d + c (smoothstep(d) - d) = (1 - c) d + 3c d^2 - 2c d^3, then the print levels
    # black + (white - black) curve(d), per channel. 255 is folded in: the result is 0..255.
    c, span = CLASSIC_CURVE, (CLASSIC_WHITE - CLASSIC_BLACK) * 255.0
    a1, a2, a3 = g.channel_const((1 - c) * span), g.channel_const(3 * c * span), g.channel_const(-2 * c * span)
    curve = g.mul(d, g.add(a1, g.mul(d, g.add(a2, g.mul(d, a3)))))
    # Split toning by the print's luminance (one plane: the neutral curve applied to lum):
    # teal (1 - t)^2 + orange t^2 = teal + t (-2 teal + t (teal + orange)).
    w = np.array(REC601_BGR, np.float32)
    neutral_black, neutral_span = float(w @ CLASSIC_BLACK), float(w @ (CLASSIC_WHITE - CLASSIC_BLACK))
    lum_curve = g.lerp(lum, g.smoothstep(lum), g.const(c))
    t = g.clip01(g.add(g.const(neutral_black), g.mul(lum_curve, g.const(neutral_span))))
    t1, t2 = g.channel_const(-2 * TEAL * 255.0), g.channel_const((TEAL + ORANGE) * 255.0)
    toning = g.mul(t, g.add(t1, g.mul(t, t2)))
    base = g.channel_const((CLASSIC_BLACK + TEAL) * 255.0)
    grain = g.mul(_grain(g, t, sigma=0.02, seed=GRAIN_SEED + 1), g.const(255.0))  # one plane for B, G, R
    effect = g.add(g.add(curve, g.add(toning, base)), grain)
    return g.finish(frame_f, effect, "Classic warm film look (vst-desktop built-in filter)")


FILTERS = {
    "bw_film": {
        "build": build_bw_film,
        "name": "Black & white film",
        "description": "Black and white film: panchromatic tones, an S-shaped curve, fine moving grain "
                       "and a soft vignette.",
    },
    "classic_film": {
        "build": build_classic_film,
        "name": "Classic film",
        "description": "Faded warm print with lifted blacks, teal shadows and orange highlights, fine "
                       "moving grain and a soft vignette.",
    },
}

"""The network of Johnson et al., "Perceptual Losses for Real-Time Style Transfer" (2016), with random
weights: the yardstick `bench` and `doctor` time this project's styles against.

conv 9x9/32 s1, conv 3x3/64 s2, conv 3x3/128 s2, 5 residual blocks of 128, transposed conv 3x3/64 and
3x3/32 (s2), conv 9x9/3; instance norm + ReLU after every conv but the last, scaled tanh output. It
follows the style contract (uint8 BGR [1, H, W, 3] in and out, `strength`), so it loads like a style.
H and W must be multiples of 4 (the contract asks for multiples of 8).
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto

from vst_desktop.styles.builders.graph import GraphBuilder

SEED = 2016


class _Net:
    def __init__(self, g: GraphBuilder, rng: np.random.Generator) -> None:
        self.g, self.rng = g, rng

    def _he(self, shape: tuple[int, ...], fan_in: int) -> np.ndarray:
        # He initialisation keeps activations in a sane range, so timings see realistic numbers.
        return (self.rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(np.float32)

    def conv(self, x: str, cin: int, cout: int, k: int, stride: int = 1) -> str:
        w = self.g.const(self._he((cout, cin, k, k), cin * k * k), name="w")
        b = self.g.const(np.zeros(cout, np.float32), name="b")
        p = k // 2
        return self.g.op("Conv", x, w, b, kernel_shape=[k, k], strides=[stride, stride], pads=[p, p, p, p])

    def up(self, x: str, cin: int, cout: int) -> str:
        w = self.g.const(self._he((cin, cout, 3, 3), cin * 9), name="w")
        b = self.g.const(np.zeros(cout, np.float32), name="b")
        return self.g.op("ConvTranspose", x, w, b, kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1],
                         output_padding=[1, 1])

    def norm(self, x: str, c: int, relu: bool = True) -> str:
        scale = self.g.const(np.ones(c, np.float32), name="gamma")
        bias = self.g.const(np.zeros(c, np.float32), name="beta")
        y = self.g.op("InstanceNormalization", x, scale, bias, epsilon=1e-5)
        return self.g.op("Relu", y) if relu else y


def build_johnson(seed: int = SEED) -> onnx.ModelProto:
    g = GraphBuilder("johnson_reference")
    n = _Net(g, np.random.default_rng(seed))
    frame_f = g.op("Cast", "frame", to=TensorProto.FLOAT)
    # A trained model would also reorder BGR to RGB; with random weights that is folded into conv 1.
    x = g.op("Transpose", g.mul(frame_f, g.const(1.0 / 255.0)), perm=[0, 3, 1, 2])
    x = n.norm(n.conv(x, 3, 32, 9), 32)
    x = n.norm(n.conv(x, 32, 64, 3, 2), 64)
    x = n.norm(n.conv(x, 64, 128, 3, 2), 128)
    for _ in range(5):
        y = n.norm(n.conv(x, 128, 128, 3), 128)
        y = n.norm(n.conv(y, 128, 128, 3), 128, relu=False)
        x = g.add(x, y)
    x = n.norm(n.up(x, 128, 64), 64)
    x = n.norm(n.up(x, 64, 32), 32)
    x = n.conv(x, 32, 3, 9)
    out_255 = g.mul(g.add(g.op("Tanh", x), g.const(1.0)), g.const(127.5))
    effect = g.op("Transpose", out_255, perm=[0, 2, 3, 1])
    return _finish_nhwc(g, frame_f, effect)


def _finish_nhwc(g: GraphBuilder, frame_f: str, effect: str) -> onnx.ModelProto:
    """The contract's blend and output for a graph that works in NHWC (like a trained export does)."""
    s = g.op("Clip", "strength", g.const(0.0), g.const(1.0))
    mixed = g.add(g.mul(frame_f, g.sub(g.const(1.0), s)), g.mul(effect, s))
    rounded = g.op("Round", g.op("Clip", mixed, g.const(0.0), g.const(255.0)))
    return g.build_model(g.op("Cast", rounded, to=TensorProto.UINT8),
                         "Johnson et al. (2016) fast style transfer architecture, random weights")

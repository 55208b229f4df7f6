from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from vst_desktop.core.errors import StyleError
from vst_desktop.core.paths import builtin_styles_dir
from vst_desktop.styles.builders.graph import IR_VERSION
from vst_desktop.styles.validate import check_contract, validate_onnx


def _save(tmp_path, name, nodes, inputs, outputs, opset=17):
    graph = helper.make_graph(nodes, name, inputs, outputs)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], ir_version=IR_VERSION)
    path = tmp_path / f"{name}.onnx"
    onnx.save(model, str(path))
    return path


def _frame(dtype=TensorProto.UINT8, shape=(1, "H", "W", 3), name="frame"):
    return helper.make_tensor_value_info(name, dtype, list(shape))


def test_builtin_is_valid():
    validate_onnx(builtin_styles_dir() / "bw_film.onnx")


def test_random_bytes_are_rejected(tmp_path):
    bad = tmp_path / "noise.onnx"
    bad.write_bytes(np.random.default_rng(0).integers(0, 256, 2000, dtype=np.uint8).tobytes())
    with pytest.raises(StyleError, match="noise.onnx"):
        validate_onnx(bad)


def test_float_model_is_rejected(tmp_path):
    path = _save(tmp_path, "float_model", [helper.make_node("Identity", ["frame"], ["stylized"])],
                 [_frame(TensorProto.FLOAT)], [_frame(TensorProto.FLOAT, name="stylized")])
    with pytest.raises(StyleError, match="float_model.onnx.*uint8"):
        validate_onnx(path)


def test_missing_output_name_is_rejected(tmp_path):
    path = _save(tmp_path, "wrong_output", [helper.make_node("Identity", ["frame"], ["out"])],
                 [_frame()], [_frame(name="out")])
    with pytest.raises(StyleError, match="no output named 'stylized'"):
        validate_onnx(path)


def test_fixed_size_and_old_opset_are_rejected(tmp_path):
    fixed = _save(tmp_path, "fixed", [helper.make_node("Identity", ["frame"], ["stylized"])],
                  [_frame(shape=(1, 48, 64, 3))], [_frame(shape=(1, 48, 64, 3), name="stylized")])
    with pytest.raises(StyleError, match="dynamic"):
        check_contract(fixed)
    old = _save(tmp_path, "old", [helper.make_node("Identity", ["frame"], ["stylized"])],
                [_frame()], [_frame(name="stylized")], opset=13)
    with pytest.raises(StyleError, match="opset 13"):
        validate_onnx(old)


def test_output_shape_is_checked_by_running(tmp_path):
    # Declares [1, H, W, 3] but really halves the width: only a real run shows it.
    starts = helper.make_tensor("starts", TensorProto.INT64, [1], [0])
    ends = helper.make_tensor("ends", TensorProto.INT64, [1], [32])
    axes = helper.make_tensor("axes", TensorProto.INT64, [1], [2])
    graph = helper.make_graph([helper.make_node("Slice", ["frame", "starts", "ends", "axes"], ["stylized"])],
                              "half", [_frame()], [_frame(name="stylized")], initializer=[starts, ends, axes])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=IR_VERSION)
    path = tmp_path / "half.onnx"
    onnx.save(model, str(path))
    with pytest.raises(StyleError, match=r"half.onnx.*\[1, 48, 32, 3\]"):
        validate_onnx(path)


def test_wrong_strength_type_is_rejected(tmp_path):
    path = _save(tmp_path, "bad_strength", [helper.make_node("Identity", ["frame"], ["stylized"])],
                 [_frame(), helper.make_tensor_value_info("strength", TensorProto.INT32, [1])],
                 [_frame(name="stylized")])
    with pytest.raises(StyleError, match="strength"):
        validate_onnx(path)


def _canvas_model(tmp_path, shape=(1, 4, "H", "W"), tile_shape=(1, 4, 8, 8), tile=True):
    """frame -> stylized, reading a canvas input (summed, so that it must be fed) beside its tile."""
    nodes = [helper.make_node("Identity", ["frame"], ["stylized"]),
             helper.make_node("ReduceSum", ["canvas"], ["unused"], keepdims=0)]
    graph = helper.make_graph(nodes, "canvas", [_frame(), helper.make_tensor_value_info("canvas", TensorProto.FLOAT,
                                                                                         list(shape))],
                              [_frame(name="stylized")])
    if tile:
        graph.initializer.append(onnx.numpy_helper.from_array(np.ones(tile_shape, np.float32), "canvas_tile"))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=IR_VERSION)
    path = tmp_path / "canvas.onnx"
    onnx.save(model, str(path))
    return path


@pytest.mark.parametrize("kw", [dict(shape=(1, "H", "W", 2)), dict(shape=(1, "C", "H", "W")), dict(tile=False),
                                dict(tile_shape=(1, 3, 8, 8)), dict(tile_shape=(4, 8, 8)),
                                dict(tile_shape=(1, 4, 0, 8)), dict(tile_shape=(1, 4, 2048, 8))])
def test_a_canvas_style_without_a_matching_tile_is_rejected(tmp_path, kw):
    with pytest.raises(StyleError, match="canvas"):
        validate_onnx(_canvas_model(tmp_path, **kw))


def test_a_canvas_style_is_fed_its_canvas_when_checked(tmp_path):
    validate_onnx(_canvas_model(tmp_path))

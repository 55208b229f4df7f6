"""Does an ONNX file follow the style contract (DESIGN.md section 4)? Two levels:

- `check_contract(path)`: parse the file and check opset, input and output names, types and shapes
  (cheap enough for every gallery listing);
- `validate_onnx(path)`: that, plus `onnx.checker` and one real run on a small frame with onnxruntime
  on the CPU (done once, when a style is installed).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from google.protobuf.message import DecodeError
from onnxruntime.capi import onnxruntime_pybind11_state as _ort_state

from vst_desktop.core.errors import StyleError

# onnxruntime's exception classes do not derive from RuntimeError; name the ones a bad model raises.
_ORT_ERRORS = tuple(getattr(_ort_state, n) for n in (
    "Fail", "InvalidArgument", "InvalidProtobuf", "InvalidGraph", "NotImplemented", "RuntimeException")
    if hasattr(_ort_state, n)) + (RuntimeError, ValueError)

MIN_OPSET = 17
PROBE_WIDTH, PROBE_HEIGHT = 64, 48
_HINT = "Re-export the style with `vst-desktop train` or the exporter, or choose another file."


def _fail(path: Path, what: str) -> StyleError:
    return StyleError(f"{Path(path).name} is not a usable style model: {what}.", _HINT)


def _dims(value_info: onnx.ValueInfoProto) -> list[int | None]:
    """Static sizes, None for a dynamic (named or unknown) dimension."""
    shape = value_info.type.tensor_type.shape
    return [d.dim_value if d.HasField("dim_value") else None for d in shape.dim]


def _elem(value_info: onnx.ValueInfoProto) -> str:
    return onnx.TensorProto.DataType.Name(value_info.type.tensor_type.elem_type).lower()


def load_model(path: str | Path) -> onnx.ModelProto:
    path = Path(path)
    if not path.is_file():
        raise StyleError(f"{path} does not exist.", "Check the path, or reinstall the style.")
    try:
        return onnx.load(str(path))
    except (DecodeError, ValueError, OSError, RuntimeError) as e:
        raise _fail(path, f"it is not an ONNX model (the file could not be parsed: {e})") from e


def _check_image(path: Path, vi: onnx.ValueInfoProto | None, role: str, name: str) -> None:
    if vi is None:
        raise _fail(path, f"it has no {role} named '{name}'")
    if _elem(vi) != "uint8":
        raise _fail(path, f"{role} '{name}' must be uint8, not {_elem(vi)}")
    dims = _dims(vi)
    if len(dims) != 4 or dims[0] not in (1, None) or dims[3] != 3:
        raise _fail(path, f"{role} '{name}' must have shape [1, H, W, 3] (BGR), not {dims}")
    if dims[1] is not None or dims[2] is not None:
        raise _fail(path, f"{role} '{name}' has a fixed size {dims[1]}x{dims[2]}; H and W must be dynamic")


def check_contract(path: str | Path, model: onnx.ModelProto | None = None) -> onnx.ModelProto:
    """Parse `path` and check opset and IO against the contract; returns the parsed model."""
    path = Path(path)
    model = model if model is not None else load_model(path)
    opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 0)
    if opset < MIN_OPSET:
        raise _fail(path, f"it uses opset {opset}; version {MIN_OPSET} or newer is required")
    graph = model.graph
    initializers = {t.name for t in graph.initializer}
    inputs = {i.name: i for i in graph.input if i.name not in initializers}
    outputs = {o.name: o for o in graph.output}
    _check_image(path, inputs.get("frame"), "input", "frame")
    _check_image(path, outputs.get("stylized"), "output", "stylized")
    strength = inputs.get("strength")
    if strength is not None and (_elem(strength) != "float" or _dims(strength) not in ([1], [None])):
        raise _fail(path, f"input 'strength' must be float32 [1], not {_elem(strength)} {_dims(strength)}")
    extra = sorted(set(inputs) - {"frame", "strength"})
    if extra:
        raise _fail(path, f"it has unexpected inputs {extra} (only 'frame' and 'strength' are fed)")
    return model


def validate_onnx(path: str | Path) -> None:
    """Full check: contract, `onnx.checker`, and one run on a 64x48 frame. Raises StyleError."""
    path = Path(path)
    model = check_contract(path)
    try:
        onnx.checker.check_model(model)
    except onnx.checker.ValidationError as e:
        raise _fail(path, f"onnx.checker rejected it ({str(e).strip().splitlines()[0][:300]})") from e
    del model
    so = ort.SessionOptions()
    so.log_severity_level = 3
    so.intra_op_num_threads = 1
    frame = np.random.default_rng(0).integers(0, 256, (1, PROBE_HEIGHT, PROBE_WIDTH, 3), dtype=np.uint8)
    try:
        session = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
        feed = {"frame": frame}
        if "strength" in {i.name for i in session.get_inputs()}:
            feed["strength"] = np.array([1.0], np.float32)
        out = session.run(["stylized"], feed)[0]
    except _ORT_ERRORS as e:
        first = str(e).strip().splitlines()[0][:300] if str(e).strip() else type(e).__name__
        raise _fail(path, f"onnxruntime could not run it on a {PROBE_WIDTH}x{PROBE_HEIGHT} frame ({first})") from e
    expected = (1, PROBE_HEIGHT, PROBE_WIDTH, 3)
    if out.shape != expected or out.dtype != np.uint8:
        raise _fail(path, f"on a {PROBE_WIDTH}x{PROBE_HEIGHT} frame it returned {out.dtype} {list(out.shape)}, "
                          f"not uint8 {list(expected)}")

"""Does an ONNX file follow the style contract (docs/architecture.md, "Style packages")? Two levels:

- `check_contract(path)`: parse the file and check opset, input and output names, types and shapes
  (cheap enough for every gallery listing);
- `validate_onnx(path)`: that, plus `onnx.checker` and one real run on a small frame with onnxruntime
  on the CPU (done once, when a style is installed).

The file may come from anyone, so a model that keeps tensors in external files is refused before
anything follows its paths, and any exception of onnx or onnxruntime becomes a StyleError. `label` is
the name the person knows the file by (`mine.onnx`, not the staging copy's `style.onnx`).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort

from vst_desktop.core.errors import StyleError
from vst_desktop.inference.canvas_motion import CANVAS_INPUT, CANVAS_TILE, CanvasTile

MIN_OPSET = 17
PROBE_WIDTH, PROBE_HEIGHT = 64, 48
_HINT = "Re-export the style with `vst-desktop train` or the exporter, or choose another file."
# onnxruntime's first line carries the model path and a C++ signature before the reason, which comes
# last ("... Unsupported model IR version: 14, max supported IR version: 13"): keep its end.
_MAX_REASON = 400


def _fail(path: Path, what: str, label: str | None = None) -> StyleError:
    return StyleError(f"{label or Path(path).name} is not a usable style model: {what}.", _HINT)


def _reason(exc: BaseException, path: Path, label: str | None) -> str:
    """The first line of `exc`, with our staging path replaced by the user's name for the file."""
    text = str(exc).strip()
    if not text:
        return type(exc).__name__
    line = text.splitlines()[0].replace(str(path), label or Path(path).name)
    line = re.sub(r"\S*onnxruntime_src\S*:\d+ ", "", line)  # a build path of onnxruntime's own sources
    if len(line) > _MAX_REASON:
        line = f"{line[:100]} … {line[-(_MAX_REASON - 100):]}"
    return line


def _dims(value_info: onnx.ValueInfoProto) -> list[int | None]:
    """Static sizes, None for a dynamic (named or unknown) dimension."""
    shape = value_info.type.tensor_type.shape
    return [d.dim_value if d.HasField("dim_value") else None for d in shape.dim]


def _elem(value_info: onnx.ValueInfoProto) -> str:
    code = value_info.type.tensor_type.elem_type
    try:
        return onnx.TensorProto.DataType.Name(code).lower()
    except ValueError:  # a number no ONNX version defines (a damaged file)
        return f"unknown type {code}"


def _graphs(model: onnx.ModelProto):
    """The main graph, every subgraph (If/Loop/Scan bodies) and the nodes of local functions."""
    stack = [model.graph]
    while stack:
        graph = stack.pop()
        yield graph.initializer, graph.sparse_initializer, graph.node
        for node in graph.node:
            for attr in node.attribute:
                stack.extend([attr.g] if attr.HasField("g") else [])
                stack.extend(attr.graphs)
    for function in model.functions:
        yield (), (), function.node


def _tensors(model: onnx.ModelProto):
    for dense, sparse, nodes in _graphs(model):
        yield from dense
        for s in sparse:
            yield from (s.values, s.indices)
        for node in nodes:
            for attr in node.attribute:
                yield from [attr.t] if attr.HasField("t") else []
                yield from attr.tensors
                for s in list(attr.sparse_tensors) + ([attr.sparse_tensor] if attr.HasField("sparse_tensor") else []):
                    yield from (s.values, s.indices)


def _refuse_external_data(path: Path, model: onnx.ModelProto, label: str | None) -> None:
    # A style is one self-contained file; external data could name any file on the disk (`../..`,
    # an absolute path, another style's model), so it is never followed.
    for tensor in _tensors(model):
        if tensor.data_location == onnx.TensorProto.EXTERNAL or len(tensor.external_data):
            where = next((e.value for e in tensor.external_data if e.key == "location"), "?")
            raise _fail(path, f"tensor {tensor.name[:80]!r} keeps its data in another file ({where[:200]!r}); "
                              "style models with external data are not accepted", label)


def load_model(path: str | Path, label: str | None = None) -> onnx.ModelProto:
    path = Path(path)
    if not path.is_file():
        raise StyleError(f"{path} does not exist.", "Check the path, or reinstall the style.")
    try:
        model = onnx.load(str(path), load_external_data=False)
    except Exception as e:  # noqa: BLE001 - protobuf and onnx raise many types for a bad file
        raise _fail(path, f"it is not an ONNX model (the file could not be parsed: {_reason(e, path, label)})",
                    label) from e
    _refuse_external_data(path, model, label)
    return model


def _check_image(path: Path, vi: onnx.ValueInfoProto | None, role: str, name: str, label: str | None) -> None:
    if vi is None:
        raise _fail(path, f"it has no {role} named '{name}'", label)
    if _elem(vi) != "uint8":
        raise _fail(path, f"{role} '{name}' must be uint8, not {_elem(vi)}", label)
    dims = _dims(vi)
    if len(dims) != 4 or dims[0] not in (1, None) or dims[3] != 3:
        raise _fail(path, f"{role} '{name}' must have shape [1, H, W, 3] (BGR), not {dims}", label)
    if dims[1] is not None or dims[2] is not None:
        raise _fail(path, f"{role} '{name}' has a fixed size {dims[1]}x{dims[2]}; H and W must be dynamic",
                    label)


def _check_canvas(path: Path, model: onnx.ModelProto, canvas: onnx.ValueInfoProto, label: str | None) -> None:
    """A canvas input is float32 [1, C, H, W] and the file holds the tile it is read from, with C channels."""
    dims = _dims(canvas)
    if _elem(canvas) != "float" or len(dims) != 4 or dims[1] is None:
        raise _fail(path, f"input '{CANVAS_INPUT}' must be float32 [1, C, H, W], not {_elem(canvas)} {dims}", label)
    try:
        tile = CanvasTile.from_model(model)
    except ValueError as e:
        raise _fail(path, f"its '{CANVAS_TILE}' cannot be read ({e})", label) from e
    if tile is None or tile.channels != dims[1]:
        got = "none" if tile is None else f"{tile.channels} channels"
        raise _fail(path, f"input '{CANVAS_INPUT}' has {dims[1]} channels but its '{CANVAS_TILE}' has {got}", label)


def check_contract(path: str | Path, model: onnx.ModelProto | None = None,
                   label: str | None = None) -> onnx.ModelProto:
    """Parse `path` and check opset and IO against the contract; returns the parsed model."""
    path = Path(path)
    model = model if model is not None else load_model(path, label)
    _refuse_external_data(path, model, label)
    opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 0)
    if opset < MIN_OPSET:
        raise _fail(path, f"it uses opset {opset}; version {MIN_OPSET} or newer is required", label)
    graph = model.graph
    initializers = {t.name for t in graph.initializer}
    inputs = {i.name: i for i in graph.input if i.name not in initializers}
    outputs = {o.name: o for o in graph.output}
    _check_image(path, inputs.get("frame"), "input", "frame", label)
    _check_image(path, outputs.get("stylized"), "output", "stylized", label)
    strength = inputs.get("strength")
    if strength is not None and (_elem(strength) != "float" or _dims(strength) not in ([1], [None])):
        raise _fail(path, f"input 'strength' must be float32 [1], not {_elem(strength)} {_dims(strength)}",
                    label)
    canvas = inputs.get(CANVAS_INPUT)
    if canvas is not None:
        _check_canvas(path, model, canvas, label)
    extra = sorted(set(inputs) - {"frame", "strength", CANVAS_INPUT})
    if extra:
        raise _fail(path, f"it has unexpected inputs {extra[:5]} (only 'frame', 'strength' and "
                          f"'{CANVAS_INPUT}' are fed)", label)
    return model


def validate_onnx(path: str | Path, label: str | None = None) -> None:
    """Full check: contract, `onnx.checker`, and one run on a 64x48 frame. Raises StyleError."""
    path = Path(path)
    model = check_contract(path, label=label)
    try:
        onnx.checker.check_model(model)
    except Exception as e:  # noqa: BLE001 - ValidationError, and whatever else a hostile graph triggers
        raise _fail(path, f"onnx.checker rejected it ({_reason(e, path, label)})", label) from e
    # checked by check_contract wherever the graph reads a canvas
    canvas_tile = CanvasTile.from_model(model) if any(i.name == CANVAS_INPUT for i in model.graph.input) else None
    del model
    so = ort.SessionOptions()
    so.log_severity_level = 3
    so.intra_op_num_threads = 1
    frame = np.random.default_rng(0).integers(0, 256, (1, PROBE_HEIGHT, PROBE_WIDTH, 3), dtype=np.uint8)
    try:
        session = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
        feed = {"frame": frame}
        names = {i.name for i in session.get_inputs()}
        if "strength" in names:
            feed["strength"] = np.array([1.0], np.float32)
        if CANVAS_INPUT in names and canvas_tile is not None:
            feed[CANVAS_INPUT] = canvas_tile.read(PROBE_HEIGHT, PROBE_WIDTH)
        out = session.run(["stylized"], feed)[0]
    except Exception as e:  # noqa: BLE001 - onnxruntime's exception types do not share a useful base
        raise _fail(path, f"onnxruntime could not run it on a {PROBE_WIDTH}x{PROBE_HEIGHT} frame "
                          f"({_reason(e, path, label)})", label) from e
    expected = (1, PROBE_HEIGHT, PROBE_WIDTH, 3)
    if not isinstance(out, np.ndarray) or out.shape != expected or out.dtype != np.uint8:
        got = f"{out.dtype} {list(out.shape)}" if isinstance(out, np.ndarray) else type(out).__name__
        raise _fail(path, f"on a {PROBE_WIDTH}x{PROBE_HEIGHT} frame it returned {got}, not uint8 {list(expected)}",
                    label)

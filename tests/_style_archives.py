"""Real style files for the hostile-input tests: members of an exported built-in, `.vststyle` zips made
from them, ONNX models with external data and PNGs that claim a huge size."""

from __future__ import annotations

import json
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from vst_desktop.core.paths import builtin_styles_dir
from vst_desktop.styles.builders.graph import IR_VERSION


def builtin_members(base: str = "bw_film") -> dict[str, bytes]:
    """The three files of a built-in style, by suffix (what `styles export` puts in a zip)."""
    src = builtin_styles_dir()
    return {s: (src / f"{base}.{s}").read_bytes() for s in ("onnx", "json", "png")}


def style_json(style_id: str, base: str = "bw_film", **changes) -> bytes:
    data = json.loads(builtin_members(base)["json"])
    data.update({"id": style_id, "name": f"My {style_id}"}, **changes)
    return json.dumps(data).encode()


def make_archive(path: Path, style_id: str, base: str = "bw_film", *, onnx_bytes: bytes | None = None,
                 json_bytes: bytes | None = None, png_bytes: bytes | None = None, **meta) -> Path:
    """`path`: a `.vststyle` of style `style_id` built from a built-in, with any member replaced."""
    members = builtin_members(base)
    members["onnx"] = onnx_bytes if onnx_bytes is not None else members["onnx"]
    members["json"] = json_bytes if json_bytes is not None else style_json(style_id, base, **meta)
    members["png"] = png_bytes if png_bytes is not None else members["png"]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for suffix, data in members.items():
            zf.writestr(f"{style_id}.{suffix}", data)
    return path


def put_package(folder: Path, style_id: str, base: str = "bw_film", *, onnx_bytes: bytes | None = None,
                json_bytes: bytes | None = None, png_bytes: bytes | None = None) -> None:
    """Write a package straight into a styles folder, as a copy by hand (or an older version) would."""
    folder.mkdir(parents=True, exist_ok=True)
    members = builtin_members(base)
    (folder / f"{style_id}.onnx").write_bytes(onnx_bytes if onnx_bytes is not None else members["onnx"])
    (folder / f"{style_id}.json").write_bytes(json_bytes if json_bytes is not None else style_json(style_id, base))
    (folder / f"{style_id}.png").write_bytes(png_bytes if png_bytes is not None else members["png"])


def external_data_onnx(location: str) -> bytes:
    """A contract-shaped model (frame + c -> stylized) whose constant `c` lives in file `location`."""
    c = numpy_helper.from_array(np.zeros(1, np.uint8), "c")
    c.ClearField("raw_data")
    c.data_location = TensorProto.EXTERNAL
    for key, value in (("location", location), ("offset", "0"), ("length", "1")):
        entry = c.external_data.add()
        entry.key, entry.value = key, value
    graph = helper.make_graph(
        [helper.make_node("Add", ["frame", "c"], ["stylized"])], "external",
        [helper.make_tensor_value_info("frame", TensorProto.UINT8, [1, "H", "W", 3])],
        [helper.make_tensor_value_info("stylized", TensorProto.UINT8, [1, "H", "W", 3])], [c])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=IR_VERSION)
    return model.SerializeToString()


def with_ir_version(ir_version: int, base: str = "bw_film") -> bytes:
    model = onnx.load_from_string(builtin_members(base)["onnx"])
    model.ir_version = ir_version
    return model.SerializeToString()


def with_frame_type(elem_type: int, base: str = "bw_film") -> bytes:
    """The built-in's model with input 'frame' declared as element type `elem_type` (999: none)."""
    model = onnx.load_from_string(builtin_members(base)["onnx"])
    next(i for i in model.graph.input if i.name == "frame").type.tensor_type.elem_type = elem_type
    return model.SerializeToString()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def huge_png(width: int, height: int) -> bytes:
    """A complete, valid 1-bit greyscale PNG of width x height (all black): tens of KB on disk, but a
    decoder asked for colour allocates width * height * 3 bytes."""
    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte + packed pixels
    packer = zlib.compressobj(9)
    block = row * 1000
    idat = b"".join(packer.compress(block) for _ in range(height // 1000))
    idat += packer.compress(row * (height % 1000)) + packer.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")

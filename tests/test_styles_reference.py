from __future__ import annotations

import numpy as np
import onnx

from vst_desktop.inference.session import StyleSession
from vst_desktop.styles.library import StyleLibrary
from vst_desktop.styles.reference import REFERENCE_ID, reference_onnx_path
from vst_desktop.styles.validate import check_contract


def test_reference_is_built_once_and_loads_like_a_hidden_style(isolated_home):
    path = reference_onnx_path()
    assert path.is_relative_to(isolated_home)
    mtime = path.stat().st_mtime_ns
    assert reference_onnx_path() == path and path.stat().st_mtime_ns == mtime  # cached
    model = check_contract(path)
    ops = [n.op_type for n in model.graph.node]
    assert ops.count("Conv") == 3 + 10 + 1 and ops.count("ConvTranspose") == 2
    assert ops.count("InstanceNormalization") == 3 + 10 + 2
    conv_out = [i for i in model.graph.initializer if list(i.dims)[:1] == [128]]
    assert conv_out, "residual blocks have 128 channels"
    lib = StyleLibrary(builtin_dir=path.parent, user_dir=isolated_home / "none")
    assert lib.list() == []  # hidden from the gallery
    assert lib.get(REFERENCE_ID).meta.hidden
    session = StyleSession(path, prefer_gpu=False)
    frame = np.random.default_rng(0).integers(0, 256, (48, 64, 3), dtype=np.uint8)
    assert session.run(frame).shape == (48, 64, 3)
    assert np.array_equal(session.run(frame, 0.0), frame)
    assert onnx.load(str(path)).opset_import[0].version >= 17

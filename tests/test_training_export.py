"""Export: the ONNX contract (docs/architecture.md), parity with torch on real frames, the style package,
installation, and the whole `train` command end to end (JSON-lines progress)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import onnx
import pytest
import torch

from vst_desktop.training import export
from vst_desktop.training.models import build_generator
from vst_desktop.trainspec.config import TrainConfig

ROOT = Path(__file__).resolve().parents[1]



pytestmark = pytest.mark.usefixtures("one_torch_thread")

@pytest.fixture(scope="module")
def trained_like_generator():
    """A generator with a clearly non-zero residual (random weights stand in for training)."""
    torch.manual_seed(1)
    g = build_generator("fast")
    torch.nn.init.normal_(g.head[-1].weight, std=0.2)
    torch.nn.init.normal_(g.head[-1].bias, std=0.05)
    return g


def test_onnx_contract_and_parity_on_real_frames(tmp_path, trained_like_generator):
    path = export.export_onnx(trained_like_generator, tmp_path / "s.onnx")
    model = onnx.load(str(path))
    assert model.opset_import[0].version >= 17
    inputs = {i.name: i for i in model.graph.input}
    assert set(inputs) == {"frame", "strength"}
    assert inputs["frame"].type.tensor_type.elem_type == onnx.TensorProto.UINT8
    assert [o.name for o in model.graph.output] == ["stylized"]
    assert model.graph.output[0].type.tensor_type.elem_type == onnx.TensorProto.UINT8

    frames = export.parity_frames()
    assert len(frames) >= 3 and frames[0].shape == (360, 640, 3)
    assert export.check_parity(trained_like_generator, path, frames) <= export.PARITY_TOLERANCE
    session = export.onnx_session(path)
    frame = frames[0]
    out = export.run_onnx(session, frame)
    assert out.shape == frame.shape and out.dtype == np.uint8
    assert np.abs(out.astype(int) - frame).mean() > 2  # it does something
    assert np.array_equal(export.run_onnx(session, frame, 0.0), frame)  # strength 0 = the input
    small = np.ascontiguousarray(frame[:120, :200])  # dynamic H and W
    assert export.run_onnx(session, small).shape == small.shape


def test_package_json_sources_and_thumbnail(tmp_path, shared_data, trained_like_generator):
    styles_dir = shared_data / "styles" / "monet"
    files = sorted(styles_dir.iterdir())
    user_file = tmp_path / "mine.jpg"
    cfg = TrainConfig(styles_dir=str(styles_dir), name="Monet")
    pkg = export.build_package(trained_like_generator, cfg, tmp_path / "pkg", "monet-test", "Monet",
                               files + [user_file], iterations=10, seconds=3.5, device="cpu",
                               metrics_hook=lambda onnx_path, json_path: {"hook_saw": onnx_path.name})
    meta = json.loads(pkg.json.read_text())
    assert meta["schema"] == 1 and meta["id"] == "monet-test" and meta["kind"] == "gan"
    assert meta["training"]["iterations"] == 10 and meta["training"]["config"]["styles_dir"] == str(styles_dir)
    assert meta["metrics"] == {"hook_saw": "monet-test.onnx"}
    assert meta["inference_size"] == [640, 360]
    by_file = {s["file"]: s for s in meta["sources"]}
    assert by_file["monet_water_lilies_1919.jpg"]["license"].startswith("Public domain")
    assert "Monet" in by_file["monet_water_lilies_1919.jpg"]["origin"]
    assert by_file["mine.jpg"] == {"file": "mine.jpg", "origin": "user-provided", "license": "user-provided"}
    thumb = cv2.imread(str(pkg.png))
    assert thumb.shape == (256, 256, 3)
    assert pkg.parity_max_diff <= 2

    from vst_desktop.styles.library import StyleLibrary

    installed = export.install_package(pkg)
    assert StyleLibrary().get("monet-test").onnx_path == installed.onnx_path


def test_train_command_end_to_end_jsonl(tmp_path, shared_data, isolated_home):
    """`python -m vst_desktop.training.entry` (what the GUI and torchrun launch): train, export, install."""
    run = tmp_path / "run"
    cmd = [sys.executable, "-m", "vst_desktop.training.entry", "--styles", str(shared_data / "styles" / "monet"),
           "--out", str(run), "--iterations", "3", "--progress", "jsonl", "--name", "Tiny Monet", "--no-evaluate",
           "--set", "crop_size=64", "--set", "batch_size=2", "--set", "max_image_side=256", "--set", "threads=1", "--set", "marks=strokes"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=240,
                          env={**_env(), "VST_DESKTOP_HOME": str(isolated_home)})
    assert proc.returncode == 0, proc.stderr[-3000:]
    events = [json.loads(line) for line in io.StringIO(proc.stdout)]
    kinds = [e["event"] for e in events]
    assert kinds[0] == "start" and kinds[-1] == "done"
    assert {"progress", "sample", "checkpoint"} <= set(kinds)
    done = events[-1]
    assert done["status"] == "done" and done["style_id"] == "tiny-monet" and done["parity_max_diff"] <= 2
    styles = isolated_home / "data" / "styles"
    assert {p.name for p in styles.glob("tiny-monet.*")} == {"tiny-monet.onnx", "tiny-monet.json", "tiny-monet.png"}
    assert (run / "package" / "tiny-monet.onnx").is_file()
    logged = [json.loads(line) for line in (run / "log.jsonl").read_text().splitlines()]
    assert logged[-1] == done  # the run folder tells how it ended, for a GUI that reattaches
    assert [e["event"] for e in logged].count("start") == 1


def _env() -> dict:
    import os

    return {k: v for k, v in os.environ.items() if k not in ("RANK", "WORLD_SIZE", "LOCAL_RANK")}

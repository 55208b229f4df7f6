"""From a trained generator to a style package: ONNX export, a parity check against
the torch model on real frames, the JSON with provenance, and the thumbnail.

The graph takes uint8 BGR NHWC frames and returns them the same way. The BGR order and the 0..255 scale
are folded into the first and last convolution weights rather than done per pixel at run time, so the
graph spends its time in the network, not in channel shuffles.
"""

from __future__ import annotations

import copy
import json
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import cv2
import numpy as np
import onnx
import onnxruntime as ort
import torch
from onnx import numpy_helper
from torch import nn

from vst_desktop.core import paths
from vst_desktop.core.errors import TrainingError
from vst_desktop.inference.canvas_motion import CANVAS_INPUT, CANVAS_TILE, CanvasTile, canvas_positions
from vst_desktop.training.data import bundled_content_dir, center_square, read_rgb
from vst_desktop.training.models import Generator
from vst_desktop.trainspec.config import TrainConfig

OPSET = 17
PARITY_TOLERANCE = 2  # grey levels
INFERENCE_SIZES = {"fast": [640, 360], "painter": [640, 360], "quality": [1280, 720]}
THUMBNAIL_PHOTO = "faces_cc0_006.jpg"  # a bundled photo: every style's thumbnail shows the same scene

MetricsHook = Callable[[Path, Path], dict]


class BgrUint8Generator(nn.Module):
    """The generator as the pipeline calls it: frame uint8 [1,H,W,3] BGR, strength [1] -> uint8 BGR."""

    def __init__(self, generator: Generator) -> None:
        super().__init__()
        g = copy.deepcopy(generator).cpu().eval()
        with torch.no_grad():
            if g.colour is not None:  # RGB [0, 1] -> RGB [0, 1]  becomes  BGR [0, 255] -> BGR [0, 255]
                g.colour.matrix.copy_(g.colour.matrix.flip(0).flip(1))
                g.colour.bias.copy_(g.colour.bias.flip(0) * 255.0)
                g.colour.top = 255.0
            if g.flatten is not None:  # its variance floor is in pixel units
                g.flatten.top = 255.0
            if g.lead is not None:  # its gradient threshold is in pixel units
                g.lead.top = 255.0
            if g.canvas is not None:  # the canvas channel follows the pixel scale, so the stem's /255 holds
                g.canvas.top = 255.0
            stem = g.stem[0]  # in: RGB in [0, 1]  ->  BGR in [0, 255] (a canvas channel after them keeps its place)
            w = stem.weight
            parts = [w[:, :3].flip(1), w[:, 3:4]]
            if g.canvas is not None and g.canvas.wall is not None:  # the painted wall turns to BGR as well
                g.canvas.wall.copy_(g.canvas.wall.flip(1))
                parts.append(w[:, 4:7].flip(1))
            stem.weight.copy_(torch.cat(parts, 1) / 255.0)
            head = g.last_conv  # out: RGB residual in [0, 1] units  ->  BGR in [0, 255] units
            # A transposed conv keeps its output channels in dimension 1 of the weight, a conv in dimension 0.
            out_dim = 1 if isinstance(head, nn.ConvTranspose2d) else 0
            # Each group of 3 outputs is RGB -> BGR. The residual is in pixel units (x 255); the canvas
            # gain multiplies the canvas, which is in pixel units already (x 1).
            scale = torch.tensor([255.0, 1.0][:head.bias.shape[0] // 3]).repeat_interleave(3)
            order = torch.cat([torch.arange(i + 2, i - 1, -1) for i in range(0, head.bias.shape[0], 3)])
            shape = [1] * head.weight.dim()
            shape[out_dim] = -1
            head.weight.copy_(head.weight.index_select(out_dim, order) * scale.view(shape))
            head.bias.copy_(head.bias[order] * scale)
            if g.gain_head is not None:  # the smooth canvas gain: RGB -> BGR, and no scale (see above)
                g.gain_head.weight.copy_(g.gain_head.weight.flip(0))
                g.gain_head.bias.copy_(g.gain_head.bias.flip(0))
        self.g = g

    def forward(self, frame: torch.Tensor, strength: torch.Tensor,
                canvas: torch.Tensor | None = None) -> torch.Tensor:
        x = frame.permute(0, 3, 1, 2).to(torch.float32)
        y = self.g(x, strength.view(1, 1, 1, 1), canvas)
        return y.clamp(0.0, 255.0).round().permute(0, 2, 3, 1).to(torch.uint8)


def export_onnx(generator: Generator, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    model = BgrUint8Generator(generator)
    frame = torch.zeros(1, 64, 96, 3, dtype=torch.uint8)
    strength = torch.ones(1, dtype=torch.float32)
    args, names = (frame, strength), ["frame", "strength"]
    dynamic = {"frame": {1: "height", 2: "width"}, "stylized": {1: "height", 2: "width"}}
    if model.g.canvas is not None:
        # A canvas style's canvas is an input, so that the live view can carry its marks along the camera's
        # motion; the tile it is read from travels in the file (inference/canvas_motion.py, CanvasTile).
        with torch.no_grad():
            args = (*args, model.g.canvas(frame.permute(0, 3, 1, 2).float()))
        names = [*names, CANVAS_INPUT]
        dynamic[CANVAS_INPUT] = {2: "height", 3: "width"}
    # The TorchScript exporter (dynamo=False): stable for this small conv graph with dynamic H/W. Its
    # deprecation notice is for us, not for the person training a style.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        # Its tracer notes that branches on channel counts become constants: they are fixed per model.
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        torch.onnx.export(model, args, str(path), input_names=names, output_names=["stylized"],
                          opset_version=OPSET, dynamo=False, dynamic_axes=dynamic)
    # One load and one save for what the exporter leaves out: the output's shape and a canvas style's tile.
    graph = onnx.load(str(path))
    _declare_output_shape(graph)
    if model.g.canvas is not None:
        _store_canvas_tile(graph, model.g.canvas)
    onnx.save(graph, str(path))
    return path


def _store_canvas_tile(model: onnx.ModelProto, canvas: nn.Module) -> None:
    """The tile in graph units (pixel scale, BGR wall), as an initializer no node reads: the run time's."""
    with torch.no_grad():
        tile = (canvas._tile() * canvas.top).numpy().astype(np.float32)
    model.graph.initializer.append(numpy_helper.from_array(tile, CANVAS_TILE))


def _declare_output_shape(model: onnx.ModelProto) -> None:
    """Write the output's shape, [1, height, width, 3], into the graph. The exporter's shape inference
    loses it when the graph slices by computed sizes (the planes stage), and the style contract needs it."""
    dims = model.graph.output[0].type.tensor_type.shape.dim
    if len(dims) == 4 and dims[0].HasField("dim_value") and dims[3].HasField("dim_value"):
        return
    del dims[:]
    for value in (1, "height", "width", 3):
        d = dims.add()
        if isinstance(value, int):
            d.dim_value = value
        else:
            d.dim_param = value


def torch_reference(generator: Generator, bgr: np.ndarray, strength: float = 1.0,
                    canvas_at: np.ndarray | None = None) -> np.ndarray:
    """What the ONNX graph must produce, computed the training way (RGB in [0, 1]); `canvas_at`: where a canvas
    style reads its canvas (inference/canvas_motion.py)."""
    g = generator.cpu().eval()
    rgb = torch.from_numpy(bgr[..., ::-1].copy()).permute(2, 0, 1).unsqueeze(0).float() / 255.0
    with torch.no_grad():
        where = None if canvas_at is None else torch.from_numpy(canvas_positions(*bgr.shape[:2], canvas_at))
        canvas = None if where is None else g.canvas.at(where)
        out = g(rgb, strength, canvas)[0].clamp(0, 1).permute(1, 2, 0).numpy()
    return np.round(out * 255.0).astype(np.uint8)[..., ::-1]


class ExportedModel(NamedTuple):
    session: ort.InferenceSession
    canvas: CanvasTile | None  # a canvas style's tile


def onnx_session(path: Path) -> ExportedModel:
    options = ort.SessionOptions()
    options.log_severity_level = 3
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    return ExportedModel(session, CanvasTile.from_model(onnx.load(str(path))))


def run_onnx(model: ExportedModel, bgr: np.ndarray, strength: float = 1.0,
             canvas_at: np.ndarray | None = None) -> np.ndarray:
    feed = {"frame": bgr[None], "strength": np.array([strength], np.float32)}
    if model.canvas is not None:
        feed[CANVAS_INPUT] = model.canvas.read(*bgr.shape[:2], canvas_at)
    return model.session.run(["stylized"], feed)[0][0]


def parity_frames(limit: int = 4) -> list[np.ndarray]:
    """Real frames (BGR, sizes multiple of 8): video frames and photos from the shared data when present,
    otherwise bundled content photos."""
    frames = []
    shared = paths.shared_data_dir()
    if shared is not None:
        cap = cv2.VideoCapture(str(shared / "video" / "bottle-detection.mp4"))
        for _ in range(2):
            ok, frame = cap.read()
            if ok:
                frames.append(cv2.resize(frame, (640, 360), interpolation=cv2.INTER_AREA))
        cap.release()
    photos = sorted(bundled_content_dir().glob("*.jpg"))
    for p in photos[:: max(1, len(photos) // 4)]:
        if len(frames) >= limit:
            break
        rgb = read_rgb(p)
        h, w = (rgb.shape[0] // 8) * 8, (rgb.shape[1] // 8) * 8
        frames.append(np.ascontiguousarray(rgb[:h, :w, ::-1]))
    return frames


def check_parity(generator: Generator, onnx_path: Path, frames: list[np.ndarray]) -> int:
    """Largest difference in grey levels between ONNX and torch over `frames`, at strengths 1 and 0.5 (a canvas
    style also with its canvas carried by a sub-pixel shift)."""
    session = onnx_session(onnx_path)
    # half-pixel steps: OpenCV's bilinear weights (1/32 px) and torch's agree exactly there
    moved = np.array([[1.0, 0.0, -3.5], [0.0, 1.0, 1.5 - 128 * 3]]) if generator.canvas is not None else None
    worst = 0
    for bgr in frames:
        for s, where in ((1.0, None), (0.5, None), (1.0, moved)):
            diff = np.abs(run_onnx(session, bgr, s, where).astype(np.int16)
                          - torch_reference(generator, bgr, s, where))
            worst = max(worst, int(diff.max()))
    if worst > PARITY_TOLERANCE:
        raise TrainingError(f"The exported model differs from the trained one by {worst} grey levels "
                            f"(allowed: {PARITY_TOLERANCE}).", "This is a bug in the exporter; please report it.")
    return worst


# ---- provenance ----


_ROW = re.compile(r"^\| `(?P<file>[^`]+)` \| (?P<what>[^|]*) \| (?P<source>[^|]*) \| (?P<licence>[^|]*) \|")


def shared_data_provenance() -> dict[Path, dict[str, str]]:
    """Origin and licence of each file of the shared data folder, from its README table."""
    shared = paths.shared_data_dir()
    readme = shared / "README.md" if shared else None
    if readme is None or not readme.is_file():
        return {}
    out = {}
    for line in readme.read_text(encoding="utf-8").splitlines():
        m = _ROW.match(line)
        if m:
            out[(shared / m["file"]).resolve()] = {"origin": f"{m['what'].strip()}; {m['source'].strip()}",
                                                    "license": m["licence"].strip()}
    return out


def describe_sources(files: list[Path]) -> list[dict[str, str]]:
    known = shared_data_provenance()
    sources = []
    for f in files:
        info = known.get(Path(f).resolve(), {"origin": "user-provided", "license": "user-provided"})
        sources.append({"file": Path(f).name, **info})
    return sources


def package_license(sources: list[dict[str, str]]) -> str:
    if sources and all(s["license"].lower().startswith("public domain") for s in sources):
        return "Public domain training images (see sources)"
    return "Derived from the training images listed in sources; their licences apply"


# ---- the package ----


@dataclass
class PackageFiles:
    onnx: Path
    json: Path
    png: Path
    parity_max_diff: int
    metrics: dict


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:56]
    return slug or "style"


def write_thumbnail(onnx_path: Path, png_path: Path) -> None:
    photo = read_rgb(bundled_content_dir() / THUMBNAIL_PHOTO)
    if photo is None:
        raise TrainingError("The bundled reference photo for thumbnails is missing.", "Reinstall the application.")
    bgr = np.ascontiguousarray(center_square(photo, 256)[..., ::-1])
    cv2.imwrite(str(png_path), run_onnx(onnx_session(onnx_path), bgr))


def build_package(generator: Generator, config: TrainConfig, out_dir: Path, style_id: str, name: str,
                  source_files: list[Path], iterations: int, seconds: float, device: str,
                  metrics_hook: MetricsHook | None = None) -> PackageFiles:
    """Write `<id>.onnx`, `<id>.json`, `<id>.png` into out_dir after checking the export."""
    out_dir.mkdir(parents=True, exist_ok=True)
    onnx_path = export_onnx(generator, out_dir / f"{style_id}.onnx")
    worst = check_parity(generator, onnx_path, parity_frames())
    png_path = out_dir / f"{style_id}.png"
    write_thumbnail(onnx_path, png_path)
    sources = describe_sources(source_files)
    folder = Path(config.styles_dir).name
    mode = "before/after pairs" if config.paired else "images"
    meta = {
        "schema": 1, "id": style_id, "name": name,
        "description": f"Trained from {len(source_files)} {mode} in '{folder}' ({config.preset} preset, "
                       f"{iterations} steps).",
        "kind": "gan", "license": package_license(sources), "sources": sources,
        "training": {"config": config.to_dict(), "iterations": iterations, "seconds": round(seconds, 1),
                     "device": device},
        "metrics": {}, "inference_size": INFERENCE_SIZES.get(config.generator, [640, 360]),
    }
    json_path = out_dir / f"{style_id}.json"
    json_path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    if metrics_hook is not None:
        meta["metrics"] = metrics_hook(onnx_path, json_path)
        json_path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return PackageFiles(onnx_path, json_path, png_path, worst, meta["metrics"])


def install_package(files: PackageFiles):
    """Install into the user styles folder (atomic and validated by the styles library)."""
    from vst_desktop.styles.library import StyleLibrary

    return StyleLibrary().install(files.onnx, files.json, files.png)

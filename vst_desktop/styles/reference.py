"""The Johnson et al. reference network as a (hidden) style package, built once into the cache folder.

`bench` and `doctor` time it next to this project's styles. It is not a style anyone would pick, so
its JSON says `hidden: true` and the gallery leaves it out.
"""

from __future__ import annotations

import os
from pathlib import Path

import onnx

from vst_desktop.core import paths
from vst_desktop.styles.builders.johnson import SEED, build_johnson
from vst_desktop.styles.builders.thumbnail import render_thumbnail, synthetic_photo
from vst_desktop.styles.package import StyleMeta

REFERENCE_ID = "johnson-reference"
# Bump when the builder changes, so an old cached file is never timed by mistake.
BUILD_VERSION = 1


def reference_meta() -> StyleMeta:
    return StyleMeta(
        id=REFERENCE_ID, name="Reference (Johnson et al. 2016)", kind="gan", license="MIT (own work)",
        description="Timing reference: the fast style transfer architecture of Johnson et al. (2016) "
                    "with random weights. Not a real style.",
        sources=[], training={"config": {"architecture": "johnson2016", "weights": "random", "seed": SEED},
                              "iterations": 0, "seconds": 0, "device": "none"},
        hidden=True)


def reference_dir() -> Path:
    return paths.data_dir() / "cache" / f"reference-v{BUILD_VERSION}"


def reference_onnx_path() -> Path:
    """Path of the reference network's ONNX file; builds it (and its JSON and PNG) on first use."""
    folder = reference_dir()
    onnx_path = folder / f"{REFERENCE_ID}.onnx"
    json_path = folder / f"{REFERENCE_ID}.json"
    if onnx_path.is_file() and json_path.is_file():
        return onnx_path
    folder.mkdir(parents=True, exist_ok=True)
    # Temp names then os.replace: two processes building at once each write whole files.
    tag = f".{os.getpid()}.tmp"
    tmp_onnx = folder / f"{REFERENCE_ID}{tag}.onnx"
    onnx.save(build_johnson(), str(tmp_onnx))
    tmp_png = render_thumbnail(tmp_onnx, synthetic_photo(), folder / f"{REFERENCE_ID}{tag}.png")
    tmp_json = folder / f"{REFERENCE_ID}{tag}.json"
    reference_meta().save(tmp_json)
    os.replace(tmp_onnx, onnx_path)
    os.replace(tmp_png, folder / f"{REFERENCE_ID}.png")
    os.replace(tmp_json, json_path)
    return onnx_path

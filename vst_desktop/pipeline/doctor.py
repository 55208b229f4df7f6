"""`vst-desktop doctor`: what this machine has, what runs, and why the GPU is or is not used."""

from __future__ import annotations

import platform
import sys
from importlib import metadata

from vst_desktop.capture.camera import list_cameras
from vst_desktop.core import paths
from vst_desktop.inference import gpu_check, providers
from vst_desktop.output.virtual_camera import describe_backends, format_backends

PACKAGES = ["vst-desktop", "onnxruntime-gpu", "onnxruntime", "opencv-python-headless", "av", "numpy",
            "PySide6-Essentials", "PySide6", "torch", "platformdirs"]


def _versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {"python": sys.version.split()[0], "platform": platform.platform()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def collect() -> dict:
    """Everything as plain JSON-able data; probes a real session so 'used' is what actually runs."""
    from vst_desktop.inference.session import StyleSession
    from vst_desktop.styles.reference import reference_onnx_path

    session = StyleSession(reference_onnx_path(), prefer_gpu=True)
    cameras = [{"index": c.index, "name": c.name, "device": c.device} for c in list_cameras()]
    return {
        "versions": _versions(),
        "providers": {
            **providers.describe(),
            "requested": session.providers_requested,
            "used": session.provider,
            "reason": session.fallback_reason,
        },
        "cameras": cameras,
        "virtual_camera": describe_backends(),
        "camera_note": "" if cameras else "No camera found: the app starts on the demo clip.",
        "folders": {
            "styles": str(paths.user_styles_dir()),
            "logs": str(paths.log_dir()),
            "settings": str(paths.settings_file()),
            "recordings": str(paths.default_recordings_dir()),
        },
    }


def format_report(r: dict) -> str:
    lines = ["Versions:"]
    lines += [f"  {k:24s} {v or '-'}" for k, v in r["versions"].items()]
    p = r["providers"]
    lines += ["Inference:",
              f"  requested  {', '.join(p['requested'])}",
              f"  used       {p['used']}"]
    if p["reason"]:
        lines.append(f"  why        {p['reason']}")
    if p.get("nvidia"):
        lines.append("NVIDIA GPU (what the CUDA provider needs):")
        lines += gpu_check.format_lines(p["nvidia"])
    lines.append("Cameras:")
    lines += [f"  [{c['index']}] {c['name']} ({c['device']})" for c in r["cameras"]] or [f"  {r['camera_note']}"]
    lines += format_backends(r.get("virtual_camera"))
    lines.append("Folders:")
    lines += [f"  {k:11s}{v}" for k, v in r["folders"].items()]
    return "\n".join(lines)

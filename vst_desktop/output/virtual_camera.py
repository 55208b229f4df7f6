"""Virtual camera devices through pyvirtualcam: v4l2loopback on Linux, OBS Virtual Camera on Windows and macOS.

`VirtualCameraBackend` is the one seam between the app and a device: the sink (sink.py) talks only to it,
so tests and the bench put an in-process device behind it. pyvirtualcam is imported lazily: a missing
package or device is a `VirtualCameraError` whose hint holds the exact steps for this system.
"""

from __future__ import annotations

import platform
import sys
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from vst_desktop.core.errors import VstError

CARD_LABEL = "vst-desktop"
MODPROBE = f'sudo modprobe v4l2loopback exclusive_caps=1 card_label="{CARD_LABEL}"'
_AGAIN = "then try again."
# v4l2loopback devices are virtual video4linux devices; their `name` file holds the card label.
SYSFS_LOOPBACK = Path("/sys/devices/virtual/video4linux")


class VirtualCameraError(VstError):
    """No virtual camera device, one that is busy or refuses the format, or pyvirtualcam is missing."""


class VirtualCameraBackend(Protocol):
    """A device that shows RGB frames to other programs as a camera."""

    def open(self, width: int, height: int, fps: float) -> str:
        """Start the device at this size and rate; return its name. Raises VirtualCameraError."""

    def send(self, rgb: np.ndarray) -> None:
        """One HxWx3 uint8 RGB frame of the opened size; may block while the consumer is slow."""

    def close(self) -> None: ...


def setup_steps(system: str | None = None) -> str:
    """What to do on this system so that a virtual camera device exists."""
    system = system or platform.system()
    if system == "Windows":
        return ("Install OBS Studio 26 or newer from obsproject.com (it adds the OBS Virtual Camera), "
                f"leave OBS's own Start Virtual Camera off, {_AGAIN}")
    if system == "Darwin":
        return ("Install OBS Studio 30 or newer from obsproject.com, click Start Virtual Camera once (allow "
                "the system extension in System Settings > Privacy & Security), then Stop Virtual Camera; "
                f"{_AGAIN}")
    return (f"Run: {MODPROBE} (install it first if needed: sudo apt install v4l2loopback-dkms), "
            f"{_AGAIN}")


def explain(exc: BaseException, size: tuple[int, int] = (0, 0), system: str | None = None) -> VirtualCameraError:
    """pyvirtualcam's RuntimeError text -> what happened and what to do, in the person's words."""
    raw = " ".join(str(exc).split())
    low = raw.lower()
    system = system or platform.system()
    if "no v4l2 loopback device" in low or ("obs" in low and ("not installed" in low or "not found" in low)):
        where = "v4l2loopback device" if system == "Linux" else "OBS Virtual Camera"
        return VirtualCameraError(f"No virtual camera device was found (no {where}).", setup_steps(system))
    if "busy" in low or "in use" in low:
        return VirtualCameraError(
            "The virtual camera device is in use by another program.",
            "Close the other program that sends video to it (e.g. OBS's virtual camera); on Linux you can "
            f"add a second device: sudo modprobe -r v4l2loopback && {MODPROBE} devices=2")
    if "permission denied" in low:
        return VirtualCameraError("You are not allowed to write to the virtual camera device.",
                                  "Run: sudo usermod -aG video $USER, log out and in again, " + _AGAIN)
    if "could not be configured" in low or "unsupported" in low:
        w, h = size
        return VirtualCameraError(
            f"The virtual camera device refused {w}x{h} frames.",
            "A program that reads it may hold it at another size: close the programs that use it, or "
            f"reload it: sudo modprobe -r v4l2loopback && {MODPROBE}")
    return VirtualCameraError(f"The virtual camera could not be started ({raw[:200]}).", setup_steps(system))


def _import_pyvirtualcam():
    try:
        import pyvirtualcam
    except ImportError as exc:
        hint = ("This build was made without it; use a build that includes pyvirtualcam."
                if getattr(sys, "frozen", False) else "Install it with: pip install pyvirtualcam")
        raise VirtualCameraError(f"Virtual camera support (pyvirtualcam) is not installed ({exc}).",
                                 hint) from exc
    return pyvirtualcam


class PyVirtualCamBackend:
    """The real device: `pyvirtualcam.Camera` with RGB input (the one format every backend accepts)."""

    def __init__(self, device: str | None = None, backend: str | None = None) -> None:
        self._device, self._backend = device, backend
        self._cam = None

    def open(self, width: int, height: int, fps: float) -> str:
        pyvirtualcam = _import_pyvirtualcam()
        self.close()
        try:
            self._cam = pyvirtualcam.Camera(width=int(width), height=int(height), fps=float(fps),
                                            fmt=pyvirtualcam.PixelFormat.RGB, device=self._device,
                                            backend=self._backend)
        except (RuntimeError, OSError, ValueError) as exc:
            raise explain(exc, (width, height)) from exc
        return str(self._cam.device)

    def send(self, rgb: np.ndarray) -> None:
        if self._cam is None:
            raise VirtualCameraError("The virtual camera is not open.", "Turn Virtual camera on again.")
        try:
            self._cam.send(rgb)
        except (RuntimeError, OSError, ValueError) as exc:
            raise VirtualCameraError(f"The virtual camera stopped taking frames ({exc}).",
                                     "Check that the device still exists, " + _AGAIN) from exc

    def close(self) -> None:
        cam, self._cam = self._cam, None
        if cam is not None:
            cam.close()


class NullBackend:
    """A device that does a real backend's per-frame work (RGB -> I420, what the native code does before it
    writes) and throws the result away: for `bench --virtual-camera` on machines without a device."""

    def __init__(self) -> None:
        self.size = (0, 0)
        self.fps = 0.0
        self.frames = 0

    def open(self, width: int, height: int, fps: float) -> str:
        self.size, self.fps = (int(width), int(height)), float(fps)
        return "null"

    def send(self, rgb: np.ndarray) -> None:
        cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV_I420)
        self.frames += 1

    def close(self) -> None:
        pass


# ---- doctor ----

def loopback_devices(root: Path = SYSFS_LOOPBACK) -> list[dict]:
    """v4l2loopback devices on Linux, read from sysfs (nothing is opened, so nobody's stream is touched)."""
    out = []
    for d in sorted(root.glob("video*"), key=lambda p: int(p.name[5:]) if p.name[5:].isdigit() else 0):
        try:
            label = (d / "name").read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            label = ""
        out.append({"device": f"/dev/{d.name}", "label": label})
    return out


def describe_backends(system: str | None = None) -> list[dict]:
    """The virtual camera backends pyvirtualcam has on this system and whether a device was found."""
    system = system or platform.system()
    try:
        pyvirtualcam = _import_pyvirtualcam()
    except VirtualCameraError as exc:
        return [{"backend": "pyvirtualcam", "found": False, "devices": [], "note": exc.user_text()}]
    from pyvirtualcam.camera import BACKENDS

    rows = []
    for name in sorted(BACKENDS):
        if name == "v4l2loopback":
            devices = [f"{d['device']} ({d['label']})" if d["label"] else d["device"]
                       for d in loopback_devices()]
            rows.append({"backend": name, "found": bool(devices), "devices": devices,
                         "note": "" if devices else setup_steps(system)})
            continue
        try:  # OBS and Unity Capture have no listing: opening briefly is the only check
            with pyvirtualcam.Camera(width=320, height=240, fps=30, backend=name) as cam:
                rows.append({"backend": name, "found": True, "devices": [str(cam.device)], "note": ""})
        except Exception as exc:  # noqa: BLE001 - a diagnostic: whatever the native code raises is reported
            rows.append({"backend": name, "found": False, "devices": [],
                         "note": explain(exc, (320, 240), system).user_text()})
    return rows or [{"backend": "pyvirtualcam", "found": False, "devices": [],
                     "note": f"pyvirtualcam has no virtual camera backend for {system}."}]


def format_backends(rows: list[dict] | None) -> list[str]:
    """Doctor's text lines for `describe_backends()`."""
    lines = ["Virtual camera:"]
    for r in rows or []:
        found = ", ".join(r["devices"]) if r["found"] else "no device"
        lines.append(f"  {r['backend']:13s} {found}")
        if r["note"]:
            lines.append(f"  {'':13s} {' '.join(r['note'].split())}")
    return lines

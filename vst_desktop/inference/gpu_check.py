"""What an NVIDIA GPU needs before onnxruntime's CUDA provider can use it, and which part is missing.

Four parts, checked one by one so that the answer names the one to fix: the GPU itself, the NVIDIA
driver (libcuda), the CUDA libraries the provider links (cuBLAS, cuBLASLt, cuRAND, the CUDA runtime) and
cuDNN. The CUDA libraries and cuDNN can come from NVIDIA's pip wheels (`pip install 'vst-desktop[cuda]'`,
`make run CUDA=1`): `preload()` loads them through `onnxruntime.preload_dlls()` before the first session.

The GPU is looked for without its driver on purpose (the PCI devices in sysfs: vendor 0x10de, a display
class), since "GPU but no driver" is exactly the case that needs advice; /proc/driver/nvidia and
/dev/nvidia0 cover containers that hide the PCI bus, nvidia-smi covers Windows. Where the driver loads
but no GPU was seen (WSL, unusual containers) onnxruntime is asked anyway and has the last word.
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import logging
import os
import shutil
import sys
from functools import cache
from importlib import metadata
from pathlib import Path

log = logging.getLogger(__name__)

NVIDIA_PCI_VENDOR = "0x10de"
NVIDIA_PROVIDERS = {"TensorrtExecutionProvider", "CUDAExecutionProvider"}
WHEELS = ("nvidia-cuda-runtime", "nvidia-cublas", "nvidia-curand", "nvidia-cudnn-cu13")
EXTRA_HINT = "pip install 'vst-desktop[cuda]' (or `make run CUDA=1`)"


def cuda_major() -> str:
    """The CUDA major version this onnxruntime-gpu is built for ('13' for 1.31)."""
    try:
        from onnxruntime.capi import build_and_package_info as info
    except ImportError:
        return "12"
    return (str(getattr(info, "cuda_version", "") or "12").split(".")[0]) or "12"


def library_names() -> dict[str, list[str]]:
    """The driver, CUDA and cuDNN libraries the CUDA provider needs, by the names the loader looks for."""
    major = cuda_major()
    if sys.platform == "win32":
        return {"driver": ["nvcuda.dll"],
                "cuda": [f"cublasLt64_{major}.dll", f"cublas64_{major}.dll", "curand64_10.dll",
                         f"cudart64_{major}.dll"],
                "cudnn": ["cudnn64_9.dll"]}
    return {"driver": ["libcuda.so.1"],
            "cuda": [f"libcublasLt.so.{major}", f"libcublas.so.{major}", "libcurand.so.10",
                     f"libcudart.so.{major}"],
            "cudnn": ["libcudnn.so.9"]}


# ---- hardware probes: the only functions tests replace where the hardware is missing ----

def find_nvidia_device() -> str:
    """A description of the NVIDIA GPU seen on this computer, or '' when none is seen."""
    pci = Path("/sys/bus/pci/devices")
    with contextlib.suppress(OSError):
        for dev in sorted(pci.iterdir()) if pci.is_dir() else []:
            try:
                vendor = (dev / "vendor").read_text().strip()
                cls = (dev / "class").read_text().strip()
            except OSError:
                continue
            if vendor == NVIDIA_PCI_VENDOR and cls.startswith("0x03"):  # VGA or 3D controller
                return f"NVIDIA GPU at PCI {dev.name}"
    if Path("/proc/driver/nvidia/gpus").is_dir() and any(Path("/proc/driver/nvidia/gpus").iterdir()):
        return "NVIDIA GPU (kernel driver loaded)"
    if Path("/dev/nvidia0").exists():
        return "NVIDIA GPU (/dev/nvidia0)"
    if sys.platform == "win32" and shutil.which("nvidia-smi"):
        return "NVIDIA GPU (nvidia-smi is installed)"
    return ""


def load_library(name: str) -> str:
    """'' when the shared library `name` loads here, else the loader's message."""
    try:
        # RTLD_LAZY: only missing files fail here; symbols are resolved later by onnxruntime itself.
        ctypes.CDLL(name, mode=getattr(os, "RTLD_LAZY", 0))
    except OSError as e:
        return str(e)
    return ""


# ---- the pip wheels ----

def wheels_installed() -> list[str]:
    """The `cuda` extra's NVIDIA packages that are installed."""
    found = []
    for name in WHEELS:
        with contextlib.suppress(metadata.PackageNotFoundError):
            found.append(f"{name} {metadata.version(name)}")
    return found


@cache
def preload() -> str:
    """Load CUDA and cuDNN from NVIDIA's pip wheels, when installed, before onnxruntime needs them.

    onnxruntime's CUDA provider finds these libraries only on the system's library path; preload_dlls()
    loads them from site-packages first, so the provider then finds them already loaded. Returns what
    happened in one line (for doctor and the log). Once per process: loaded libraries stay loaded.
    """
    if not wheels_installed():
        return "not installed"
    import onnxruntime as ort

    if not hasattr(ort, "preload_dlls"):
        return f"installed, but onnxruntime {ort.__version__} cannot preload them (needs 1.21 or newer)"
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):  # it prints one line per library it could not load
            ort.preload_dlls()
    except (OSError, RuntimeError) as e:
        return f"installed, but preloading failed: {e}"
    text = printed.getvalue().strip()
    if text:
        log.info("onnxruntime.preload_dlls: %s", text)
    failed = [ln for ln in text.splitlines() if ln.startswith("Failed to load")]
    return f"installed, preloaded ({len(failed)} failed, see the log)" if failed else "installed, preloaded"


# ---- the answer ----

def status(preload_wheels: bool | None = None) -> dict:
    """Each part's state and the first missing one, with a sentence that says what to do.

    `missing` is one of 'device', 'driver', 'cuda', 'cudnn' or '' (all parts present: onnxruntime decides).
    `preload_wheels`: None preloads the pip wheels only where a GPU may be used (a device or a driver was
    found): on a machine without one, a gigabyte of CUDA libraries would only cost memory.
    """
    names = library_names()
    device = find_nvidia_device()
    driver = {n: load_library(n) for n in names["driver"]}
    if preload_wheels is None:
        preload_wheels = bool(device) or not any(driver.values())
    wheels = preload() if preload_wheels else ("installed" if wheels_installed() else "not installed")
    cuda = {n: load_library(n) for n in names["cuda"]}
    cudnn = {n: load_library(n) for n in names["cudnn"]}
    major = cuda_major()
    driver_ok = not any(driver.values())
    missing_cuda = [n for n, err in cuda.items() if err]
    missing_cudnn = [n for n, err in cudnn.items() if err]
    if not device and not driver_ok:
        missing, reason = "device", "no NVIDIA GPU was found on this computer"
    elif not driver_ok:
        missing = "driver"
        reason = (f"an NVIDIA GPU was found ({device}) but the NVIDIA driver is not installed "
                  f"({names['driver'][0]} did not load); install the NVIDIA driver (Debian: "
                  "apt-get install nvidia-driver; Ubuntu: ubuntu-drivers install; Windows: nvidia.com), restart, "
                  f"then {EXTRA_HINT} if CUDA {major} is not installed")
    elif missing_cuda:
        missing = "cuda"
        reason = (f"the NVIDIA driver is installed but the CUDA {major} libraries were not found "
                  f"({', '.join(missing_cuda)}); {EXTRA_HINT}, or install the CUDA {major} runtime with "
                  "cuDNN 9 system-wide")
    elif missing_cudnn:
        missing = "cudnn"
        reason = (f"the NVIDIA driver and CUDA {major} are installed but cuDNN 9 was not found "
                  f"({', '.join(missing_cudnn)}); {EXTRA_HINT}, or install cuDNN 9 for CUDA {major}")
    else:
        missing, reason = "", ""
    return {"device": device, "driver": driver, "cuda_libraries": cuda, "cudnn": cudnn,
            "pip_wheels": wheels, "cuda_version": major, "missing": missing, "reason": reason}


def format_lines(s: dict) -> list[str]:
    """doctor's text: one line per part, then what to do."""
    def state(libs: dict[str, str]) -> str:
        bad = [n for n, err in libs.items() if err]
        verb = "loads" if len(libs) == 1 else "load"
        return f"found ({', '.join(libs)} {verb})" if not bad else f"missing ({', '.join(bad)} did not load)"

    lines = [f"  device     {s['device'] or 'no NVIDIA GPU found'}",
             f"  driver     {state(s['driver'])}",
             f"  CUDA {s['cuda_version']:5s} {state(s['cuda_libraries'])}",
             f"  cuDNN 9    {state(s['cudnn'])}",
             f"  pip wheels {s['pip_wheels']} (the vst-desktop[cuda] extra)"]
    if s["missing"]:
        lines.append(f"  missing    {s['missing']}: {s['reason']}")
    return lines

"""Which onnxruntime execution providers to ask for, whether their libraries can load, and a report.

`onnxruntime.get_available_providers()` lists what the wheel was built with, not what can run here: the
GPU wheel names CUDA and TensorRT even on a machine without a GPU. Asking for them anyway makes
onnxruntime print errors and fall back to the CPU, so `probe()` tries to load each GPU provider's
shared library first (milliseconds) and turns a failure into a sentence a person can act on.
"""

from __future__ import annotations

import os
import platform
import sys
from functools import cache, lru_cache
from pathlib import Path

import onnxruntime as ort

from vst_desktop.inference import gpu_check

CPU = "CPUExecutionProvider"
GPU_ORDER = ["TensorrtExecutionProvider", "CUDAExecutionProvider", "DmlExecutionProvider",
             "CoreMLExecutionProvider"]
SHORT_NAMES = {"TensorrtExecutionProvider": "TensorRT", "CUDAExecutionProvider": "CUDA",
               "DmlExecutionProvider": "DirectML", "CoreMLExecutionProvider": "CoreML", CPU: "CPU"}
# Providers that live in their own shared library next to onnxruntime (DirectML and CoreML are built in).
_PROVIDER_LIBS = {"TensorrtExecutionProvider": "tensorrt", "CUDAExecutionProvider": "cuda"}


def short_name(provider: str) -> str:
    return SHORT_NAMES.get(provider, provider.replace("ExecutionProvider", ""))


def preferred_providers(prefer_gpu: bool = True) -> list[str]:
    """TensorRT, CUDA, DirectML, CoreML, CPU: those this onnxruntime build has, in that order."""
    available = set(ort.get_available_providers())
    gpu = [p for p in GPU_ORDER if p in available] if prefer_gpu else []
    return [*gpu, CPU]


def _cuda_version() -> str:
    try:
        from onnxruntime.capi import build_and_package_info as info
    except ImportError:
        return ""
    return str(getattr(info, "cuda_version", "") or "")


def _provider_library(kind: str) -> Path:
    capi = Path(ort.__file__).parent / "capi"
    if sys.platform == "win32":
        return capi / f"onnxruntime_providers_{kind}.dll"
    return capi / f"libonnxruntime_providers_{kind}.so"


def install_hint(provider: str) -> str:
    cuda = _cuda_version() or "12"
    if provider == "TensorrtExecutionProvider":
        return (f"install TensorRT 10 together with the NVIDIA driver, CUDA {cuda} and cuDNN 9 "
                "(or ignore this: CUDA alone is nearly as fast)")
    return (f"with the NVIDIA driver installed, {gpu_check.EXTRA_HINT} adds CUDA {cuda} and cuDNN 9, "
            f"or install the CUDA {cuda} runtime with cuDNN 9 system-wide")


@cache
def probe(provider: str) -> str:
    """'' when `provider` looks usable here, else why not (in plain words, with what to install).

    Only the libraries are checked; a missing or unsupported GPU still shows up when the session is
    created, and `StyleSession` reports that separately. Cached: the answer cannot change while the
    process runs (libraries are never unloaded).
    """
    kind = _PROVIDER_LIBS.get(provider)
    if kind is None:
        return ""
    lib = _provider_library(kind)
    if not lib.exists():
        return f"this onnxruntime package has no {short_name(provider)} support ({lib.name} is missing)"
    # Device, driver, CUDA, cuDNN: the first part missing, in words (after the pip wheels are preloaded).
    gpu = gpu_check.status()
    if gpu["missing"]:
        return gpu["reason"]
    error = gpu_check.load_library(str(lib))
    if not error and sys.platform.startswith("linux"):
        # cuDNN is opened on demand by the CUDA provider, so a missing one shows only at session time.
        error = gpu_check.load_library("libcudnn.so.9")
    if error:
        missing = error.split(":")[0].strip() if "cannot open shared object" in error else error
        what = "the NVIDIA driver was not found" if "libcuda.so" in missing else (
            f"the CUDA/cuDNN libraries were not found ({missing})")
        if provider == "TensorrtExecutionProvider" and "libnv" in missing:
            what = f"the TensorRT libraries were not found ({missing})"
        return f"{what}; {install_hint(provider)}"
    return ""


@lru_cache(maxsize=1)
def physical_cores() -> int:
    """Physical cores: onnxruntime runs fastest with one thread per core, not per hyper-thread."""
    logical = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return max(1, logical // 2 if logical >= 4 else logical)
    cores = set()
    phys = core = ""
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key = key.strip()
        if key == "physical id":
            phys = value.strip()
        elif key == "core id":
            core = value.strip()
            cores.add((phys, core))
    return max(1, min(len(cores) or logical, logical))


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def describe() -> dict:
    """Plain data for `doctor`: versions, what the build offers, and whether each GPU provider can load."""
    available = ort.get_available_providers()
    return {
        "onnxruntime_version": ort.__version__,
        "onnxruntime_device": ort.get_device(),
        "cuda_build": _cuda_version() or None,
        "available": available,
        "preferred": preferred_providers(True),
        "gpu_checks": {p: (probe(p) or "libraries load") for p in available if p != CPU},
        "nvidia": gpu_check.status(preload_wheels=True),  # doctor shows what the extra would bring
        "cpu": {"model": _cpu_model(), "physical_cores": physical_cores(), "logical_cores": os.cpu_count()},
    }

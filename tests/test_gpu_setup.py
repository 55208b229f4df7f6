"""GPU set-up: what is missing (GPU, driver, CUDA libraries, cuDNN) is named, and the `cuda` extra's
NVIDIA wheels are loaded before the first session.

This machine has no NVIDIA GPU. Where the hardware is missing, only the hardware probes are replaced
(`find_nvidia_device`, `load_library`); the rest (status, probe, session, doctor) runs as it does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from vst_desktop.core.paths import builtin_styles_dir
from vst_desktop.inference import gpu_check, providers
from vst_desktop.inference.session import StyleSession
from vst_desktop.pipeline import doctor

CUDA = "CUDAExecutionProvider"
GPU = "NVIDIA GPU at PCI 0000:01:00.0"


@pytest.fixture()
def hardware(monkeypatch):
    """Pretend hardware: `hardware(device, loads)` makes the probes see `device` and load only `loads`."""
    def setup(device: str, loads: set[str]) -> None:
        monkeypatch.setattr(gpu_check, "find_nvidia_device", lambda: device)
        monkeypatch.setattr(gpu_check, "load_library",
                            lambda name: "" if name in loads else f"{name}: cannot open shared object file")
        providers.probe.cache_clear()

    yield setup
    providers.probe.cache_clear()


def _names(part: str) -> set[str]:
    return set(gpu_check.library_names()[part])


def _doctor_says() -> tuple[dict, str]:
    report = doctor.collect()
    return report["providers"]["nvidia"], doctor.format_report(report)


def test_no_gpu(hardware):
    hardware("", set())
    nvidia, text = _doctor_says()
    assert nvidia["missing"] == "device"
    assert "No NVIDIA GPU was found on this computer" in text and "no NVIDIA GPU found" in text
    why = next(ln for ln in text.splitlines() if ln.strip().startswith("why"))
    assert "install the NVIDIA driver" not in why and "cuDNN" not in why  # nothing to install without a GPU


def test_gpu_without_driver(hardware):
    hardware(GPU, _names("cuda") | _names("cudnn"))
    nvidia, text = _doctor_says()
    assert nvidia["missing"] == "driver"
    assert "install the NVIDIA driver" in text and GPU in text


def test_gpu_without_libraries(hardware):
    hardware(GPU, _names("driver"))
    nvidia, text = _doctor_says()
    assert nvidia["missing"] == "cuda"
    why = next(ln for ln in text.splitlines() if ln.strip().startswith("why"))
    assert f"CUDA {gpu_check.cuda_major()} libraries were not found" in why
    assert "libcublasLt" in why and "pip install 'vst-desktop[cuda]'" in why


def test_libraries_without_cudnn(hardware):
    hardware(GPU, _names("driver") | _names("cuda"))
    nvidia, text = _doctor_says()
    assert nvidia["missing"] == "cudnn"
    why = next(ln for ln in text.splitlines() if ln.strip().startswith("why"))
    assert "cuDNN 9 was not found" in why and "libcudnn" in why and "vst-desktop[cuda]" in why


def test_doctor_json_on_this_machine():
    r = subprocess.run([sys.executable, "-m", "vst_desktop", "doctor", "--json"], capture_output=True,
                       text=True, timeout=300, env={**os.environ})
    assert r.returncode == 0, r.stderr
    nvidia = json.loads(r.stdout)["providers"]["nvidia"]
    assert set(nvidia) >= {"device", "driver", "cuda_libraries", "cudnn", "pip_wheels", "missing", "reason"}
    if not gpu_check.find_nvidia_device():
        assert nvidia["missing"] == "device"


def test_the_cuda_extra_makes_the_libraries_load():
    """With `pip install 'vst-desktop[cuda]'`: CUDA and cuDNN load, and what is left is the missing GPU."""
    if not gpu_check.wheels_installed():
        pytest.skip("the cuda extra is not installed (pip install 'vst-desktop[cuda]', about 1.1 GB)")
    if gpu_check.find_nvidia_device():
        pytest.skip("this machine has an NVIDIA GPU; the test is about one without")
    # A fresh process, without the preload: the libraries are not on the system's path.
    code = "import json; from vst_desktop.inference import gpu_check as g; print(json.dumps(g.status(False)))"
    before = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                       timeout=120, check=True).stdout)
    assert any(before["cuda_libraries"].values()), "CUDA is installed system-wide here; nothing to show"
    # The app's own path (no device, no driver) leaves the gigabyte of libraries unloaded.
    code = code.replace("g.status(False)", "g.status()")
    default = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                        timeout=120, check=True).stdout)
    assert default["pip_wheels"] == "installed" and default["missing"] == "device"
    after = gpu_check.status(preload_wheels=True)  # as the first StyleSession does on a GPU machine
    assert after["pip_wheels"].startswith("installed, preloaded")
    assert not any(after["cuda_libraries"].values()) and not any(after["cudnn"].values())
    assert after["missing"] == "device"
    providers.probe.cache_clear()
    assert providers.probe(CUDA) == "no NVIDIA GPU was found on this computer"
    session = StyleSession(builtin_styles_dir() / "bw_film.onnx", prefer_gpu=True, threads=1)
    assert session.provider == "CPUExecutionProvider"
    assert session.fallback_reason.startswith("No NVIDIA GPU was found")
    assert "libraries" not in session.fallback_reason

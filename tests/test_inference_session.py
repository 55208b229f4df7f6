from __future__ import annotations

import cv2
import numpy as np
import pytest
from _helpers import coffee_photo

from vst_desktop.core.errors import InferenceError
from vst_desktop.core.paths import builtin_styles_dir
from vst_desktop.inference import providers
from vst_desktop.inference.session import StyleSession


@pytest.fixture(scope="module")
def photo(shared_data) -> np.ndarray:
    return coffee_photo(shared_data, (320, 240))


@pytest.fixture(scope="module")
def gpu_session() -> StyleSession:
    return StyleSession(builtin_styles_dir() / "classic_film.onnx", prefer_gpu=True)


def test_preferred_order_ends_with_cpu():
    order = providers.preferred_providers(True)
    assert order[-1] == "CPUExecutionProvider"
    ranks = [providers.GPU_ORDER.index(p) for p in order[:-1]]
    assert ranks == sorted(ranks)
    assert providers.preferred_providers(False) == ["CPUExecutionProvider"]


def test_gpu_fallback_is_reported_in_plain_words(gpu_session):
    # This machine has no GPU: the CPU runs, and the reason says so (and does not stay silent).
    assert gpu_session.provider == "CPUExecutionProvider"
    assert gpu_session.providers_requested == providers.preferred_providers(True)
    assert "fell back to the CPU" in gpu_session.fallback_reason or "No GPU provider" in gpu_session.fallback_reason


def test_cpu_only_has_no_fallback_reason():
    s = StyleSession(builtin_styles_dir() / "bw_film.onnx", prefer_gpu=False, threads=1)
    assert s.provider == "CPUExecutionProvider" and s.fallback_reason == ""
    assert s.providers_requested == ["CPUExecutionProvider"]


def test_describe_for_doctor():
    d = providers.describe()
    assert d["onnxruntime_version"] and "CPUExecutionProvider" in d["available"]
    assert d["cpu"]["physical_cores"] >= 1
    for p in d["available"]:
        if p != "CPUExecutionProvider":
            assert isinstance(d["gpu_checks"][p], str) and d["gpu_checks"][p]


def test_strength_zero_returns_input_and_one_changes_it(gpu_session, photo):
    assert gpu_session.has_strength
    same = gpu_session.run(photo, strength=0.0)
    assert same.shape == photo.shape and same.dtype == np.uint8
    assert np.abs(same.astype(int) - photo.astype(int)).max() <= 1
    styled = gpu_session.run(photo, strength=1.0)
    assert np.abs(styled.astype(int) - photo.astype(int)).mean() > 5


@pytest.mark.parametrize("size", [(640, 360), (320, 240)])
def test_dynamic_sizes(gpu_session, photo, size):
    img = cv2.resize(photo, size)
    assert gpu_session.run(img).shape == (size[1], size[0], 3)


def test_warmup_reports_a_median(gpu_session):
    assert gpu_session.warmup(64, 48, runs=2) > 0


def test_bad_input_image_is_an_inference_error(gpu_session):
    with pytest.raises(InferenceError, match="HxWx3 uint8"):
        gpu_session.run(np.zeros((48, 64, 4), np.uint8))
    with pytest.raises(InferenceError):
        gpu_session.run(np.zeros((48, 64, 3), np.float32))


def test_corrupt_model_is_an_inference_error(tmp_path):
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(np.random.default_rng(1).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    with pytest.raises(InferenceError, match="bad.onnx"):
        StyleSession(bad, prefer_gpu=False)
    with pytest.raises(InferenceError, match="does not exist"):
        StyleSession(tmp_path / "missing.onnx")


def test_real_onnxruntime_fallback_is_explained(monkeypatch):
    # Skip our library probe so onnxruntime itself tries (and fails) to start the GPU providers: its
    # own message must end up in fallback_reason, and the session must still run on the CPU.
    monkeypatch.setattr(providers, "probe", lambda p: "")
    if providers.preferred_providers(True) == ["CPUExecutionProvider"]:
        pytest.skip("this onnxruntime build has no GPU providers")
    s = StyleSession(builtin_styles_dir() / "bw_film.onnx", prefer_gpu=True, threads=1)
    if s.provider != "CPUExecutionProvider":
        pytest.skip("a GPU is really usable here")
    assert "fell back to the CPU" in s.fallback_reason
    assert len(s.fallback_reason) > 60
    assert s.run(np.zeros((48, 64, 3), np.uint8)).shape == (48, 64, 3)


def test_sessions_share_one_arena_and_paint_the_same_pictures(photo, monkeypatch):
    """The process's shared onnxruntime arena is registered and used, and a style paints the same picture
    with it as from the heap (the arena only changes where the tensors live)."""
    from vst_desktop.inference import session as session_module

    shared = [StyleSession(builtin_styles_dir() / name, prefer_gpu=False) for name in ("van-gogh.onnx", "monet.onnx")]
    assert session_module._use_shared_arena()
    monkeypatch.setattr(session_module, "_shared_arena", False)  # the heap, as where onnxruntime has no shared arena
    heap = [StyleSession(builtin_styles_dir() / name, prefer_gpu=False) for name in ("van-gogh.onnx", "monet.onnx")]
    for a, b in zip(shared, heap, strict=True):
        for _ in range(2):  # the second run reuses the arena's blocks
            assert np.array_equal(a.run(photo), b.run(photo))


def test_a_failed_arena_registration_falls_back_to_the_heap(photo, monkeypatch):
    from vst_desktop.inference import session as session_module

    def refuse(*_args):
        raise RuntimeError("no shared allocators here")

    monkeypatch.setattr(session_module, "_shared_arena", None)
    monkeypatch.setattr(session_module.ort, "create_and_register_allocator", refuse)
    s = StyleSession(builtin_styles_dir() / "bw_film.onnx", prefer_gpu=False, threads=1)
    assert session_module._shared_arena is False
    assert s.run(photo).shape == photo.shape

"""`StyleSession`: one onnxruntime session for one style, on the best provider that really works here.

The session asks for GPU providers only when their libraries load (see `providers.probe`), reads back
`get_providers()` to learn what actually runs, and keeps a plain-words `fallback_reason` when a GPU was
wanted but the CPU is used. `run()` takes and returns HxWx3 uint8 BGR: all maths is inside the graph.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import onnx
import onnxruntime as ort

from vst_desktop.core import paths
from vst_desktop.core.errors import InferenceError
from vst_desktop.inference import gpu_check
from vst_desktop.inference import providers as prov
from vst_desktop.inference.canvas_motion import CANVAS_INPUT, CANVAS_TILE, CanvasTile

log = logging.getLogger(__name__)

# onnxruntime's Python exceptions do not share a base class with RuntimeError; list what it raises.
try:
    from onnxruntime.capi import onnxruntime_pybind11_state as _state

    ORT_ERRORS: tuple[type[BaseException], ...] = tuple(
        getattr(_state, n) for n in ("Fail", "InvalidArgument", "InvalidProtobuf", "NoSuchFile",
                                     "RuntimeException", "InvalidGraph", "NotImplemented", "EPFail")
        if hasattr(_state, n)) + (RuntimeError, ValueError, OSError)
except ImportError:  # pragma: no cover - layout of very old onnxruntime builds
    ORT_ERRORS = (RuntimeError, ValueError, OSError)

# Providers whose run benefits from IO binding (inputs copied once, output fetched without a second
# copy through the default run path). On the CPU a plain run measured as fast or faster.
_BINDING_PROVIDERS = {"TensorrtExecutionProvider", "CUDAExecutionProvider"}


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    # onnxruntime prefixes "[ONNXRuntimeError] : 1 : FAIL : /src/file.cc:123 fn(...)"; keep the message.
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:400]
    return type(error).__name__


_REDIRECT_LOCK = threading.Lock()


@contextlib.contextmanager
def _captured_stderr_fd() -> Iterator[dict[str, str]]:
    """Collect what native code writes to file descriptor 2 (onnxruntime's logger) while inside.

    Used only around creating a session that asks for a GPU provider, the one place where onnxruntime
    explains in its log why the GPU is not used. The text is passed on to our log file afterwards.
    """
    out = {"text": ""}
    try:
        saved = os.dup(2)
    except OSError:
        yield out
        return
    with tempfile.TemporaryFile() as tmp:
        os.dup2(tmp.fileno(), 2)
        try:
            yield out
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            tmp.seek(0)
            out["text"] = tmp.read(65536).decode("utf-8", errors="replace")


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _reason_from_log(text: str) -> str:
    """The most useful sentence in onnxruntime's log about a provider that failed, or ''."""
    lines = [_ANSI.sub("", ln).strip() for ln in text.splitlines()]
    for ln in lines:
        if "with error:" in ln:  # "Failed to load library ...cuda.so with error: libcublasLt.so.13: ..."
            missing = ln.split("with error:", 1)[1].strip()[:300]
            return f"its libraries did not load ({missing}); {prov.install_hint('CUDAExecutionProvider')}"
    for ln in lines:
        if "Failed to create" in ln or "CUDA failure" in ln or "cudaError" in ln:
            return ln.split("] ", 1)[-1][:300]
    return ""


_SHARED_ARENA_LOCK = threading.Lock()
_shared_arena: bool | None = None  # None: not tried yet; then whether it is registered


def _use_shared_arena() -> bool:
    """One onnxruntime memory arena for every session of the process, registered on first use.

    Without an arena every run allocates its intermediate tensors from the heap again, which cost the plane
    styles about 10% of their frame time at 640x360 (docs/research/painter_round22.md). An arena per session
    keeps each session's peak reserved, and the live window holds several sessions (the live style, the
    gallery's thumbnails, warm-ups): it added ~190 MB to the app's RSS. One shared arena keeps only the peak
    of what runs at once. It grows by what is asked ("same as requested"), not by powers of two."""
    global _shared_arena
    with _SHARED_ARENA_LOCK:
        if _shared_arena is None:
            try:
                info = ort.OrtMemoryInfo("Cpu", ort.OrtAllocatorType.ORT_ARENA_ALLOCATOR, 0, ort.OrtMemType.DEFAULT)
                ort.create_and_register_allocator(info, ort.OrtArenaCfg(0, 1, -1, -1))
                _shared_arena = True
            except (RuntimeError, AttributeError, *ORT_ERRORS) as e:  # an older onnxruntime: per-run heap
                log.info("onnxruntime's shared arena is not available (%s); sessions use the heap", e)
                _shared_arena = False
        return _shared_arena


def _session_options(threads: int | None) -> ort.SessionOptions:
    so = ort.SessionOptions()
    so.intra_op_num_threads = int(threads or prov.physical_cores())
    so.inter_op_num_threads = 1
    # No arena of the session's own (a dropped session's memory goes back to the heap, and the OS, instead
    # of staying reserved); the process's shared one where it can be registered.
    so.enable_cpu_mem_arena = False
    if _use_shared_arena():
        so.add_session_config_entry("session.use_env_allocators", "1")
    # The memory pattern (planned from the first run's shapes) made a graph with a second image input (a
    # canvas style) 60% slower at 640x360 without an arena, and gained nothing on the others (measured).
    so.enable_mem_pattern = False
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.log_severity_level = 3  # errors only: we report provider problems ourselves, in plain words
    # No busy-waiting between runs: the live app has capture, GUI and encoder threads beside inference,
    # and on 2 cores spinning pool threads cost ~10 ms CPU per frame (measured, see the UI issue note).
    so.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return so


def _provider_options(provider: str) -> dict:
    if provider == "TensorrtExecutionProvider":
        # Building a TensorRT engine takes tens of seconds; cache it, and let it use FP16 kernels.
        cache = paths.data_dir() / "cache" / "tensorrt"
        cache.mkdir(parents=True, exist_ok=True)
        return {"trt_fp16_enable": True, "trt_engine_cache_enable": True,
                "trt_engine_cache_path": str(cache)}
    return {}


class StyleSession:
    """Run one style network. Not thread-safe: one session per worker thread."""

    def __init__(self, onnx_path: str | Path, prefer_gpu: bool = True, threads: int | None = None) -> None:
        self.onnx_path = Path(onnx_path)
        self.providers_requested: list[str] = prov.preferred_providers(prefer_gpu)
        # Why each skipped GPU provider was not used, e.g. {"CUDAExecutionProvider": "the NVIDIA ..."}.
        self.skipped: dict[str, str] = {}
        if not self.onnx_path.is_file():
            raise InferenceError(f"The style model {self.onnx_path} does not exist.",
                                 "Reinstall the style or choose another one.")
        usable = []
        for p in self.providers_requested:
            reason = prov.probe(p)
            if reason:
                self.skipped[p] = reason
            else:
                usable.append(p)
        self._session = self._create(usable, threads)
        self.provider: str = self._session.get_providers()[0]
        self.fallback_reason: str = self._explain_fallback(prefer_gpu)
        if self.fallback_reason:
            log.info("%s", self.fallback_reason)
        inputs = {i.name: i for i in self._session.get_inputs()}
        if "frame" not in inputs:
            raise InferenceError(f"{self.onnx_path.name} has no input named 'frame'; it is not a style model.",
                                 "Re-export the style with the vst-desktop trainer.")
        self.has_strength: bool = "strength" in inputs
        # A canvas style (inference/canvas_motion.py): the caller may say where each pixel reads its canvas.
        self._canvas = self._read_canvas_tile() if CANVAS_INPUT in inputs else None
        self.has_canvas: bool = self._canvas is not None
        outputs = [o.name for o in self._session.get_outputs()]
        self._output = "stylized" if "stylized" in outputs else outputs[0]
        self._use_binding = self.provider in _BINDING_PROVIDERS

    # -- creation -------------------------------------------------------------------------------------

    def _create(self, usable: list[str], threads: int | None) -> ort.InferenceSession:
        options = [_provider_options(p) for p in usable]
        printed = io.StringIO()
        wants_gpu = usable != [prov.CPU]
        native_log = contextlib.nullcontext({"text": ""}) if not wants_gpu else _captured_stderr_fd()
        # sys.stdout is process-wide and sessions are made on helper threads (style warm-up, live
        # thumbnails): redirect only when a GPU is asked for, one session at a time, or overlapping
        # redirects leave sys.stdout pointing at a StringIO and the app's own output is lost.
        printing = contextlib.redirect_stdout(printed) if wants_gpu else contextlib.nullcontext()
        try:
            # onnxruntime prints "EP Error ... Falling back" to stdout and logs to stderr; keep both
            # as the reason instead of letting them scroll past.
            with _REDIRECT_LOCK if wants_gpu else contextlib.nullcontext(), native_log as logged, printing:
                sess = ort.InferenceSession(str(self.onnx_path), _session_options(threads),
                                            providers=usable, provider_options=options)
        except ORT_ERRORS as e:
            if usable == [prov.CPU]:
                raise InferenceError(
                    f"onnxruntime could not load the style model {self.onnx_path.name}: {_first_line(e)}",
                    "The file is corrupt or not a valid ONNX model; reinstall or re-export the style.") from e
            for p in usable:
                if p != prov.CPU:
                    self.skipped[p] = f"onnxruntime could not start it: {_first_line(e)}"
            return self._create([prov.CPU], threads)
        if logged["text"].strip():
            log.info("onnxruntime while starting %s: %s", usable, logged["text"].strip())
            reason = _reason_from_log(logged["text"])
            if reason and sess.get_providers()[0] == prov.CPU:
                for p in usable:
                    if p != prov.CPU:
                        self.skipped.setdefault(p, reason)
        text = printed.getvalue()
        if "EP Error" in text:
            first_gpu = next((p for p in usable if p != prov.CPU), "")
            detail = next((ln.strip() for ln in text.splitlines() if ln.startswith("EP Error")), text.strip())
            self.skipped.setdefault(first_gpu, f"onnxruntime could not start it: {detail[:400]}")
        return sess

    def _explain_fallback(self, prefer_gpu: bool) -> str:
        if not prefer_gpu or self.provider != prov.CPU:
            return ""
        wanted = [p for p in self.providers_requested if p != prov.CPU]
        if not wanted:
            return ("No GPU provider is available in this onnxruntime build, so the CPU is used; "
                    "install onnxruntime-gpu (NVIDIA) or onnxruntime-directml (Windows) to use a GPU.")
        # Report the most useful GPU provider: CUDA when both it and TensorRT were asked for.
        main = "CUDAExecutionProvider" if "CUDAExecutionProvider" in wanted else wanted[0]
        if set(wanted) <= gpu_check.NVIDIA_PROVIDERS and gpu_check.status()["missing"] == "device":
            # Nothing to install without an NVIDIA GPU: no driver or CUDA advice, just what happens.
            return ("No NVIDIA GPU was found on this computer, so onnxruntime fell back to the CPU; "
                    "there is nothing to install.")
        reason = self.skipped.get(main) or (
            "onnxruntime could not start it (no usable GPU device?); check the NVIDIA driver with "
            "nvidia-smi, and see the log file for onnxruntime's own message")
        names = " and ".join(prov.short_name(p) for p in wanted)
        verb = "were" if len(wanted) > 1 else "was"
        return f"{names} {verb} requested but onnxruntime fell back to the CPU: {reason}."

    # -- running --------------------------------------------------------------------------------------

    def _feed(self, bgr: np.ndarray, strength: float, canvas_at: np.ndarray | None) -> dict[str, np.ndarray]:
        if not isinstance(bgr, np.ndarray) or bgr.dtype != np.uint8 or bgr.ndim != 3 or bgr.shape[2] != 3:
            got = f"{bgr.dtype} {bgr.shape}" if isinstance(bgr, np.ndarray) else type(bgr).__name__
            raise InferenceError(f"A style needs an HxWx3 uint8 BGR image, got {got}.",
                                 "This is a bug in the caller; please report it.")
        feed = {"frame": np.ascontiguousarray(bgr)[np.newaxis]}
        if self.has_strength:
            feed["strength"] = np.array([min(1.0, max(0.0, float(strength)))], dtype=np.float32)
        if self._canvas is not None:
            feed[CANVAS_INPUT] = self._canvas.read(bgr.shape[0], bgr.shape[1], canvas_at)
        return feed

    def _read_canvas_tile(self) -> CanvasTile:
        try:
            tile = CanvasTile.from_model(onnx.load(str(self.onnx_path)))
        except Exception as e:  # noqa: BLE001 - protobuf's DecodeError, a malformed tile's ValueError, OSError
            raise InferenceError(f"The canvas of the style {self.onnx_path.stem} cannot be read: {_first_line(e)}",
                                 "Re-export the style.") from e
        if tile is None:
            raise InferenceError(f"The style {self.onnx_path.stem} takes a canvas but holds no '{CANVAS_TILE}'.",
                                 "Re-export the style.")
        return tile

    def run(self, bgr: np.ndarray, strength: float = 1.0, canvas_at: np.ndarray | None = None) -> np.ndarray:
        """Stylize one frame (HxWx3 uint8 BGR) and return the same shape and type. `canvas_at`: a canvas
        style's 2x3 map from frame pixels to the canvas positions they read (CanvasMotion); default: in place."""
        feed = self._feed(bgr, strength, canvas_at)
        try:
            if self._use_binding:
                out = self._run_bound(feed)
            else:
                out = self._session.run([self._output], feed)[0]
        except ORT_ERRORS as e:
            h, w = bgr.shape[:2]
            raise InferenceError(
                f"The style {self.onnx_path.stem} failed on a {w}x{h} frame: {_first_line(e)}",
                "Try another inference size (a multiple of 8), or re-export the style.") from e
        if out.ndim != 4 or out.shape[0] != 1 or out.shape[3] != 3 or out.dtype != np.uint8:
            raise InferenceError(f"The style {self.onnx_path.stem} returned {out.dtype} {out.shape}, "
                                 "not a [1, H, W, 3] uint8 image.", "Re-export the style.")
        result = out[0]
        if not self.has_strength and strength < 1.0:
            # Old models without a strength input: blend in OpenCV (vectorised, no Python per pixel).
            s = max(0.0, float(strength))
            if result.shape == bgr.shape:
                result = cv2.addWeighted(result, s, bgr, 1.0 - s, 0.0)
        return result

    def _run_bound(self, feed: dict[str, np.ndarray]) -> np.ndarray:
        binding = self._session.io_binding()
        for name, value in feed.items():
            binding.bind_cpu_input(name, value)
        binding.bind_output(self._output, "cpu")  # onnxruntime copies the result straight into host memory
        self._session.run_with_iobinding(binding)
        return binding.copy_outputs_to_cpu()[0]

    def warmup(self, width: int, height: int, runs: int = 3) -> float:
        """Run a few frames of this size (first runs allocate and pick kernels); median ms of the runs."""
        rng = np.random.default_rng(0)
        img = rng.integers(0, 256, size=(int(height), int(width), 3), dtype=np.uint8)
        times = []
        for _ in range(max(1, runs)):
            t0 = time.perf_counter()
            self.run(img, 1.0)
            times.append((time.perf_counter() - t0) * 1000.0)
        return float(np.median(times))

    def __repr__(self) -> str:
        return f"StyleSession({self.onnx_path.name!r}, provider={self.provider!r})"

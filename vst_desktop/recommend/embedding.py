"""A style's embedding: the look statistics (`features.blocks`) of its outputs on a fixed set of probe
frames (bundled content photos and demo-clip frames), averaged over the frames.

It describes what the style does, not what its files contain, so a filter, a painted style and an
imported one are measured alike. It costs well under 2 s per style on two CPU cores, so it is computed
at first use and cached in the user data folder, keyed by the ONNX file's path, size and mtime: never
on the frame path, and a reinstalled style is measured again.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import threading
import time
from pathlib import Path

import numpy as np

from vst_desktop.core import paths
from vst_desktop.evaluation.media import read_clip, read_image, resize_long_side
from vst_desktop.recommend.features import BLOCK_NAMES, WORK_SIDE, blocks

log = logging.getLogger(__name__)

EMBED_VERSION = 1  # bump when the probe frames or the features change: old cache entries are ignored
# A fixed, varied probe set: landscapes, objects, faces, a street; fewer frames would make the vector noisy.
PROBE_PHOTOS = ("kodak_kodim01.jpg", "kodak_kodim03.jpg", "kodak_kodim05.jpg", "kodak_kodim13.jpg",
                "kodak_kodim20.jpg", "kodak_kodim23.jpg", "skimage_astronaut.jpg", "faces_cc0_001.jpg",
                "faces_cc0_021.jpg", "intel_store-aisle-detection_f000.jpg")
DEMO_FRAMES = 3
# Beside the live view, sleep this many times each frame's work after it: at most half a core, so the live
# view keeps most of its frame rate while a style is measured (tools/bench_recommend_live.py); 1.5-2 s per style.
BACKGROUND_YIELD = 1.0

Embedding = dict[str, np.ndarray]


@functools.lru_cache(maxsize=1)
def probe_frames() -> tuple[np.ndarray, ...]:
    """The fixed frames every style is run on, WORK_SIDE long side (sizes multiples of 8)."""
    frames = []
    content = paths.resources_dir() / "content"
    for name in PROBE_PHOTOS:
        p = content / name
        if p.is_file():
            frames.append(resize_long_side(read_image(p), WORK_SIDE))
    clip = paths.demo_clip()
    if clip.is_file():
        try:
            demo = read_clip(clip, max_frames=60, step=1, width=WORK_SIDE)
            frames.extend(demo[:: max(1, len(demo) // DEMO_FRAMES)][:DEMO_FRAMES])
        except Exception as exc:  # noqa: BLE001 - a damaged demo clip leaves the photos, which suffice
            log.warning("demo clip frames not used for style embeddings: %s", exc)
    if not frames:
        raise FileNotFoundError(f"no probe frames in {content}: the app's resources are incomplete")
    return tuple(frames)


def embed_outputs(outputs: list[np.ndarray]) -> Embedding:
    feats = [blocks(o) for o in outputs]
    return {k: np.mean([f[k] for f in feats], axis=0) for k in BLOCK_NAMES}


def embed_style(onnx_path: str | Path, yield_ratio: float = 0.0) -> Embedding:
    """Run the style on the probe frames (one CPU thread: this runs beside the live view) and measure;
    `yield_ratio` > 0 sleeps that many times each frame's work after it (BACKGROUND_YIELD)."""
    from vst_desktop.inference.session import StyleSession

    session = StyleSession(onnx_path, prefer_gpu=False, threads=1)
    feats = []
    for frame in probe_frames():
        t0 = time.perf_counter()
        feats.append(blocks(session.run(frame, 1.0)))
        if yield_ratio > 0:
            time.sleep((time.perf_counter() - t0) * yield_ratio)
    return {k: np.mean([f[k] for f in feats], axis=0) for k in BLOCK_NAMES}


def _file_key(onnx_path: Path) -> str:
    st = onnx_path.stat()
    return f"v{EMBED_VERSION}|{onnx_path.resolve()}|{st.st_size}|{st.st_mtime_ns}"


class EmbeddingCache:
    """`embeddings.json` in the user data folder: {file key: {block: list}}. Thread-safe, atomic writes.

    A damaged file is ignored (and rewritten): the cache only saves time, it never blocks a ranking.
    """

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else paths.data_dir() / "recommend" / "embeddings.json"
        self._lock = threading.Lock()
        self._data: dict[str, dict[str, list[float]]] | None = None

    def _load(self) -> dict[str, dict[str, list[float]]]:
        if self._data is None:
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                self._data = data if isinstance(data, dict) else {}
            except FileNotFoundError:
                self._data = {}
            except (OSError, ValueError) as exc:
                log.warning("style embedding cache %s unreadable, rebuilding it: %s", self.path, exc)
                self._data = {}
        return self._data

    def get(self, onnx_path: str | Path) -> Embedding | None:
        key = _file_key(Path(onnx_path))
        with self._lock:
            entry = self._load().get(key)
        if not isinstance(entry, dict) or set(entry) != set(BLOCK_NAMES):
            return None
        try:
            return {k: np.asarray(entry[k], np.float64) for k in BLOCK_NAMES}
        except (TypeError, ValueError):
            return None

    def put(self, onnx_path: str | Path, emb: Embedding) -> None:
        p = Path(onnx_path)
        key = _file_key(p)
        prefix = key.rsplit("|", 2)[0] + "|"
        with self._lock:
            data = self._load()
            for old in [k for k in data if k.startswith(prefix) or not k.startswith(f"v{EMBED_VERSION}|")]:
                del data[old]  # the same file's older versions and other versions' entries go
            data[key] = {k: [float(x) for x in v] for k, v in emb.items()}
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
            tmp.write_text(json.dumps(data), encoding="utf-8")
            tmp.replace(self.path)

    def embedding(self, onnx_path: str | Path, yield_ratio: float = 0.0) -> Embedding:
        """The cached embedding, computed and stored when missing or stale."""
        emb = self.get(onnx_path)
        if emb is None:
            emb = embed_style(onnx_path, yield_ratio)
            self.put(onnx_path, emb)
        return emb


def embeddings_for(packages: list, cache: EmbeddingCache | None = None,
                   stop: threading.Event | None = None, yield_ratio: float = 0.0) -> dict[str, Embedding]:
    """{style id: embedding} for StylePackages; a style that cannot run is left out with a log note.
    `stop` ends the work between two styles (the window closing); `yield_ratio`: see `embed_style`."""
    cache = cache or EmbeddingCache()
    out = {}
    for pkg in packages:
        if stop is not None and stop.is_set():
            break
        try:
            out[pkg.id] = cache.embedding(pkg.onnx_path, yield_ratio)
        except Exception as exc:  # noqa: BLE001 - one broken style must not hide the others' rankings
            log.warning("no embedding for style %s: %s", pkg.id, exc)
    return out

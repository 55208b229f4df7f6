"""`vst-desktop evaluate` wiring: arguments, style lookup, clear errors (no ONNX or critic needed)."""

from __future__ import annotations

import argparse
import sys
import types
from pathlib import Path

import pytest

from vst_desktop.core.errors import SourceError, StyleError, VstError
from vst_desktop.evaluation import entry
from vst_desktop.evaluation.stylizers import as_stylizer


def _args(**kw) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    entry.add_arguments(parser)
    argv = ["--style", kw.pop("style", "nope")]
    for k, v in kw.items():
        argv += [f"--{k.replace('_', '-')}", str(v)]
    return parser.parse_args(argv)


class _FakeLibrary:
    def get(self, style_id):
        raise StyleError(f"There is no style called {style_id!r}.", "List them with: vst-desktop styles list")


@pytest.fixture
def fake_library(monkeypatch):
    """The real StyleLibrary is built in parallel; the entry only needs `get`."""
    mod = types.ModuleType("vst_desktop.styles.library")
    mod.StyleLibrary = _FakeLibrary
    monkeypatch.setitem(sys.modules, "vst_desktop.styles.library", mod)


def test_arguments_parse():
    args = _args(style="x", video="a.mp4", photos="p", styles_folder="s")
    assert args.video == ["a.mp4"] and args.photos == "p" and args.styles_folder == "s" and not args.json


def test_unknown_style_is_a_style_error(fake_library):
    with pytest.raises(StyleError) as exc:
        entry.main(_args(style="no-such-style"))
    assert exc.value.exit_code == 2


def test_missing_video_is_a_source_error(monkeypatch, tmp_path):
    pkg = types.SimpleNamespace(id="s", onnx_path=tmp_path / "s.onnx", meta={"training": {}})
    mod = types.ModuleType("vst_desktop.styles.library")
    mod.StyleLibrary = lambda: types.SimpleNamespace(get=lambda _id: pkg)
    monkeypatch.setitem(sys.modules, "vst_desktop.styles.library", mod)
    with pytest.raises(SourceError) as exc:
        entry.main(_args(style="s", video=tmp_path / "missing.mp4"))
    assert isinstance(exc.value, VstError) and "missing.mp4" in exc.value.message


def test_styles_dir_comes_from_the_training_config(shared_data, tmp_path):
    assert entry.styles_dir_from_meta({"training": {"config": {"styles_dir": str(tmp_path)}}}) == str(tmp_path)
    assert entry.styles_dir_from_meta({"training": {"config": {"styles_dir": "/x/my_oils"}}}) == "/x/my_oils"
    # built on another machine: the folder of the same name in the shared data beside this checkout
    moved = entry.styles_dir_from_meta({"training": {"config": {"styles_dir": "/elsewhere/van_gogh"}}})
    assert Path(moved) == shared_data / "styles" / "van_gogh"
    assert entry.styles_dir_from_meta({"training": {}}) is None
    meta = types.SimpleNamespace(training={"config": {"styles_dir": "/y"}})
    assert entry.styles_dir_from_meta(meta) == "/y"
    assert entry.styles_dir_from_meta(types.SimpleNamespace()) is None


def test_session_adapter_passes_strength():
    calls = []

    class FakeSession:
        provider = "CPUExecutionProvider"

        def run(self, bgr, strength=1.0):
            calls.append(strength)
            return bgr

    stylize, provider = as_stylizer(FakeSession(), strength=0.5)
    stylize(__import__("numpy").zeros((8, 8, 3), "uint8"))
    assert provider == "CPUExecutionProvider" and calls == [0.5]
    with pytest.raises(TypeError):
        as_stylizer(42)

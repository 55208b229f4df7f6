"""Whatever settings.json holds, the app starts: unusable files are kept aside, bad values take defaults."""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vst_desktop.core import paths
from vst_desktop.core.settings import (
    FPS_RANGE,
    RESOLUTION_RANGE,
    STRENGTH_RANGE,
    Settings,
    load_settings,
    save_settings,
)

DEFAULTS = Settings()


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def _assert_in_range(s: Settings) -> None:
    assert isinstance(s.resolution, tuple) and len(s.resolution) == 2
    assert all(type(v) is int and RESOLUTION_RANGE[0] <= v <= RESOLUTION_RANGE[1] for v in s.resolution)
    assert type(s.fps) is int and FPS_RANGE[0] <= s.fps <= FPS_RANGE[1]
    assert type(s.strength) is float and math.isfinite(s.strength)
    assert STRENGTH_RANGE[0] <= s.strength <= STRENGTH_RANGE[1]
    assert type(s.mirror) is bool and type(s.compare) is bool
    for text in (s.camera, s.style, s.inference_preset, s.recordings_dir, s.window_geometry):
        assert type(text) is str and "\x00" not in text
        text.encode("utf-8")
    s.window_geometry.encode("ascii")
    assert isinstance(s.extra, dict)
    json.dumps(s.to_json(), indent=2)  # what save_settings writes: must not fail either


UNUSABLE = {
    "nested": b"[" * 100_000,
    "nested object": b'{"extra": ' + b'{"a": ' * 5000 + b"1" + b"}" * 5001,
    "binary": bytes(range(256)) * 4,
    "not utf-8": '{"style": "caf\u00e9"}'.encode("latin-1"),
    "empty": b"",
    "a list": b"[1, 2, 3]",
    "a number": b"42",
    "huge number": b'{"fps": ' + b"9" * 10_000 + b"}",
}


@pytest.mark.parametrize("content", UNUSABLE.values(), ids=UNUSABLE.keys())
def test_unusable_settings_file_is_kept_aside_and_defaults_used(isolated_home, content):
    f = paths.settings_file()
    f.write_bytes(content)
    r = load_settings()
    assert r.settings == DEFAULTS
    assert "defaults are used" in r.warning
    backups = list(f.parent.glob("settings.corrupt-*.json"))
    assert len(backups) == 1 and backups[0].read_bytes() == content
    assert backups[0].name in r.warning
    assert not f.exists()


def test_huge_settings_file_is_moved_aside_without_reading_it(isolated_home):
    f = paths.settings_file()
    with open(f, "wb") as out:  # sparse: 256 MB on paper, nothing on disk
        out.truncate(256 << 20)
    r = load_settings()
    assert r.settings == DEFAULTS and "MB" in r.warning
    (backup,) = f.parent.glob("settings.corrupt-*.json")
    assert backup.stat().st_size == 256 << 20


def test_a_folder_in_place_of_the_settings_file(isolated_home):
    f = paths.settings_file()
    f.mkdir()
    (f / "keep.txt").write_text("mine")
    r = load_settings()
    assert r.settings == DEFAULTS and "folder" in r.warning
    (backup,) = f.parent.glob("settings.corrupt-*.json")
    assert (backup / "keep.txt").read_text() == "mine"
    save_settings(r.settings)  # the app can save again on close
    assert load_settings().settings == DEFAULTS


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_settings_file(isolated_home):
    f = paths.settings_file()
    f.write_text('{"style": "mine"}')
    f.chmod(0)
    r = load_settings()
    assert r.settings == DEFAULTS and "cannot be opened" in r.warning
    (backup,) = f.parent.glob("settings.corrupt-*.json")
    backup.chmod(0o600)
    assert backup.read_text() == '{"style": "mine"}'


def test_a_settings_link_that_cannot_be_followed(isolated_home):
    f = paths.settings_file()
    f.symlink_to(f)  # a loop: opening it fails for everyone, root included
    r = load_settings()
    assert r.settings == DEFAULTS and "cannot be opened" in r.warning
    (backup,) = f.parent.glob("settings.corrupt-*.json")
    assert backup.is_symlink() and not f.exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_a_pipe_in_place_of_the_settings_file_does_not_block_the_start(isolated_home):
    f = paths.settings_file()
    os.mkfifo(f)  # reading it would wait forever for a writer
    r = load_settings()
    assert r.settings == DEFAULTS and "not a regular file" in r.warning


def test_two_corrupt_files_in_the_same_second_keep_both(isolated_home):
    f = paths.settings_file()
    for content in (b"first {", b"second {"):
        f.write_bytes(content)
        load_settings()
    kept = sorted(p.read_bytes() for p in f.parent.glob("settings.corrupt-*.json"))
    assert kept == [b"first {", b"second {"]


@pytest.mark.parametrize(("key", "value"), [
    ("resolution", [0, 0]), ("resolution", [-640, 360]), ("resolution", [640]), ("resolution", [1e9, 360]),
    ("fps", 0), ("fps", 10**9), ("fps", -30), ("fps", 29.97),
    ("strength", float("nan")), ("strength", float("inf")), ("strength", -5), ("strength", 1.5),
    ("camera", "demo\x00"), ("camera", "\ud800"), ("camera", "x" * 100_000), ("style", 7),
    ("window_geometry", "\u00e9t\u00e9"), ("extra", [1]), ("mirror", "yes"),
])
def test_out_of_range_values_take_defaults_and_the_file_is_kept(isolated_home, key, value):
    f = paths.settings_file()
    f.write_text(json.dumps({"style": "mine", key: value}))
    original = f.read_bytes()
    r = load_settings()
    assert getattr(r.settings, key) == getattr(DEFAULTS, key)
    assert r.settings.style == ("mine" if key != "style" else DEFAULTS.style)
    _assert_in_range(r.settings)
    (copy,) = f.parent.glob("settings.invalid-*.json")
    assert copy.read_bytes() == original
    load_settings()  # loading the same file again does not pile up copies
    assert len(list(f.parent.glob("settings.invalid-*.json"))) == 1


def test_values_in_range_and_unknown_keys_survive_a_save(isolated_home):
    f = paths.settings_file()
    f.write_text(json.dumps({"fps": 60, "resolution": [1920, 1080], "strength": 0, "from_the_future": {"a": [1]}}))
    r = load_settings()
    assert (r.settings.fps, r.settings.resolution, r.settings.strength) == (60, (1920, 1080), 0.0)
    save_settings(r.settings)
    assert json.loads(f.read_text())["from_the_future"] == {"a": [1]}
    assert list(f.parent.glob("settings.*-*.json")) == []


def test_app_start_path_survives_a_deeply_nested_settings_file(qtbot, isolated_home):
    from vst_desktop.app import build_main_window

    paths.settings_file().write_text("[" * 100_000, encoding="utf-8")
    window = build_main_window()  # no source: the saved camera setting decides, as at a real start
    qtbot.addWidget(window)
    try:
        assert "defaults are used" in window.banners.text("settings")
    finally:
        window.close()


def test_app_start_path_survives_out_of_range_values(qtbot, isolated_home):
    from vst_desktop.app import build_main_window

    paths.settings_file().write_text(json.dumps({
        "resolution": [0, 0], "fps": 0, "strength": -5, "camera": "demo\x00", "window_geometry": "\u00e9",
        "extra": {"show_stats": "no", "compare_layout": [1]}}), encoding="utf-8")
    window = build_main_window()
    qtbot.addWidget(window)
    try:
        assert window.settings.resolution == DEFAULTS.resolution and window.settings.fps == DEFAULTS.fps
        assert window.panel.strength.value() == 100
    finally:
        window.close()


# ---- properties: generated bytes and generated JSON ----

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20)
_field_values = {
    "resolution": st.lists(st.integers(-10, 10_000), max_size=3) | _json_values,
    "fps": st.integers(-5, 1000) | _json_values,
    "strength": st.floats() | _json_values,
    "camera": st.text(max_size=30) | _json_values,
    "window_geometry": st.text(max_size=30) | _json_values,
    "mirror": _json_values,
    "extra": st.dictionaries(st.text(max_size=8), _json_values, max_size=3) | _json_values,
}
_settings_objects = st.fixed_dictionaries({}, optional=_field_values).flatmap(
    lambda known: st.dictionaries(st.text(max_size=8), _json_values, max_size=3).map(lambda u: {**u, **known}))


def _load_in_fresh_folder(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        f = folder / "settings.json"
        f.write_bytes(content)
        r = load_settings(f)
        _assert_in_range(r.settings)
        files = _files(folder)
        if r.warning:
            assert not f.exists() and r.settings == DEFAULTS
        # Nothing is lost: the original bytes are still there, in place or in a backup.
        assert content in files.values()
        if f.exists() and f.read_bytes() == content and len(files) == 1:
            # Left alone, so all of it was usable: saving writes back the same settings.
            save_settings(r.settings, f)
            assert load_settings(f).settings == r.settings


_quick = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_quick
@given(st.binary(max_size=300))
def test_any_bytes_never_stop_the_app(content):
    _load_in_fresh_folder(content)


@_quick
@given(_settings_objects | _json_values)
def test_any_json_never_stops_the_app(data):
    _load_in_fresh_folder(json.dumps(data).encode("utf-8"))

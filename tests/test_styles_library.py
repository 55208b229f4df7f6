from __future__ import annotations

import json
import shutil
import stat
import zipfile
from pathlib import Path

import pytest

from vst_desktop.core.errors import StyleError
from vst_desktop.core.paths import builtin_styles_dir
from vst_desktop.styles import archive
from vst_desktop.styles.library import StyleLibrary


@pytest.fixture
def lib(tmp_path) -> StyleLibrary:
    return StyleLibrary(builtin_dir=builtin_styles_dir(), user_dir=tmp_path / "user-styles")


def _user_style(folder: Path, style_id: str, base: str = "bw_film", **meta) -> dict[str, Path]:
    """Three files of a valid style `style_id` (a copy of a built-in) in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    src = builtin_styles_dir()
    data = json.loads((src / f"{base}.json").read_text())
    data.update(id=style_id, name=f"My {style_id}", **meta)
    files = {s: folder / f"{style_id}.{s}" for s in ("onnx", "json", "png")}
    shutil.copyfile(src / f"{base}.onnx", files["onnx"])
    shutil.copyfile(src / f"{base}.png", files["png"])
    files["json"].write_text(json.dumps(data))
    return files


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_builtins_are_listed(lib):
    ids = [p.id for p in lib.list()]
    assert ids[:2] == ["bw_film", "classic_film"]
    assert all(p.builtin for p in lib.list())
    assert lib.problems == []
    assert lib.get("classic_film").meta.kind == "filter"


def test_corrupt_package_is_skipped_with_a_named_problem(lib):
    files = _user_style(lib.user_dir, "broken")
    files["onnx"].write_bytes(b"this is not onnx")
    _user_style(lib.user_dir, "nothumb")["png"].unlink()
    (lib.user_dir / "badjson.json").write_text("{ not json")
    _user_style(lib.user_dir, "good")
    ids = [p.id for p in lib.list()]
    assert "good" in ids and not {"broken", "nothumb", "badjson"} & set(ids)
    messages = " | ".join(e.message for e in lib.problems)
    for name in ("broken", "nothumb", "badjson"):
        assert f"'{name}'" in messages
    with pytest.raises(StyleError, match="broken"):
        lib.get("broken")


def test_hidden_and_duplicate_ids(lib):
    _user_style(lib.user_dir, "secret", hidden=True)
    _user_style(lib.user_dir, "bw_film")  # same id as a built-in
    assert "secret" not in [p.id for p in lib.list()]
    assert "secret" in [p.id for p in lib.list(include_hidden=True)]
    assert [p for p in lib.list() if p.id == "bw_film"][0].builtin
    assert any("bw_film" in e.message and "built-in" in e.message for e in lib.problems)


def test_install_and_remove(lib, tmp_path):
    files = _user_style(tmp_path / "src", "mine")
    pkg = lib.install(files["onnx"], files["json"], files["png"])
    assert pkg.id == "mine" and not pkg.builtin and pkg.onnx_path.is_file()
    assert "mine" in [p.id for p in lib.list()]
    assert _listing(lib.user_dir) == ["mine.json", "mine.onnx", "mine.png"]
    lib.remove("mine")
    assert _listing(lib.user_dir) == []


def test_failed_install_leaves_nothing_behind(lib, tmp_path):
    files = _user_style(tmp_path / "src", "halfbaked")
    files["onnx"].write_bytes(b"\x08\x07garbage")
    with pytest.raises(StyleError, match="not a usable style model"):
        lib.install(files["onnx"], files["json"], files["png"])
    assert _listing(lib.user_dir) == []  # no temp folder, no partial files
    good = _user_style(tmp_path / "src2", "nopng")
    good["png"].write_bytes(b"not a png")
    with pytest.raises(StyleError, match="thumbnail"):
        lib.install(good["onnx"], good["json"], good["png"])
    assert _listing(lib.user_dir) == []


def test_install_refuses_builtin_id(lib, tmp_path):
    files = _user_style(tmp_path / "src", "classic_film")
    with pytest.raises(StyleError, match="built-in"):
        lib.install(files["onnx"], files["json"], files["png"])


def test_builtin_cannot_be_removed(lib):
    with pytest.raises(StyleError, match="built-in"):
        lib.remove("bw_film")
    with pytest.raises(StyleError):
        lib.remove("../escape")


def test_export_import_round_trip(lib, tmp_path):
    exported = lib.export("classic_film", tmp_path / "out")
    assert exported.name == "classic_film.vststyle"
    with zipfile.ZipFile(exported) as zf:
        assert sorted(zf.namelist()) == ["classic_film.json", "classic_film.onnx", "classic_film.png"]
    # Re-import under a new id (the built-in id is taken).
    files = _user_style(tmp_path / "src", "roundtrip", base="classic_film")
    lib.install(files["onnx"], files["json"], files["png"])
    archive_path = lib.export("roundtrip", tmp_path / "rt.vststyle")
    lib.remove("roundtrip")
    pkg = lib.import_file(archive_path)
    assert pkg.id == "roundtrip"
    assert pkg.onnx_path.read_bytes() == (builtin_styles_dir() / "classic_film.onnx").read_bytes()
    assert _listing(lib.user_dir) == ["roundtrip.json", "roundtrip.onnx", "roundtrip.png"]


def _zip(path: Path, members: dict[str, bytes], symlink: str | None = None) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            info = zipfile.ZipInfo(name)
            if name == symlink:
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return path


@pytest.fixture
def style_bytes(tmp_path) -> dict[str, bytes]:
    files = _user_style(tmp_path / "zsrc", "zipped")
    return {f"zipped.{k}": v.read_bytes() for k, v in files.items()}


@pytest.mark.parametrize("case, match", [
    ("absolute", "absolute path"),
    ("traversal", "leaves its folder"),
    ("extra", "unexpected file"),
    ("symlink", "symbolic link"),
    ("folder", "folder"),
    ("missing", "no .png"),
])
def test_malicious_archives_are_rejected(lib, tmp_path, style_bytes, case, match):
    members = dict(style_bytes)
    symlink = None
    if case == "absolute":
        members["/etc/zipped.png"] = members.pop("zipped.png")
    elif case == "traversal":
        members["../zipped.png"] = members.pop("zipped.png")
    elif case == "extra":
        members["run_me.sh"] = b"#!/bin/sh\n"
    elif case == "symlink":
        members["zipped.png"] = b"/etc/passwd"
        symlink = "zipped.png"
    elif case == "folder":
        members["sub/zipped.png"] = members.pop("zipped.png")
    elif case == "missing":
        del members["zipped.png"]
    bad = _zip(tmp_path / f"{case}.vststyle", members, symlink)
    with pytest.raises(StyleError, match=match):
        lib.import_file(bad)
    assert _listing(lib.user_dir) == []
    assert not (tmp_path / "zipped.png").exists()


def test_oversize_and_bomb_members_are_rejected(lib, tmp_path, style_bytes, monkeypatch):
    monkeypatch.setitem(archive.MAX_BYTES, ".png", 1024)  # the thumbnail is ~100 KB
    with pytest.raises(StyleError, match=r"KiB, more than the 1 KiB allowed"):
        lib.import_file(_zip(tmp_path / "big.vststyle", style_bytes))
    monkeypatch.undo()
    members = dict(style_bytes, **{"zipped.onnx": b"\0" * (4 * 1024 * 1024)})  # compresses ~1000x
    with pytest.raises(StyleError, match="zip bomb"):
        lib.import_file(_zip(tmp_path / "bomb.vststyle", members))
    assert _listing(lib.user_dir) == []


def test_member_larger_than_declared_is_rejected(lib, tmp_path, style_bytes):
    path = _zip(tmp_path / "liar.vststyle", style_bytes)
    # Patch the declared (uncompressed) size of the PNG down in both headers: the reader must notice.
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("zipped.png")
    real = info.file_size.to_bytes(4, "little")
    fake = (info.file_size // 2).to_bytes(4, "little")
    assert data.count(real) >= 2
    path.write_bytes(bytes(data).replace(real, fake))
    with pytest.raises(StyleError, match="rejected"):
        lib.import_file(path)
    assert _listing(lib.user_dir) == []


def test_not_a_zip(lib, tmp_path):
    junk = tmp_path / "junk.vststyle"
    junk.write_bytes(b"hello")
    with pytest.raises(StyleError, match="not a valid .vststyle"):
        lib.import_file(junk)

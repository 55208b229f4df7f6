"""Careless and hostile style files meet the real command line: every one ends in a message
and exit code 2 (or is skipped with a note), never a traceback, and nothing the user had is lost."""

from __future__ import annotations

import json
import zipfile

import cv2
import pytest
from _style_archives import (
    external_data_onnx,
    huge_png,
    make_archive,
    put_package,
    style_json,
    with_frame_type,
    with_ir_version,
)

from vst_desktop.cli import main
from vst_desktop.core import paths
from vst_desktop.styles.library import StyleLibrary


def _cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def _name_of(style_id: str) -> str:
    return json.loads((paths.user_styles_dir() / f"{style_id}.json").read_text())["name"]


# ---- 1: an id that is already installed -------------------------------------------------------------

def test_import_over_an_installed_style_needs_replace_and_keeps_a_backup(capsys, tmp_path):
    first = make_archive(tmp_path / "first.vststyle", "mine", name="First")
    second = make_archive(tmp_path / "second.vststyle", "mine", base="classic_film", name="Second")
    assert _cli(capsys, "styles", "import", first)[0] == 0

    code, _, err = _cli(capsys, "styles", "import", second)
    assert code == 2
    assert "'mine' is already installed" in err and "--replace" in err and str(second) in err
    assert _name_of("mine") == "First"

    code, out, err = _cli(capsys, "styles", "import", "--replace", second)
    assert code == 0, err
    assert "replaced" in out and ".replaced-" in out
    assert _name_of("mine") == "Second"
    backups = [p for p in paths.user_styles_dir().iterdir() if ".replaced-" in p.name]
    assert len(backups) == 1 and backups[0].is_dir()
    assert json.loads((backups[0] / "mine.json").read_text())["name"] == "First"
    assert sorted(p.name for p in backups[0].iterdir()) == ["mine.json", "mine.onnx", "mine.png"]

    # The backup is neither a style nor a problem.
    code, out, err = _cli(capsys, "styles", "list")
    assert code == 0 and err == ""
    assert [line.split()[0] for line in out.splitlines()].count("mine") == 1


def test_clean_replaced_removes_the_backups_and_only_them(tmp_path):
    lib = StyleLibrary()
    lib.import_file(make_archive(tmp_path / "a.vststyle", "mine"))
    lib.import_file(make_archive(tmp_path / "b.vststyle", "mine", name="Newer"), replace=True)
    lib.import_file(make_archive(tmp_path / "c.vststyle", "mine", name="Newest"), replace=True)
    assert len([p for p in lib.user_dir.iterdir() if ".replaced-" in p.name]) == 2
    lib.clean_replaced()
    assert sorted(p.name for p in lib.user_dir.iterdir()) == ["mine.json", "mine.onnx", "mine.png"]
    assert lib.get("mine").meta.name == "Newest"


# ---- 4 and 5: external data, deep JSON -------------------------------------------------------------

@pytest.mark.parametrize("location", ["../../etc/passwd", "/etc/passwd", "weights.bin"])
def test_import_refuses_onnx_with_external_data(capsys, tmp_path, location):
    archive = make_archive(tmp_path / "ext.vststyle", "ext", onnx_bytes=external_data_onnx(location))
    code, _, err = _cli(capsys, "styles", "import", archive)
    assert code == 2
    assert "external data" in err and str(archive) in err and "ext.onnx" in err
    assert not (paths.user_styles_dir() / "ext.json").exists()


def test_import_refuses_deeply_nested_json(capsys, tmp_path):
    deep = b"[" * 100_000 + b"]" * 100_000
    code, _, err = _cli(capsys, "styles", "import", make_archive(tmp_path / "deep.vststyle", "deep",
                                                                   json_bytes=deep))
    assert code == 2 and "nested" in err and "deep.json" in err
    # Shallow enough for the parser, too deep to write back: refused the same way.
    data = json.loads(style_json("deep2"))
    data["training"] = json.loads('{"a":' * 900 + "1" + "}" * 900)
    code, _, err = _cli(capsys, "styles", "import", make_archive(tmp_path / "deep2.vststyle", "deep2",
                                                                   json_bytes=json.dumps(data).encode()))
    assert code == 2 and "nested" in err


def test_broken_user_styles_do_not_break_the_others(capsys, tmp_path, shared_data):
    user = paths.user_styles_dir()
    put_package(user, "escape", onnx_bytes=external_data_onnx("../../etc/passwd"))
    put_package(user, "absolute", onnx_bytes=external_data_onnx("/etc/passwd"))
    put_package(user, "deepjson", json_bytes=b"[" * 100_000 + b"]" * 100_000)
    put_package(user, "hugethumb", png_bytes=huge_png(20000, 20000))
    put_package(user, "fine")

    code, out, err = _cli(capsys, "styles", "list")
    assert code == 0
    listed = [line.split()[0] for line in out.splitlines()]
    assert {"bw_film", "van-gogh", "fine"} <= set(listed)
    for bad in ("escape", "absolute", "deepjson", "hugethumb"):
        assert bad not in listed and f"'{bad}'" in err

    photo = shared_data / "content" / "val" / "faces_cc0_004.jpg"
    code, _, err = _cli(capsys, "stylize", photo, "-o", tmp_path / "out.png", "--style", "van-gogh", "-q")
    assert code == 0, err
    assert cv2.imread(str(tmp_path / "out.png")) is not None


# ---- 11: a thumbnail that decodes to gigabytes -------------------------------------------------------

def test_import_refuses_a_huge_thumbnail_before_decoding_it(capsys, tmp_path):
    png = huge_png(20000, 20000)
    assert len(png) < 1_000_000
    archive = make_archive(tmp_path / "big.vststyle", "big", png_bytes=png)
    code, _, err = _cli(capsys, "styles", "import", archive)
    assert code == 2 and "20000x20000" in err and "256x256" in err and "big.png" in err


# ---- 12: messages that say the right thing ---------------------------------------------------------

def test_size_limit_is_printed_in_mib(capsys, tmp_path):
    archive = tmp_path / "fat.vststyle"
    make_archive(archive, "fat")
    with zipfile.ZipFile(archive) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    members["fat.onnx"] = bytes(101 * 2**20)
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    code, _, err = _cli(capsys, "styles", "import", archive)
    assert code == 2 and "101 MiB" in err and "100 MiB allowed" in err and "MB" not in err


def test_onnxruntime_reason_is_not_cut_off(capsys, tmp_path):
    archive = make_archive(tmp_path / "new.vststyle", "newer", onnx_bytes=with_ir_version(14))
    code, _, err = _cli(capsys, "styles", "import", archive)
    assert code == 2
    assert "Unsupported model IR version: 14" in err and "newer.onnx" in err and "style.onnx" not in err


def test_an_unknown_tensor_type_is_a_message(capsys, tmp_path):
    archive = make_archive(tmp_path / "t.vststyle", "typed", onnx_bytes=with_frame_type(999))
    code, _, err = _cli(capsys, "styles", "import", archive)
    assert code == 2 and "unknown type 999" in err and "typed.onnx" in err


@pytest.mark.parametrize("member, data, match", [
    ("onnx", b"\x08\x07garbage", "named.onnx"),
    ("json", b"{ not json", "named.json"),
    ("png", b"not a png", "named.png"),
])
def test_import_errors_name_the_users_file(capsys, tmp_path, member, data, match):
    archive = make_archive(tmp_path / "users-file.vststyle", "named", **{f"{member}_bytes": data})
    code, _, err = _cli(capsys, "styles", "import", archive)
    assert code == 2 and str(archive) in err and match in err
    assert "style.onnx" not in err and "style.json" not in err and "style.png" not in err


@pytest.mark.parametrize("name, match", [
    ("x" * 1_000_000, "80 characters"),
    ("x" * 81, "80 characters"),
    ("Evil\x1b[2J\rname", "control characters"),
    ("Spoof\u202egnp.exe", "control characters"),
    ("   ", "'name' is missing"),
])
def test_style_names_are_bounded_and_printable(capsys, tmp_path, name, match):
    archive = make_archive(tmp_path / "n.vststyle", "named", name=name)
    code, _, err = _cli(capsys, "styles", "import", archive)
    assert code == 2 and match in err and len(err) < 2000


def test_an_id_with_a_trailing_newline_is_refused(capsys, tmp_path):
    archive = make_archive(tmp_path / "nl.vststyle", "nl", json_bytes=style_json("nl\n"))
    code, _, err = _cli(capsys, "styles", "import", archive)
    assert code == 2 and "invalid id" in err
    assert list(paths.user_styles_dir().iterdir()) == []


def test_a_long_plain_name_is_fine(capsys, tmp_path):
    archive = make_archive(tmp_path / "n.vststyle", "named", name="Ü" * 80)
    assert _cli(capsys, "styles", "import", archive)[0] == 0


def test_one_bad_file_does_not_stop_the_others(capsys, tmp_path):
    bad = tmp_path / "bad.vststyle"
    bad.write_bytes(b"not a zip")
    good = make_archive(tmp_path / "good.vststyle", "good")
    code, out, err = _cli(capsys, "styles", "import", bad, good)
    assert code == 2 and "installed good" in out and str(bad) in err

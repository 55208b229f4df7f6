"""Property test of `.vststyle` import: whatever the archive holds (member names with `..`,
absolute or duplicate names, odd sizes, any JSON shape, damaged ONNX and PNG bytes, mixed with real
members of an exported built-in style), importing it through the library or the CLI either installs
a style or ends in a StyleError / exit code 2 with a message; nothing outside the styles folder is
touched, and the styles installed before are all still listed."""

from __future__ import annotations

import contextlib
import io
import json
import re
import warnings
import zipfile
from datetime import timedelta
from pathlib import Path

from _style_archives import builtin_members, external_data_onnx, huge_png, make_archive, with_ir_version
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from vst_desktop.cli import main
from vst_desktop.core import paths
from vst_desktop.core.errors import StyleError
from vst_desktop.styles.library import StyleLibrary

REAL = builtin_members("bw_film")
OTHER = builtin_members("classic_film")
BIG_PNG = huge_png(20000, 20000)
EXTERNAL = external_data_onnx("../../etc/passwd")
NEW_IR = with_ir_version(14)
FIRST = "mine_first"  # the user style installed before the fuzzing starts

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=16)


def _blob(real: bytes) -> st.SearchStrategy[bytes]:
    """Bytes for a member: the real file, cut short, with bytes flipped, or noise of any size."""
    return st.one_of(
        st.just(real),
        st.integers(0, len(real)).map(lambda n: real[:n]),
        st.tuples(st.integers(0, len(real) - 1), st.integers(1, 255)).map(
            lambda t: real[:t[0]] + bytes([real[t[0]] ^ t[1]]) + real[t[0] + 1:]),
        st.binary(max_size=256),
        st.integers(0, 3 * 2**20).map(bytes),  # zeros: compress well, some past the zip-bomb ratio
    )


def _json_bytes(base: dict) -> st.SearchStrategy[bytes]:
    keys = st.sampled_from(sorted(base) + ["extra", "sources", "inference_size"]) | st.text(max_size=6)
    changed = st.dictionaries(keys, _json_values, max_size=3).map(lambda d: json.dumps({**base, **d}).encode())
    return st.one_of(
        changed,
        _json_values.map(lambda v: json.dumps(v).encode()),
        st.integers(1, 200_000).map(lambda n: b"[" * n + b"]" * n),
        st.integers(1, 300_000).map(lambda n: json.dumps({**base, "name": "x" * n}).encode()),
        st.binary(max_size=64),
    )


@st.composite
def archives(draw, outside: Path) -> tuple[list[tuple[str, bytes]], bool]:
    """Members (name, bytes) of an archive, and whether to import it with replace. A few aspects of
    a real exported style are damaged at a time, so that real members meet every kind of damage."""
    damage = draw(st.sets(st.sampled_from(["id", "onnx", "json", "png", "names"]), max_size=3))
    style_id = "fz"
    if "id" in damage:
        style_id = draw(st.sampled_from([FIRST, "bw_film", "fz.2", "-x"]) | st.text(min_size=1, max_size=12))
    stem = draw(st.sampled_from([style_id, "other"])) if "names" in damage else style_id
    base = json.loads(REAL["json"])
    base.update(id=style_id, name=f"Fuzz {style_id}")
    members = {
        f"{stem}.onnx": draw(_blob(REAL["onnx"]) | st.sampled_from([EXTERNAL, NEW_IR, OTHER["onnx"]]))
        if "onnx" in damage else REAL["onnx"],
        f"{stem}.json": draw(_json_bytes(base)) if "json" in damage else json.dumps(base).encode(),
        f"{stem}.png": draw(_blob(REAL["png"]) | st.just(BIG_PNG)) if "png" in damage else REAL["png"],
    }
    items = list(members.items())
    hostile = st.sampled_from([
        f"../{stem}.png", f"../../{stem}.json", f"{outside}/{stem}.onnx", f"/{stem}.png", f"sub/{stem}.json",
        f"C:{stem}.onnx", f"{stem}.ONNX", f"{stem}.txt", f"{stem}.png/", "", "a\\..\\b.png",
    ]) | st.text(st.characters(codec="utf-8"), max_size=20)
    for _ in range(draw(st.integers(1, 3)) if "names" in damage else 0):  # rename, add, drop, duplicate
        op = draw(st.sampled_from(["rename", "add", "drop", "duplicate"]))
        i = draw(st.integers(0, max(0, len(items) - 1)))
        if op == "add" or not items:
            items.append((draw(hostile), draw(st.binary(max_size=64))))
        elif op == "rename":
            items[i] = (draw(hostile), items[i][1])
        elif op == "drop":
            items.pop(i)
        else:
            items.insert(i, items[i])
    return items, draw(st.booleans())


def _write_zip(path: Path, items: list[tuple[str, bytes]]) -> None:
    with warnings.catch_warnings(), zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        warnings.simplefilter("ignore")  # "Duplicate name": duplicates are the point
        for name, data in items:  # zipfile cannot write a NUL in a name (a reader cuts the name there)
            zf.writestr(name.replace("\x00", "_") or "noname", data)


def _snapshot(root: Path, skip: tuple[Path, ...]) -> dict[str, tuple[int, int]]:
    """Every file and folder under `root` outside `skip`: a file's size and modification time, a folder's
    existence (its time changes when a skipped folder is made inside it)."""
    out = {}
    for p in root.rglob("*"):
        if not any(p == s or s in p.parents for s in skip):
            st_ = p.lstat()
            out[str(p.relative_to(root))] = (st_.st_size, st_.st_mtime_ns) if p.is_file() else (-1, 0)
    return out


def _kind(message: str) -> str:
    """The sort of refusal, for hypothesis' statistics (`pytest --hypothesis-show-statistics`)."""
    what = re.split(r"was rejected: |was not installed: ", message.splitlines()[0])[-1]
    return " ".join(re.sub(r"'[^']*'|\"[^\"]*\"|\([^)]*\)|\S+\.(onnx|json|png)\b", "", what).split()[:6])


def _import(path: Path, replace: bool, via_cli: bool) -> tuple[bool, str]:
    """(installed?, message). Anything other than success or a StyleError / exit code 2 fails."""
    if not via_cli:
        try:
            StyleLibrary().import_file(path, replace=replace)
            return True, ""
        except StyleError as e:
            return False, e.user_text()
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["styles", "import", str(path), *(["--replace"] if replace else [])])
    assert code in (0, 2), err.getvalue()
    assert "Traceback" not in out.getvalue() + err.getvalue()
    return code == 0, err.getvalue()


@settings(max_examples=60, deadline=timedelta(seconds=20), database=None, print_blob=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(data=st.data(), via_cli=st.booleans())
def test_any_archive_installs_or_is_refused_with_a_message(tmp_path, isolated_home, data, via_cli):
    lib = StyleLibrary()
    if not (lib.user_dir / f"{FIRST}.json").exists():  # once per test: the examples share the home
        lib.import_file(make_archive(tmp_path / "first.vststyle", FIRST))
    expected = {p.id for p in lib.list(include_hidden=True)}
    outside = tmp_path / "outside"
    outside.mkdir(exist_ok=True)
    items, replace = data.draw(archives(outside))
    archive = tmp_path / "drawn.vststyle"
    _write_zip(archive, items)
    # The log and the style embeddings' cache may grow with an import: neither is the user's data.
    skip = (paths.user_styles_dir(), paths.log_dir(), paths.data_dir() / "recommend")
    before = _snapshot(isolated_home, skip), _snapshot(outside, ())

    installed, message = _import(archive, replace, via_cli)

    assert installed or message.strip(), "a refusal must say why"
    event("installed" if installed else _kind(message))
    assert (_snapshot(isolated_home, skip), _snapshot(outside, ())) == before
    listed = StyleLibrary()
    ids = {p.id for p in listed.list(include_hidden=True)}
    assert expected <= ids and listed.problems == []
    assert not [p.name for p in listed.user_dir.iterdir() if p.name.startswith(".install-")]

from __future__ import annotations

import pytest

from vst_desktop.core.errors import StyleError
from vst_desktop.core.paths import builtin_styles_dir
from vst_desktop.styles.package import StyleMeta, StylePackage

VALID = {"schema": 1, "id": "ink.v2", "name": "Ink", "description": "d", "kind": "gan", "license": "CC0",
         "sources": [{"file": "a.jpg", "origin": "https://example.org", "license": "CC0"}],
         "training": {"config": {}, "iterations": 10, "seconds": 1.5, "device": "cpu"},
         "metrics": {"e_warp": 0.1}, "inference_size": [640, 360]}


def test_round_trip_keeps_unknown_keys():
    meta = StyleMeta.from_json(dict(VALID, future_key={"x": 1}))
    assert meta.inference_size == [640, 360] and meta.hidden is False
    out = meta.to_json()
    assert out["future_key"] == {"x": 1} and "hidden" not in out
    assert StyleMeta.from_json(out) == meta


def test_dotted_id_keeps_its_file_names(tmp_path):
    pkg = StylePackage.in_folder(tmp_path, StyleMeta.from_json(VALID), builtin=False)
    assert pkg.onnx_path.name == "ink.v2.onnx" and pkg.png_path.name == "ink.v2.png"


@pytest.mark.parametrize("change, match", [
    ({"schema": 2}, "schema"),
    ({"id": "../evil"}, "invalid id"),
    ({"kind": "photo"}, "kind"),
    ({"name": ""}, "name"),
    ({"inference_size": [640]}, "inference_size"),
    ({"sources": "web"}, "sources"),
    ({"hidden": "yes"}, "hidden"),
])
def test_invalid_fields_are_named(change, match):
    with pytest.raises(StyleError, match=match):
        StyleMeta.from_json(dict(VALID, **change), "x.json")


def test_builtin_json_files_are_valid():
    for sid in ("bw_film", "classic_film"):
        meta = StyleMeta.load(builtin_styles_dir() / f"{sid}.json")
        assert meta.id == sid and meta.kind == "filter" and meta.sources == [] and "MIT" in meta.license

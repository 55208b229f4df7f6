"""About dialog (version, style licences, demo attribution) and the packaging files that ship beside it."""

from __future__ import annotations

import json
import struct
from importlib import metadata
from pathlib import Path

import cv2
import pytest

from vst_desktop.core import paths
from vst_desktop.ui.common.about_dialog import (
    LINK_COLOUR,
    AboutDialog,
    about_info,
    app_icon,
    read_style_licences,
    styles_html,
)

ROOT = Path(__file__).resolve().parents[1]


def _link_colours(doc) -> set[str]:
    colours, block = set(), doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            if fmt.isAnchor():
                colours.add(fmt.foreground().color().name())
            it += 1
        block = block.next()
    return colours


def test_about_info_reads_version_styles_and_attributions_from_the_shipped_files():
    info = about_info()
    assert info.version == metadata.version("vst-desktop")
    assert not info.frozen
    shipped = sorted(paths.builtin_styles_dir().glob("*.json"))
    assert shipped, "resources/styles holds the built-in styles"
    assert [s.id for s in info.styles] == [json.loads(p.read_text())["id"] for p in shipped]
    for style, path in zip(info.styles, shipped, strict=True):
        assert style.license == json.loads(path.read_text())["license"]
    assert "CC BY 4.0" in info.demo_attribution and "Intel" in info.demo_attribution
    assert "licence" in info.content_licences.lower()
    names = [n for n, _ in info.components]
    assert "Python" in names and "ONNX Runtime" in names and "Qt for Python (PySide6)" in names


def test_a_broken_style_json_is_named_and_the_others_still_listed(tmp_path):
    (tmp_path / "good.json").write_text(json.dumps({
        "id": "good", "name": "Good style", "kind": "gan", "license": "CC0",
        "sources": [{"file": "a.jpg", "origin": "own photo", "license": "CC0"}]}))
    (tmp_path / "broken.json").write_text("{not json")
    styles, problems = read_style_licences(tmp_path)
    assert [s.id for s in styles] == ["good"]
    assert len(problems) == 1 and problems[0].startswith("broken.json")
    assert styles[0].sources[0]["origin"] == "own photo"


def test_about_dialog_shows_every_style_licence_and_the_demo_credit(qtbot):
    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    info = dialog.info
    assert info.version in dialog.title.text()
    assert dialog.tab_titles() == ["Styles", "Demo clip", "Training photos", "Components"]
    styles_text = dialog.tab_text("Styles")
    for s in info.styles:
        assert s.name in styles_text and s.license in styles_text
    assert "Intel Corporation" in dialog.tab_text("Demo clip")
    assert "kodim01" in dialog.tab_text("Training photos")
    assert info.version in dialog.tab_text("Components") or "Python" in dialog.tab_text("Components")
    assert not dialog.windowIcon().isNull()
    demo = dialog.tabs.widget(dialog.tab_titles().index("Demo clip")).document()
    assert _link_colours(demo) == {LINK_COLOUR.name()}  # readable on the dark theme
    dialog.reject()
    assert not dialog.isVisible()


def test_styles_html_escapes_and_lists_sources():
    from vst_desktop.ui.common.about_dialog import StyleLicence

    info = about_info()
    info.styles = [StyleLicence("x", "<Bold> & co", "gan", "CC BY 4.0",
                                [{"file": "m.jpg", "origin": "Wikimedia", "license": "Public domain"}])]
    text = styles_html(info)
    assert "&lt;Bold&gt; &amp; co" in text and "Wikimedia" in text and "Public domain" in text


def test_app_icon_ships_at_every_size(qtbot):
    icons = paths.resources_dir() / "icons"
    for size in (32, 64, 128, 256):
        img = cv2.imread(str(icons / f"vst-desktop-{size}.png"), cv2.IMREAD_UNCHANGED)
        assert img is not None and img.shape == (size, size, 4), size
        assert img[..., 3].min() == 0 and img[..., 3].max() == 255  # transparent corners, opaque body
    assert sorted(s.width() for s in app_icon().availableSizes()) == [32, 64, 128, 256]
    data = (icons / "vst-desktop.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind, count) == (0, 1, 4)


def test_desktop_entry_and_spec_are_well_formed():
    entry = (ROOT / "packaging" / "vst-desktop.desktop").read_text()
    lines = entry.splitlines()
    assert lines[0] == "[Desktop Entry]"
    keys = dict(line.split("=", 1) for line in lines[1:] if "=" in line and not line.startswith("#"))
    assert keys["Type"] == "Application" and keys["Name"] == "vst-desktop"
    assert keys["Exec"].startswith("vst-desktop") and keys["Icon"] == "vst-desktop"
    assert keys["Categories"].endswith(";")
    spec = ROOT / "packaging" / "vst-desktop.spec"
    compile(spec.read_text(), str(spec), "exec")  # valid Python; PyInstaller runs it


@pytest.mark.parametrize("name", ["vst_desktop_entry.py", "make_icon.py", "smoke_test.sh"])
def test_packaging_scripts_exist(name):
    assert (ROOT / "packaging" / name).is_file()

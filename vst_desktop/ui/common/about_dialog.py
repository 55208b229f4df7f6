"""Help → About: version (from the package metadata), the bundled styles' licences, the demo clip's
attribution and the training photos' licences, all read from the files that ship in `resources/`.

`about_info()` gathers the facts without Qt (tests and the frozen smoke test read it); `AboutDialog` shows
them; `show_about(parent)` is what the Help menu calls; `app_icon()` is the window icon.
"""

from __future__ import annotations

import html
import json
import platform
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPixmap, QTextCursor, QTextDocument
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from vst_desktop.core import paths

DIST_NAME = "vst-desktop"
ICON_SIZES = (32, 64, 128, 256)
LINK_COLOUR = QColor(111, 179, 255)  # readable on the dark theme (the markdown importer bakes in a dark blue)
# Components named in the About box: (what people call it, distribution name(s) in the metadata)
COMPONENTS = (
    ("Qt for Python (PySide6)", ("PySide6-Essentials", "PySide6")),
    ("ONNX Runtime", ("onnxruntime-gpu", "onnxruntime")),
    ("PyAV (FFmpeg)", ("av",)),
    ("OpenCV", ("opencv-python-headless", "opencv-python")),
    ("NumPy", ("numpy",)),
    ("PyTorch (training)", ("torch",)),
)


@dataclass(frozen=True)
class StyleLicence:
    id: str
    name: str
    kind: str
    license: str
    sources: list[dict] = field(default_factory=list)


@dataclass
class AboutInfo:
    version: str
    frozen: bool
    styles: list[StyleLicence]
    style_problems: list[str]
    demo_attribution: str  # markdown; "" when the file is missing
    content_licences: str  # markdown; "" when the file is missing
    components: list[tuple[str, str]]  # (name, version) of what is installed/bundled


def app_version() -> str:
    try:
        return metadata.version(DIST_NAME)
    except metadata.PackageNotFoundError:
        return "unknown (not installed as a package)"


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""


def read_style_licences(styles_dir: Path) -> tuple[list[StyleLicence], list[str]]:
    """Each `*.json` in the built-in styles folder; a file that does not parse is named in the problems."""
    styles, problems = [], []
    for path in sorted(styles_dir.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            sources = data.get("sources") or []
            styles.append(StyleLicence(
                id=str(data.get("id") or path.stem), name=str(data.get("name") or path.stem),
                kind=str(data.get("kind") or ""), license=str(data.get("license") or "not stated"),
                sources=[s for s in sources if isinstance(s, dict)] if isinstance(sources, list) else []))
        except (OSError, ValueError, AttributeError) as exc:
            problems.append(f"{path.name}: {exc}")
    return styles, problems


def _component_versions() -> list[tuple[str, str]]:
    out = [("Python", platform.python_version())]
    for label, dists in COMPONENTS:
        for dist in dists:
            try:
                out.append((label, metadata.version(dist)))
                break
            except metadata.PackageNotFoundError:
                continue
    return out


def about_info() -> AboutInfo:
    resources = paths.resources_dir()
    styles, problems = read_style_licences(paths.builtin_styles_dir())
    return AboutInfo(
        version=app_version(), frozen=bool(getattr(sys, "frozen", False)), styles=styles,
        style_problems=problems,
        demo_attribution=_read_text(resources / "demo" / "ATTRIBUTION.md"),
        content_licences=_read_text(resources / "content" / "LICENSES.md"),
        components=_component_versions())


def app_icon() -> QIcon:
    """The application icon at every size that ships in resources/icons (an empty icon when none do)."""
    icon = QIcon()
    folder = paths.resources_dir() / "icons"
    for size in ICON_SIZES:
        f = folder / f"vst-desktop-{size}.png"
        if f.exists():
            icon.addFile(str(f), QSize(size, size))
    return icon


def styles_html(info: AboutInfo) -> str:
    rows = []
    for s in info.styles:
        src = ""
        if s.sources:
            items = "".join(
                f"<li>{html.escape(str(x.get('file', '')))}: {html.escape(str(x.get('origin', '')))} "
                f"({html.escape(str(x.get('license', '')))})</li>" for x in s.sources)
            src = f"<ul>{items}</ul>"
        rows.append(f"<p><b>{html.escape(s.name)}</b> <span style='color:#9aa0a8'>({html.escape(s.id)}, "
                    f"{html.escape(s.kind)})</span><br>Licence: {html.escape(s.license)}{src}</p>")
    if not rows:
        rows.append("<p>No built-in styles were found.</p>")
    for p in info.style_problems:
        rows.append(f"<p style='color:#e0a040'>Could not read {html.escape(p)}</p>")
    return "".join(rows)


def _recolour_links(doc: QTextDocument, colour: QColor) -> int:
    """Give every link in `doc` the colour; returns how many link fragments there were."""
    count = 0
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            frag = it.fragment()
            fmt = frag.charFormat()
            if fmt.isAnchor():
                cursor = QTextCursor(doc)
                cursor.setPosition(frag.position())
                cursor.setPosition(frag.position() + frag.length(), QTextCursor.MoveMode.KeepAnchor)
                fmt.setForeground(colour)
                cursor.setCharFormat(fmt)
                count += 1
            it += 1
        block = block.next()
    return count


def _browser(parent: QWidget, *, markdown: str = "", rich: str = "", empty: str) -> QTextBrowser:
    b = QTextBrowser(parent)
    b.setOpenExternalLinks(True)
    if markdown:
        b.setMarkdown(markdown)
    elif rich:
        b.setHtml(rich)
    else:
        b.setPlainText(empty)
    _recolour_links(b.document(), LINK_COLOUR)
    return b


class AboutDialog(QDialog):
    """Version, what the app does, and the licences of everything it ships with (one tab each)."""

    def __init__(self, parent: QWidget | None = None, info: AboutInfo | None = None) -> None:
        super().__init__(parent)
        self.info = info or about_info()
        self.setWindowTitle("About vst-desktop")
        self.setWindowIcon(app_icon())
        self.resize(640, 520)

        header = QHBoxLayout()
        logo = QLabel(self)
        pix = QPixmap(str(paths.resources_dir() / "icons" / "vst-desktop-64.png"))
        if not pix.isNull():
            logo.setPixmap(pix)
        header.addWidget(logo, 0, Qt.AlignmentFlag.AlignTop)
        build = "desktop bundle" if self.info.frozen else "Python package"
        self.title = QLabel(
            f"<h2 style='margin:0'>vst-desktop {html.escape(self.info.version)}</h2>"
            "<p>Live video style transfer: camera → style → view → recording, and training your own "
            f"styles from a folder of images.</p><p style='color:#9aa0a8'>MIT licence · {build}</p>", self)
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        header.addWidget(self.title, 1)

        self.tabs = QTabWidget(self)
        self.tabs.addTab(_browser(self, rich=styles_html(self.info), empty=""), "Styles")
        self.tabs.addTab(_browser(self, markdown=self.info.demo_attribution,
                                  empty="The demo clip's attribution file is missing."), "Demo clip")
        if self.info.content_licences:
            self.tabs.addTab(_browser(self, markdown=self.info.content_licences, empty=""), "Training photos")
        components = "".join(f"<tr><td>{html.escape(n)}</td><td>&nbsp;&nbsp;{html.escape(v)}</td></tr>"
                             for n, v in self.info.components)
        self.tabs.addTab(_browser(self, rich=f"<table>{components}</table>", empty=""), "Components")

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)

        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)

    def tab_titles(self) -> list[str]:
        return [self.tabs.tabText(i) for i in range(self.tabs.count())]

    def tab_text(self, title: str) -> str:
        """The plain text of a tab (tests read it)."""
        for i in range(self.tabs.count()):
            if self.tabs.tabText(i) == title:
                return self.tabs.widget(i).toPlainText()
        raise KeyError(title)


def show_about(parent: QWidget | None = None) -> int:
    """Help → About: a modal dialog; returns when it is closed."""
    return AboutDialog(parent).exec()

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session", autouse=True)
def qt_workarounds_installed():
    """What app.py does before any window: without it long UI tests abort on PySide6 6.12 (CPython < 3.12)."""
    if "PySide6" in sys.modules:  # test modules are imported before session fixtures run
        from vst_desktop.ui.common import qt_workarounds

        qt_workarounds.install()


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch) -> Path:
    """Every test gets its own user folders: nothing touches the real settings, styles or recordings."""
    home = tmp_path / "vst-home"
    monkeypatch.setenv("VST_DESKTOP_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def shared_data() -> Path:
    from vst_desktop.core.paths import shared_data_dir

    d = shared_data_dir()
    assert d is not None, "../shared/data is required beside the checkout for the test suite"
    return d


WINDOW_TIMEOUT_MS = 90_000  # CPU warm-up of a style on a busy 2-core machine can take a while


@pytest.fixture
def library():
    from vst_desktop.styles.library import StyleLibrary

    return StyleLibrary()


@pytest.fixture
def make_window(qtbot, tmp_path, library):
    """Make the real main window: `make(source="demo", settings=None, **kw)`, keywords to MainWindow.

    Shown, and returned once `ready(window)` holds (default: its first frame arrived); settings default to
    `window_settings(tmp_path)`, nothing is saved unless persist=True. Every window is closed after the test.
    """
    from _helpers import window_settings

    from vst_desktop.ui.live.main_window import MainWindow

    windows = []

    def first_frame(w) -> bool:
        return w.last_result is not None

    def make(source: str = "demo", settings=None, *, ready=first_frame, timeout_ms: int = WINDOW_TIMEOUT_MS, **kw):
        kw.setdefault("persist", False)
        w = MainWindow(settings or window_settings(tmp_path), kw.pop("library", library), source, cameras=[], **kw)
        qtbot.addWidget(w)
        w.show()
        windows.append(w)
        qtbot.waitUntil(lambda: ready(w), timeout=timeout_ms)
        return w

    yield make
    for w in windows:
        w.close()


@pytest.fixture()
def one_torch_thread():
    """The 2 cores are shared with other work: one torch thread avoids threads spinning while they wait.
    Training-side test modules use it with `pytestmark = pytest.mark.usefixtures("one_torch_thread")`."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


# Widgets Qt makes and keeps for itself: the tooltip is created on first use and reused for the session.
_QT_OWN_TOP_LEVELS = {"QTipLabel"}


@pytest.fixture()
def descend():
    """Adam on a picture's own pixels against a loss, as a student's output moves against a frozen
    classifier: descend(loss, picture, steps) -> (the picture it ends at, the loss it started from)."""
    import torch

    def run(loss, picture, steps: int, lr: float = 0.01):
        x = picture.clone().requires_grad_(True)
        opt = torch.optim.Adam([x], lr)
        first = float(loss(x).detach())
        for _ in range(steps):
            cost = loss(x)
            opt.zero_grad()
            cost.backward()
            opt.step()
        return x.detach(), first

    return run


def _flush_deletions(app) -> None:
    from PySide6.QtCore import QEvent

    for _ in range(3):  # a deletion can post another (children, deleteLater in destroyed handlers)
        gc.collect()
        app.processEvents()
        app.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def _top_levels(app) -> dict[int, object]:
    import shiboken6

    return {shiboken6.getCppPointer(w)[0]: w for w in app.topLevelWidgets()
            if type(w).__name__ not in _QT_OWN_TOP_LEVELS and shiboken6.isValid(w)}


@pytest.fixture(autouse=True)
def no_leaked_widgets(request):
    """Fail a widget test that leaves a top-level widget behind (as napari's make_napari_viewer does).

    Active for every test that uses qtbot. Set up before qtbot and the window fixtures, so it checks after
    all of them closed what they made: widgets a test made without a parent must be given to
    `qtbot.addWidget` (closed and deleted after the test) or be closed and deleted by the test itself.
    """
    if "qtbot" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("qapp")
    _flush_deletions(app)
    before = set(_top_levels(app))
    yield
    _flush_deletions(app)
    leaked = [w for key, w in _top_levels(app).items() if key not in before]
    if leaked:
        names = ", ".join(f"{type(w).__name__}({w.objectName() or w.windowTitle()!r})" for w in leaked)
        for w in leaked:  # one leak must not fail the tests after it
            w.close()
            w.deleteLater()
        _flush_deletions(app)
        pytest.fail(f"the test left {len(leaked)} top-level widget(s) behind: {names}", pytrace=False)

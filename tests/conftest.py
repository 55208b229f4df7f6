from __future__ import annotations

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


@pytest.fixture()
def one_torch_thread():
    """The 2 cores are shared with other work: one torch thread avoids threads spinning while they wait.
    Training-side test modules use it with `pytestmark = pytest.mark.usefixtures("one_torch_thread")`."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


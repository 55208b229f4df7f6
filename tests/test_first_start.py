"""First start on a fresh machine: a Qt platform plugin that cannot load is named with the apt-get line
(exit 2), never Qt's abort (exit 134); tools/install_system_packages.sh prints what it cannot install.

The failing plugin is real: a copy of PySide6's own xcb plugin whose first two system libraries are renamed
to sonames that exist nowhere, loaded by the real dynamic loader (nothing in the check is replaced).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from vst_desktop.core import qt_platform

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the check runs on Linux only")

# Same length as the originals, so the copy's string table keeps its layout.
RENAMED = {b"libxcb-icccm.so.4": b"libvst-gone1.so.4", b"libxcb-keysyms.so.1": b"libvst-gone333.so.1"}


def _real_platforms_dir() -> Path:
    return next(d for d in qt_platform.platform_plugin_dirs({}) if (d / "libqxcb.so").is_file())


@pytest.fixture()
def broken_plugin_dir(tmp_path) -> Path:
    """<tmp>/Qt/plugins/platforms/libqvsttest.so: PySide6's xcb plugin needing two libraries that do not exist.

    Qt/lib links to PySide6's Qt libraries, so the plugin's RUNPATH ($ORIGIN/../../lib) still finds Qt."""
    real = _real_platforms_dir()
    (tmp_path / "Qt" / "plugins" / "platforms").mkdir(parents=True)
    (tmp_path / "Qt" / "lib").symlink_to(real.parents[1] / "lib")
    data = (real / "libqxcb.so").read_bytes()
    for old, new in RENAMED.items():
        assert len(old) == len(new) and data.count(old + b"\0") == 1
        data = data.replace(old + b"\0", new + b"\0")
    target = tmp_path / "Qt" / "plugins" / "platforms" / "libqvsttest.so"
    target.write_bytes(data)
    return target.parent


def test_debian_packages_of_the_xcb_libraries():
    assert [qt_platform.debian_package(s) for s in
            ("libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libxcb-xinerama.so.0", "libxkbcommon-x11.so.0")] == \
        ["libxcb-icccm4", "libxcb-keysyms1", "libxcb-xinerama0", "libxkbcommon-x11-0"]
    # Debian's rule for the rest: libfoo.so.N -> libfooN, libfoo2.so.N -> libfoo2-N
    assert qt_platform.debian_package("libwayland-cursor.so.0") == "libwayland-cursor0"
    assert qt_platform.debian_package("libvst-gone1.so.4") == "libvst-gone1-4"


def test_missing_libraries_are_named_with_the_apt_command(broken_plugin_dir):
    result = qt_platform.check_plugin("vsttest", [broken_plugin_dir])
    assert not result.ok
    assert "libvst-gone1.so.4" in result.error  # the loader's own words
    assert {"libvst-gone1.so.4", "libvst-gone333.so.1"} <= set(result.missing)  # ldd: all of them, not the first
    env = {"QT_QPA_PLATFORM": "vsttest", "QT_QPA_PLATFORM_PLUGIN_PATH": str(broken_plugin_dir), "DISPLAY": ":0"}
    with pytest.raises(qt_platform.PlatformPluginError) as info:
        qt_platform.check(env)
    text = info.value.user_text()
    assert "libvst-gone1.so.4" in text and "libvst-gone333.so.1" in text
    assert "apt-get install -y" in text and "libvst-gone1-4" in text and "libvst-gone333-1" in text


def test_the_app_exits_2_with_the_message_where_qt_aborts(broken_plugin_dir, tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "vsttest", "QT_QPA_PLATFORM_PLUGIN_PATH": str(broken_plugin_dir),
           "DISPLAY": ":0"}
    # Without the check: Qt itself cannot load the plugin and aborts (SIGABRT, the shell's exit 134).
    qt = subprocess.run([sys.executable, "-c", "from PySide6.QtGui import QGuiApplication; QGuiApplication([])"],
                        env=env, capture_output=True, text=True, timeout=120)
    assert qt.returncode in (-6, 134), qt
    assert "no Qt platform plugin could be initialized" in qt.stderr
    r = subprocess.run([sys.executable, "-m", "vst_desktop"], env=env, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 2, r
    assert "libvst-gone1.so.4" in r.stderr and "apt-get install -y" in r.stderr
    assert "Traceback" not in r.stderr and "could not be initialized" not in r.stderr


def test_the_real_xcb_plugin_agrees_with_ldd():
    plugin = _real_platforms_dir() / "libqxcb.so"
    out = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True, timeout=60).stdout
    not_found = {ln.split("=>")[0].strip() for ln in out.splitlines() if "not found" in ln}
    result = qt_platform.check_plugin("xcb")
    assert result.ok == (not not_found)
    assert set(result.missing) == not_found
    if not_found:  # a machine without libxcb-icccm4 & co (the fresh-machine case)
        text = qt_platform.explain(result).user_text()
        assert all(qt_platform.debian_package(s) in text for s in not_found)


def test_offscreen_passes_and_an_unknown_platform_is_named():
    qt_platform.check({"QT_QPA_PLATFORM": "offscreen"})
    with pytest.raises(qt_platform.PlatformPluginError, match="no platform plugin named 'nosuch'"):
        qt_platform.check({"QT_QPA_PLATFORM": "nosuch"})
    # A list: Qt takes the first that starts, so one usable entry is enough.
    qt_platform.check({"QT_QPA_PLATFORM": "nosuch;offscreen"})


def test_no_display_is_said_instead_of_an_abort():
    if not qt_platform.check_plugin("xcb").ok:
        pytest.skip("the xcb plugin's libraries are missing here; the test above covers that message")
    with pytest.raises(qt_platform.PlatformPluginError, match="DISPLAY is not set"):
        qt_platform.check({})


def _as_nobody() -> list[str]:
    if os.geteuid() != 0:
        return []
    if not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv: cannot try the not-root path")
    return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def test_install_script_prints_the_command_when_it_cannot_install():
    if shutil.which("dpkg") is None or shutil.which("apt-get") is None:
        pytest.skip("not a Debian/Ubuntu machine")
    env = {**os.environ, "VST_SYSTEM_PACKAGES": "libc6 vst-desktop-no-such-package"}
    script = str(ROOT / "tools" / "install_system_packages.sh")
    r = subprocess.run([*_as_nobody(), "bash", script], env=env, capture_output=True, text=True, timeout=60)
    if "installing missing" in r.stdout:
        pytest.skip("this user has passwordless sudo")
    assert r.returncode == 0, r  # make run goes on
    assert "sudo apt-get install -y vst-desktop-no-such-package" in r.stdout
    assert "libc6" not in r.stdout  # installed packages are not listed
    strict = subprocess.run([*_as_nobody(), "bash", script, "--strict"], env=env, capture_output=True,
                            text=True, timeout=60)
    assert strict.returncode == 1

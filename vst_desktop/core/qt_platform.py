"""Before the QApplication exists: can Qt's platform plugin load here? If not, say what to install.

When no platform plugin can be initialised, Qt calls qFatal: the process aborts (exit 134) with "no Qt
platform plugin could be initialized", which names neither the missing system libraries nor the command
that installs them. On a fresh Debian machine that is the normal first start (libxcb-icccm4 and
libxcb-keysyms1 are not installed by default). `check()` loads the plugin Qt is about to pick and turns a
failure into a `PlatformPluginError` (exit 2, with the apt-get line). Qt-free on purpose: it must run
before PySide6 opens anything, so it only locates PySide6's files.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from vst_desktop.core.errors import VstError

# Debian/Ubuntu packages of the sonames that Qt's platform plugins need and a desktop may lack. Sonames
# not listed here follow Debian's naming rule (see `debian_package`).
DEBIAN_PACKAGES = {
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-util.so.1": "libxcb-util1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libOpenGL.so.0": "libopengl0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libwayland-cursor.so.0": "libwayland-cursor0",
}


class PlatformPluginError(VstError):
    """Qt's platform plugin cannot start here (missing libraries, no display, unknown platform)."""


@dataclass
class PluginCheck:
    """What was checked and what was missing; `ok` when Qt can load the plugin."""

    platform: str
    plugin: Path | None
    error: str = ""  # the loader's own message, '' when the plugin loaded
    missing: list[str] = field(default_factory=list)  # sonames the loader could not find

    @property
    def ok(self) -> bool:
        return self.plugin is not None and not self.error


def debian_package(soname: str) -> str:
    """The Debian package that ships `soname`: the table above, else Debian's rule libfoo.so.N -> libfooN."""
    if soname in DEBIAN_PACKAGES:
        return DEBIAN_PACKAGES[soname]
    m = re.fullmatch(r"(lib.+?)\.so\.(\d+)(?:\..*)?", soname)
    if not m:
        return soname
    name, major = m.group(1).lower(), m.group(2)
    return f"{name}-{major}" if name[-1].isdigit() else f"{name}{major}"


def requested_platforms(env: os._Environ | dict | None = None) -> list[str]:
    """The platform plugins Qt will try, in order (QT_QPA_PLATFORM, else Qt's default for this session)."""
    env = os.environ if env is None else env
    value = env.get("QT_QPA_PLATFORM", "").strip()
    if value:
        # "wayland;xcb" is a list Qt tries in turn; "offscreen:fontengine=freetype" carries options.
        return [p.split(":", 1)[0].strip() for p in value.split(";") if p.split(":", 1)[0].strip()]
    if not sys.platform.startswith("linux"):
        return []  # Windows and macOS plugins ship with PySide6 and need no extra system libraries
    if env.get("XDG_SESSION_TYPE") == "wayland" or (env.get("WAYLAND_DISPLAY") and not env.get("DISPLAY")):
        return ["wayland", "xcb"]
    return ["xcb"]


def platform_plugin_dirs(env: os._Environ | dict | None = None) -> list[Path]:
    """Where Qt looks for platform plugins: QT_QPA_PLATFORM_PLUGIN_PATH, then PySide6's own folder."""
    env = os.environ if env is None else env
    dirs = [Path(p) for p in env.get("QT_QPA_PLATFORM_PLUGIN_PATH", "").split(os.pathsep) if p]
    spec = importlib.util.find_spec("PySide6")  # locates the package without loading any Qt library
    for location in (spec.submodule_search_locations or []) if spec else []:
        dirs.append(Path(location) / "Qt" / "plugins" / "platforms")
    return dirs


def _plugin_file(platform: str, dirs: list[Path]) -> Path | None:
    names = [f"libq{platform}.so", f"q{platform}.dll", f"libq{platform}.dylib"]
    for d in dirs:
        for name in names:
            if (d / name).is_file():
                return d / name
    return None


def _missing_sonames(plugin: Path, load_error: str) -> list[str]:
    """Every library the loader cannot find for `plugin` (ldd lists them all; dlopen names only the first)."""
    found: list[str] = []
    ldd = shutil.which("ldd")
    if ldd:
        try:
            out = subprocess.run([ldd, str(plugin)], capture_output=True, text=True, timeout=20,
                                 env={k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}).stdout
        except (OSError, subprocess.SubprocessError):
            out = ""
        for line in out.splitlines():
            name, _, where = line.strip().partition("=>")
            if "not found" in where and name.strip() not in found:
                found.append(name.strip())
    m = re.match(r"\s*([^\s:]+\.so[^\s:]*): cannot open shared object file", load_error)
    if m and m.group(1) not in found:
        found.append(m.group(1))
    return found


def check_plugin(platform: str, dirs: list[Path] | None = None) -> PluginCheck:
    """Load the platform plugin's library the way Qt will (dlopen), without starting Qt.

    A failed dlopen returns an error and changes nothing, so loading in this process is safe; when it
    works, Qt later gets the very same, already loaded library.
    """
    plugin = _plugin_file(platform, platform_plugin_dirs() if dirs is None else dirs)
    if plugin is None:
        return PluginCheck(platform, None, error=f"there is no platform plugin named {platform!r}")
    try:
        ctypes.CDLL(str(plugin), mode=getattr(os, "RTLD_LAZY", 0))
    except OSError as e:
        return PluginCheck(platform, plugin, error=str(e), missing=_missing_sonames(plugin, str(e)))
    return PluginCheck(platform, plugin)


def install_command(sonames: list[str]) -> str:
    packages = sorted({debian_package(s) for s in sonames})
    sudo = "" if hasattr(os, "geteuid") and os.geteuid() == 0 else "sudo "
    return f"{sudo}apt-get install -y {' '.join(packages)}"


def explain(result: PluginCheck, env: os._Environ | dict | None = None) -> PlatformPluginError:
    """The error for a plugin that cannot load: which libraries are missing and the command to install."""
    name = result.platform
    if result.plugin is None:
        dirs = [d for d in platform_plugin_dirs(env) if d.is_dir()]
        known = sorted({p.name[4:-3] for d in dirs for p in d.glob("libq*.so")})
        return PlatformPluginError(
            f"Qt has no platform plugin named {name!r} (QT_QPA_PLATFORM), so the window cannot open.",
            f"Unset QT_QPA_PLATFORM or set it to one of: {', '.join(known) or 'xcb, wayland, offscreen'}.")
    qt_own = [s for s in result.missing if s.startswith("libQt6")]
    system = [s for s in result.missing if s not in qt_own]
    if system:
        hint = (f"Install them with:\n  {install_command(system)}\nthen start vst-desktop again "
                "(`make run` installs them for you when it can).")
        if not shutil.which("apt-get"):
            hint = (f"Install the packages that provide {', '.join(system)} with your system's package "
                    f"manager (on Debian/Ubuntu: {install_command(system)}), then start vst-desktop again.")
        return PlatformPluginError(
            f"Qt's {name!r} platform plugin cannot load because these system libraries are missing: "
            f"{', '.join(system)}. The window cannot open without them.", hint + _headless_tip())
    if qt_own:
        return PlatformPluginError(
            f"Qt's {name!r} platform plugin cannot load: Qt's own libraries are missing ({', '.join(qt_own)}).",
            "The PySide6 installation is incomplete; reinstall it with "
            "`pip install --force-reinstall PySide6-Essentials` (or unpack the app bundle again).")
    return PlatformPluginError(
        f"Qt's {name!r} platform plugin cannot load: {result.error.strip()[:300]}",
        "Reinstall PySide6 (`pip install --force-reinstall PySide6-Essentials`); the log file has details."
        + _headless_tip())


def _headless_tip() -> str:
    return "\nWithout a screen, `vst-desktop --self-test` and the other commands run on QT_QPA_PLATFORM=offscreen."


def check(env: os._Environ | dict | None = None) -> None:
    """Raise `PlatformPluginError` when Qt would abort at start-up; return quietly when it can start.

    Qt tries the requested platforms in order and aborts only when none starts, so one that loads is
    enough. A plugin that cannot be found is left to Qt when PySide6's folder is not where we expect it
    (an unusual layout must not stop an app that may well work).
    """
    env = os.environ if env is None else env
    platforms = requested_platforms(env)
    if not platforms or not sys.platform.startswith("linux"):
        return  # Windows finds a plugin's DLLs only after PySide6 sets its DLL folders; no check there
    dirs = platform_plugin_dirs(env)
    if not any(d.is_dir() for d in dirs):
        return
    results = [check_plugin(p, dirs) for p in platforms]
    if any(r.ok for r in results):
        usable = next(r.platform for r in results if r.ok)
        if usable == "xcb" and not env.get("DISPLAY"):
            raise PlatformPluginError(
                "There is no display to open the window on (DISPLAY is not set).",
                "Start vst-desktop from a desktop session (or `ssh -X`)." + _headless_tip())
        return
    if all(r.plugin is None for r in results) and not env.get("QT_QPA_PLATFORM", "").strip():
        return  # Qt's default plugin is not where we look: let Qt decide rather than guess
    # Report the plugin with missing libraries first: that is the one an install fixes.
    raise explain(next((r for r in results if r.missing), results[0]), env)

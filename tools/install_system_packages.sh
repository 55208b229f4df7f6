#!/usr/bin/env bash
# The Debian/Ubuntu packages that Qt's platform plugins (xcb, EGL/GL, fonts) need and a fresh machine lacks.
# Used by `make run` and `.ci/run`. Installs what is missing when it can (root, or sudo without a password);
# otherwise prints the exact apt-get command and exits 0, so `make run` goes on (the app then says the same).
# --strict: exit 1 when packages are missing and cannot be installed (CI).
set -uo pipefail

packages="${VST_SYSTEM_PACKAGES:-libegl1 libgl1 libglib2.0-0 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libxcb-cursor0
 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 libxcb-randr0 libxcb-render-util0 libxcb-image0}"  # VST_SYSTEM_PACKAGES: another list (tests)
strict=0
[ "${1:-}" = "--strict" ] && strict=1

if ! command -v dpkg >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  exit 0  # not Debian/Ubuntu: the app names any missing library itself at start-up
fi
missing=""
for p in $packages; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ]; then
  sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo="sudo -n"
else
  echo "vst-desktop needs these system packages to open its window:$missing"
  echo "Install them with:"
  echo "  sudo apt-get install -y$missing"
  [ "$strict" = 1 ] && exit 1
  exit 0
fi
echo "installing missing system packages:$missing"
if ! { $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o Dpkg::Use-Pty=0 $missing; }; then
  echo "could not install them; run: sudo apt-get install -y$missing"
  [ "$strict" = 1 ] && exit 1
fi
exit 0

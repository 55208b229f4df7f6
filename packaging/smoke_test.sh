#!/usr/bin/env bash
# Frozen smoke test: runs a built bundle the way a person would, from a temporary folder outside the
# source tree, with a clean environment (env -i: a fresh HOME, PATH=/usr/bin:/bin, no venv, no PYTHONPATH).
#
#   packaging/smoke_test.sh [BUNDLE_DIR] [TRAIN_BUNDLE_DIR|-]
#
# BUNDLE_DIR (default dist/vst-desktop) gets: doctor, styles list, About facts, --self-test (every built-in
# style on the demo clip + a 2 s H.264 recording), `stylize` of the demo clip to an MP4, and the start-up
# time to the first stylized frame. TRAIN_BUNDLE_DIR (default: BUNDLE_DIR) gets a tiny training run
# through its executable (`vst-desktop train ... --iterations 3`), which must install the new style; "-"
# skips training. When the two differ, BUNDLE_DIR's `train` must fail with a clear message, not a traceback.
# Prints one "timing:" line per step and exits non-zero at the first failure.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUNDLE="$(cd "${1:-$ROOT/dist/vst-desktop}" && pwd)"
TRAIN_ARG="${2:-$BUNDLE}"
[ "$TRAIN_ARG" = "-" ] || TRAIN_ARG="$(cd "$TRAIN_ARG" && pwd)"
STYLE_SRC="${VST_SMOKE_STYLE_DIR:-$ROOT/../shared/data/styles/munch_scream}"
EXE="$BUNDLE/vst-desktop"
[ -x "$EXE" ] || { echo "smoke: no executable at $EXE (run make package first)"; exit 1; }

TMP="$(mktemp -d /tmp/vst-smoke.XXXXXX)"
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/home" "$TMP/work"
cd "$TMP/work"  # outside the source tree: nothing may be read relative to a checkout

run() {  # run "what" cmd...: the bundle in a clean environment, timed, output kept in $TMP/work/<what>.log
  local what="$1"; shift
  local t0 t1 rc=0
  t0=$(date +%s.%N)
  env -i HOME="$TMP/home" PATH=/usr/bin:/bin QT_QPA_PLATFORM=offscreen LANG=C.UTF-8 "$@" \
    >"$what.log" 2>&1 || rc=$?
  t1=$(date +%s.%N)
  printf 'timing: %-14s %6.1f s (exit %d)\n' "$what" "$(awk "BEGIN{print $t1 - $t0}")" "$rc"
  return "$rc"
}

fail() { echo "smoke FAILED: $1"; [ -n "${2:-}" ] && tail -n 40 "$2"; exit 1; }

echo "smoke: bundle $BUNDLE ($(du -sh "$BUNDLE" | cut -f1)), working in $TMP/work"

run doctor "$EXE" doctor --json || fail "doctor" doctor.log
grep -q '"vst-desktop": "[0-9]' doctor.log || fail "doctor does not report the package version" doctor.log

run styles "$EXE" styles list --json || fail "styles list" styles.log
grep -q '"builtin": true' styles.log || fail "no built-in styles in the bundle" styles.log

run self-test "$EXE" --self-test || fail "--self-test" self-test.log
grep -q "self-test passed" self-test.log || fail "--self-test did not pass" self-test.log
echo "smoke: $(grep 'self-test passed' self-test.log)"

# The xcb platform plugin (what a Linux desktop uses), when Xvfb is there to give it a screen
if command -v Xvfb >/dev/null; then
  display=$(( 90 + RANDOM % 100 ))
  Xvfb ":$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
  xvfb_pid=$!
  sleep 2
  xcb_rc=0
  run self-test-xcb env DISPLAY=":$display" QT_QPA_PLATFORM=xcb "$EXE" --self-test || xcb_rc=$?
  kill "$xvfb_pid" 2>/dev/null || true
  [ "$xcb_rc" = 0 ] && grep -q "self-test passed" self-test-xcb.log || fail "--self-test on xcb" self-test-xcb.log
  echo "smoke: xcb: $(grep 'self-test passed' self-test-xcb.log)"
else
  echo "smoke: Xvfb not installed; the xcb platform plugin was not exercised"
fi

# Start-up to the first stylized frame: the real window on the demo clip with a style saved in the
# settings, as on a second start; the entry point's probe prints the time since exec and closes the window.
mkdir -p "$TMP/home/.config/vst-desktop"
first_style=$(sed -n 's/.*"id": "\([^"]*\)".*/\1/p' styles.log | head -n 1)
printf '{"schema": 1, "camera": "demo", "style": "%s", "mirror": false}\n' "$first_style" \
  > "$TMP/home/.config/vst-desktop/settings.json"
run startup env VST_STARTUP_PROBE=1 "$EXE" || fail "start-up probe" startup.log
grep -q "startup-probe: first stylized frame" startup.log || fail "no stylized frame at start-up" startup.log
echo "smoke: $(grep 'startup-probe' startup.log)"

run stylize "$EXE" stylize "$BUNDLE/_internal/resources/demo/demo.mp4" -o "$TMP/work/stylized.mp4" \
  --style "$first_style" --size 320x180 -q || fail "stylize (PyAV + libx264)" stylize.log
[ -s "$TMP/work/stylized.mp4" ] || fail "stylize wrote no file" stylize.log

if [ "$TRAIN_ARG" = "-" ]; then
  echo "smoke: training skipped"
  echo "smoke: all checks passed"
  exit 0
fi
TRAIN_BUNDLE="$TRAIN_ARG"
if [ "$TRAIN_BUNDLE" != "$BUNDLE" ]; then
  # the live-only bundle must say that training is not in it, and never print a traceback
  if run train-absent "$EXE" train; then
    fail "the live-only bundle claims it can train" train-absent.log
  fi
  grep -q "training engine is not installed" train-absent.log || fail "no clear message" train-absent.log
  if run train-absent2 "$EXE" train --styles "$STYLE_SRC" --iterations 1; then
    fail "the live-only bundle claims it can train" train-absent2.log
  fi
  if grep -q "Traceback" train-absent.log train-absent2.log; then
    fail "train in the live-only bundle printed a traceback" train-absent2.log
  fi
  echo "smoke: live-only bundle: $(grep -m1 'error' train-absent.log)"
fi

if [ -d "$STYLE_SRC" ]; then
  cp -r "$STYLE_SRC" "$TMP/work/my_style"
else  # a clone without ../shared/data: the built-in styles' thumbnails are images enough for 3 steps
  echo "smoke: $STYLE_SRC not found (VST_SMOKE_STYLE_DIR); training on the bundled style thumbnails"
  mkdir -p "$TMP/work/my_style" && cp "$BUNDLE"/_internal/resources/styles/*.png "$TMP/work/my_style/"
fi
run train "$TRAIN_BUNDLE/vst-desktop" train --styles "$TMP/work/my_style" --iterations 3 --progress jsonl \
  --out "$TMP/work/run" --name "Smoke test style" --set crop_size=64 --set batch_size=2 \
  --set val_photos=1 || fail "train through the bundled executable" train.log
grep -q '"event": "done", "status": "done"' train.log || fail "training did not finish" train.log
ls "$TMP/work/run/package/"*.onnx >/dev/null 2>&1 || fail "no ONNX in the run's package" train.log
run styles-after "$EXE" styles list --json || fail "styles list after training" styles-after.log
grep -q '"builtin": false' styles-after.log || fail "the trained style was not installed" styles-after.log
echo "smoke: trained style installed: $(grep -o '"name": "Smoke test style"' styles-after.log | head -n 1)"
echo "smoke: all checks passed"

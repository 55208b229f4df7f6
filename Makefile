# Everything goes through the project's own virtual environment; the first target that needs it builds it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export QT_QPA_PLATFORM ?= offscreen

.PHONY: run test bench lint venv styles gallery clean

$(STAMP): pyproject.toml
	# Debian's own python3 makes venvs only with python3-venv: install it as the window's libraries are
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { rm -rf $(VENV) && \
	  VST_SYSTEM_PACKAGES=python3-venv tools/install_system_packages.sh --strict && $(PYTHON) -m venv $(VENV); }
	# torch first, pinned: the CPU build lies on disk; an unpinned torch would pull a multi-GB CUDA build
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[train,dev]'
	touch $(STAMP)

venv: $(STAMP)

# CUDA=1 adds the `cuda` extra: NVIDIA's CUDA 13 and cuDNN 9 pip wheels (about 1.1 GB to download), so an
# NVIDIA GPU is used without a system-wide CUDA install; only the NVIDIA driver is needed then.
CUDA ?=
CUDA_STAMP := $(VENV)/.cuda-stamp

$(CUDA_STAMP): $(STAMP)
	$(BIN)/pip install -q -e '.[cuda]'
	touch $@

# The system packages Qt's window needs: installed when root or passwordless sudo, else the command is printed.
run: $(STAMP) $(if $(filter 1,$(CUDA)),$(CUDA_STAMP))
	tools/install_system_packages.sh
	QT_QPA_PLATFORM= $(BIN)/vst-desktop

lint: $(STAMP)
	$(BIN)/ruff check vst_desktop tests tools research
	$(BIN)/lint-imports

test: lint
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/vst-desktop bench --size 1280x720

# Rebuild the built-in GAN styles from ../shared/data with fixed seeds (tools/build_styles.py: resumes where it
# stopped, ships only styles that pass the acceptance metrics), then docs/gallery.md (tools/make_gallery.py).
STYLE_PRESET ?= quick
styles: $(STAMP)
	$(BIN)/python tools/build_styles.py --preset $(STYLE_PRESET) --jobs 2
	$(BIN)/python tools/make_gallery.py

gallery: $(STAMP)
	$(BIN)/python tools/make_gallery.py

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache

# Desktop bundles (README "Desktop bundle"; packaging/). Not part of `make test`: a build takes 3-11 min
# on 2 cores. BUNDLES picks the variants: live (dist/vst-desktop, no torch) and train (dist/vst-desktop-train,
# with torch and the training engine); e.g. `make package BUNDLES=live`.
BUNDLES ?= live train
PACKAGE_STAMP := $(VENV)/.package-stamp
PYINSTALLER = nice -n 10 $(BIN)/pyinstaller --noconfirm --log-level WARN --distpath dist packaging/vst-desktop.spec

$(PACKAGE_STAMP): $(STAMP)
	$(BIN)/pip install -q -e '.[package]'
	touch $@

package: $(PACKAGE_STAMP)
	$(if $(filter live,$(BUNDLES)),VST_BUNDLE_TRAINING=0 VST_BUNDLE_NAME=vst-desktop $(PYINSTALLER) --workpath build/pyinstaller-live)
	$(if $(filter train,$(BUNDLES)),VST_BUNDLE_TRAINING=1 VST_BUNDLE_NAME=vst-desktop-train $(PYINSTALLER) --workpath build/pyinstaller-train)
	du -sh dist/vst-desktop*/

package-test: package
	packaging/smoke_test.sh $(if $(filter live,$(BUNDLES)),dist/vst-desktop,dist/vst-desktop-train) $(if $(filter train,$(BUNDLES)),dist/vst-desktop-train,-)

.PHONY: package package-test

# Soak run, not part of `make test`: the real window on the demo clip for SOAK_MINUTES (default 60), a style
# switch every minute and a 30 s recording every 5 minutes; CSV, plot and verdict in build/soak/, exit 0/1
# (tools/soak.py --help for the knobs).
SOAK_MINUTES ?= 60
soak: $(STAMP)
	$(BIN)/python tools/soak.py --minutes $(SOAK_MINUTES) --out build/soak

.PHONY: soak

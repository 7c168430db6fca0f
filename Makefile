# HPCS Landform - set-up, tests, demo and packaging on Debian 12.
#   make test     install what is missing, run the test suite
#   make demo     install what is missing, run the demo on the sample data
#   make package  build dist/hpcs_landform-<version>.zip for "Install from ZIP"
SHELL := /bin/bash
ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
VENV := $(ROOT)/.venv
PY := $(VENV)/bin/python
SYSPY := /usr/bin/python3
BUILD := $(ROOT)/build
APT_PACKAGES := qgis python3-qgis qgis-providers gdal-bin python3-gdal python3-venv \
	python3-numpy python3-scipy python3-matplotlib xvfb xauth fonts-wqy-microhei
VERSION := $(shell sed -n 's/^version=//p' $(ROOT)/metadata.txt)
export QT_QPA_PLATFORM := offscreen

.PHONY: all test lint demo package bench system venv link clean help translations

help:
	@echo "make test | make lint | make demo | make package | make bench | make translations | make clean"

# --- installation (each step only when missing) ---------------------------
system:
	@if [ ! -x /usr/bin/qgis_process.bin ] || ! $(SYSPY) -c "import qgis.core, osgeo.gdal, scipy, matplotlib" 2>/dev/null \
	    || ! $(SYSPY) -c "import venv, ensurepip" 2>/dev/null || ! command -v xvfb-run >/dev/null \
	    || [ ! -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ]; then \
	  echo ">> installing QGIS and GDAL from Debian (a few minutes)"; \
	  if [ "$$(id -u)" != 0 ]; then SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	    --no-install-recommends $(APT_PACKAGES) >/dev/null; \
	fi

$(VENV)/.stamp: requirements-test.txt | system
	@echo ">> creating the test venv in .venv (system site packages: QGIS, GDAL, numpy)"
	@$(SYSPY) -m venv --system-site-packages $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check -r requirements-test.txt
	@$(PY) -c "import numpy; assert numpy.__version__.startswith('1.'), numpy.__version__"
	@touch $@

venv: $(VENV)/.stamp

# the plugin is importable as hpcs_landform whatever the checkout's folder is
link:
	@mkdir -p $(BUILD)
	@ln -sfn $(ROOT) $(BUILD)/hpcs_landform

# --- jobs -----------------------------------------------------------------
# pyflakes (F), import order (I) and complexity (C901, max 10; pyproject.toml)
# must be clean before the tests run
test: venv link oracles
	cd $(ROOT) && $(PY) -m ruff check --select F,I,C901 .
	cd $(ROOT) && $(PY) -m pytest -p no:cacheprovider tests $(PYTEST_ARGS)

lint: venv
	cd $(ROOT) && $(PY) -m ruff check .

demo: system link
	@$(SYSPY) $(ROOT)/scripts/demo.py

bench: venv link oracles
	$(PY) $(ROOT)/benchmarks/hydrology.py $(HYDROLOGY_ARGS)
	$(PY) $(ROOT)/benchmarks/hydrology.py --process $(HYDROLOGY_PROCESS_ARGS)
	$(PY) $(ROOT)/benchmarks/surfaces.py $(SURFACES_ARGS)
	$(PY) $(ROOT)/benchmarks/erosion.py $(EROSION_ARGS)
	$(PY) $(ROOT)/benchmarks/pipeline.py $(PIPELINE_ARGS)

translations: system link
	@command -v /usr/lib/qt5/bin/lrelease >/dev/null || apt-get install -y -qq --no-install-recommends qttools5-dev-tools >/dev/null
	@$(SYSPY) $(ROOT)/scripts/translations.py

package:
	@$(SYSPY) $(ROOT)/scripts/package.py

clean:
	rm -rf $(BUILD) $(ROOT)/dist $(ROOT)/demo_output

# --- Landlab oracle for the erosion cross-check (issue 7) ------------------
# .venv-oracles: Landlab 2.11 in its own venv WITHOUT system site packages (it
# needs numpy 2, which must never enter .venv). tests/test_erosion_core.py and
# benchmarks/erosion.py call it as a subprocess; the tests FAIL without it.
ORACLE_VENV := $(ROOT)/.venv-oracles
.PHONY: oracles

$(ORACLE_VENV)/.stamp: $(ROOT)/tests/oracles/requirements.txt | system
	@echo ">> creating the Landlab oracle venv in .venv-oracles (numpy 2, no system site packages)"
	@$(SYSPY) -m venv $(ORACLE_VENV)
	@$(ORACLE_VENV)/bin/python -m pip install -q --disable-pip-version-check \
	  -r $(ROOT)/tests/oracles/requirements.txt
	@$(ORACLE_VENV)/bin/python -c "import landlab; assert landlab.__version__.startswith('2.11'), landlab.__version__"
	@touch $@

oracles: $(ORACLE_VENV)/.stamp
# --- end of the Landlab oracle block ---------------------------------------

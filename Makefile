# Every target sets up what it needs itself: system libraries (apt-get when root), then .venv
# (rebuilt only when pyproject.toml changes). Both steps are quick when already done.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup sysdeps demo lab test test-fast lint format bench bench-kernels strip clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --upgrade pip
	@$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

sysdeps:
	@bash scripts/system-deps.sh

setup: sysdeps $(STAMP)

demo: setup
	@$(BIN)/bpu-reports demo

# JupyterLab on the project, from .venv (--allow-root: containers often run as root)
lab: setup
	@$(BIN)/jupyter lab --notebook-dir=. $(if $(filter 0,$(shell id -u)),--allow-root,)

# the portal test drives a real headless Chromium
test: export BPU_NEED_CHROMIUM = 1
test: setup
	@$(BIN)/python -m pytest

test-fast: setup
	@$(BIN)/python -m pytest -m "not slow"

lint: setup
	@$(BIN)/ruff check src tests bench
	@$(BIN)/ruff format --check src tests bench
	@$(BIN)/mypy

format: setup
	@$(BIN)/ruff format src tests bench
	@$(BIN)/ruff check --fix src tests bench

bench: setup
	@$(BIN)/python bench/metrics.py

bench-kernels: setup
	@$(BIN)/python bench/kernels.py

# notebooks are committed without outputs (tests/test_notebooks_clean.py)
strip: setup
	@$(BIN)/nbstripout notebooks/*.ipynb tests/fixtures/*/*.ipynb tests/fixtures/*.ipynb

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache

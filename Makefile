# The two set-up commands of the README: `make book` and `make test`.
# Both create .venv and install the pinned requirements on first use.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install test lint format book bench fixtures clean

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	$(PY) -m pip check
	touch $@

install: $(STAMP)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: lint
	$(PY) -m pytest

book: install
	$(VENV)/bin/jupyter-book build . -W --keep-going

# The machine may set OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE to work around old
# OpenBLAS builds; they slow a current numpy, so the benchmark runs without them
# (it prints the BLAS kernel it got). Pass TORCH_PYTHON to compare with torch.
TORCH_PYTHON ?=
bench: install
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $(PY) benchmarks/bench_lstm.py \
		$(if $(TORCH_PYTHON),--torch-python $(TORCH_PYTHON))

# Regenerates the committed PyTorch fixtures with a Python that has torch
# (see tests/fixtures/README.md), e.g. make fixtures TORCH_PYTHON=/tmp/torchvenv/bin/python
fixtures:
	$(or $(TORCH_PYTHON),$(PYTHON)) tests/fixtures/make_torch_fixtures.py

clean:
	rm -rf _build

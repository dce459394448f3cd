# The two set-up commands of the README: `make book` and `make test`.
# Both create .venv and install the pinned requirements on first use.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install test lint format book vendor bench fixtures clean

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

# The browser tests (tests/test_book_browser.py) read the built book.
test: lint book
	$(PY) -m pytest

# JavaScript the book serves itself (MathJax, require.js, the ipywidgets embed
# manager): exact pins in package-lock.json, copied into the gitignored
# book/_static/vendor/ so that no page loads anything from a CDN.
NPM_STAMP := node_modules/.package-lock.json
VENDOR_STAMP := book/_static/vendor/VERSIONS.json

$(NPM_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund

$(VENDOR_STAMP): $(NPM_STAMP) tools/vendor_js.py
	$(PYTHON) tools/vendor_js.py

vendor: $(VENDOR_STAMP)

# The HTML book in _build/html. Notebooks run in cache mode (only changed
# chapters re-execute); -W --keep-going turns any warning, including a failing
# cell, into a failed build after reporting all of them. TOC= builds another
# table of contents (e.g. while chapters are still being written).
TOC ?= _toc.yml
book: install vendor
	mkdir -p _build
	@# Matplotlib's first import builds a font cache and says so on stderr,
	@# which would fail a chapter's cell (stderr_output: warn) on a new machine.
	$(PY) -c "import matplotlib.pyplot"
	$(VENV)/bin/jupyter-book build . -W --keep-going --toc $(TOC) \
		2>&1 | tee _build/book.log

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
	rm -rf _build book/_static/vendor

# Two commands set everything up on a fresh machine:  make run  |  make test
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
export OMP_THREAD_LIMIT ?= 1
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install system-deps run test lint bench clean

system-deps:
	@command -v tesseract >/dev/null 2>&1 || { \
	  echo ">> installing Tesseract (apt)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tesseract-ocr; }

$(STAMP): pyproject.toml
	@test -d $(VENV) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	@# torch first, pinned: the local CPU wheel. Unpinned, pip would fetch a multi-GB CUDA build.
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -e '.[dev]'
	@touch $(STAMP)

install: system-deps $(STAMP)

run: install
	$(VENV)/bin/papertrail demo

test: install
	$(VENV)/bin/ruff check .
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .

bench: install
	$(PY) benchmarks/ocr.py

clean:
	rm -rf $(VENV) var .pytest_cache

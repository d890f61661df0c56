# Two commands set everything up on a fresh machine:  make run  |  make test
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
# llama-cpp-python compiles llama.cpp once; pip caches the built wheel for the next install.
export CMAKE_BUILD_PARALLEL_LEVEL ?= 2

.PHONY: install system-deps run test lint bench bench-load clean

system-deps:
	@command -v tesseract >/dev/null 2>&1 || { \
	  echo ">> installing Tesseract (apt)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tesseract-ocr; }

$(STAMP): pyproject.toml
	@test -d $(VENV) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	@# torch first, pinned: the local CPU wheel. Unpinned, pip would fetch a multi-GB CUDA build.
	$(PIP) install -q torch==2.13.0
	@# local-llm compiles llama-cpp-python (~7 min the first time, then pip's wheel cache).
	$(PIP) install -q -e '.[dev,local-llm]'
	@touch $(STAMP)

install: system-deps $(STAMP)

# API + one worker on the embedded defaults (SQLite store and broker); queues 3 generated
# sample documents and prints where to look (API docs, pending reviews). Ctrl-C stops all.
run: install
	$(VENV)/bin/papertrail serve --samples 3

test: install
	$(VENV)/bin/ruff check .
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .

bench: install
	$(PY) benchmarks/ocr.py

# Concurrent uploads against a fresh `papertrail serve` on the demo bundle it trains (about a
# minute): measures the API, queue, OCR, classifier and graph. Against your own server: see
# docs/api.md.
bench-load: install
	$(PY) benchmarks/load.py --start-serve --duration 30

clean:
	rm -rf $(VENV) var .pytest_cache

# Two commands set everything up on a fresh machine:  make run  |  make test
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
export OMP_THREAD_LIMIT ?= 1
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
# llama-cpp-python compiles llama.cpp once; pip caches the built wheel for the next install.
export CMAKE_BUILD_PARALLEL_LEVEL ?= 2

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
	@# local-llm compiles llama-cpp-python (~7 min the first time, then pip's wheel cache).
	$(PIP) install -q -e '.[dev,local-llm]'
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

# Two commands set everything up on a fresh machine:  make run  |  make test
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export CMAKE_BUILD_PARALLEL_LEVEL ?= 2

# The local LLM server (llama-cpp-python) is compiled here, once per version and flag set, into
# a wheel folder outside the checkout; never with pip's own wheel cache. By default llama.cpp is
# tuned to the compiling CPU (GGML_NATIVE): such a wheel died with SIGSEGV on an AVX-512/AMX
# Xeon, and pip had cached it for every later install. These flags target x86-64-v3 (AVX2, FMA,
# F16C: Intel since 2013, AMD since 2015) and nothing newer, whatever CPU builds the wheel.
LLAMA_CPP_VERSION := 0.3.36
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON
LLAMA_BUILD_ID := $(shell printf '%s' '$(LLAMA_CMAKE_ARGS)' | sha256sum | cut -c1-12)
WHEELHOUSE ?= $(HOME)/.cache/papertrail/wheels
LLAMA_WHEELS := $(WHEELHOUSE)/llama-cpp-python-$(LLAMA_CPP_VERSION)-$(LLAMA_BUILD_ID)
LLAMA_WHEEL_STAMP := $(LLAMA_WHEELS)/.built

.PHONY: install system-deps test-deps llama-wheel run test lint bench bench-load clean

system-deps:
	@command -v tesseract >/dev/null 2>&1 || { \
	  echo ">> installing Tesseract (apt)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tesseract-ocr; }

# Chromium for the review app's browser tests only (Playwright drives it; it never downloads one)
test-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo ">> installing Chromium (apt)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

$(VENV)/bin/python:
	python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip

# ~7 min on 2 cores the first time on a machine; reused from $(WHEELHOUSE) afterwards.
$(LLAMA_WHEEL_STAMP): | $(VENV)/bin/python
	@echo ">> compiling llama-cpp-python $(LLAMA_CPP_VERSION) for any x86-64-v3 CPU ($(LLAMA_CMAKE_ARGS))"
	@mkdir -p $(LLAMA_WHEELS)
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PIP) wheel -q --no-deps --no-cache-dir \
	  --no-binary llama-cpp-python llama-cpp-python==$(LLAMA_CPP_VERSION) -w $(LLAMA_WHEELS)
	@printf '%s\n' '$(LLAMA_CMAKE_ARGS)' > $(LLAMA_WHEELS)/cmake-args.txt
	@touch $@

llama-wheel: $(LLAMA_WHEEL_STAMP)

$(STAMP): pyproject.toml $(LLAMA_WHEEL_STAMP) | $(VENV)/bin/python
	@# torch first, pinned: the local CPU wheel. Unpinned, pip would fetch a multi-GB CUDA build.
	$(PIP) install -q torch==2.13.0
	@# our portable llama.cpp wheel, replacing any other build (e.g. a CPU-tuned one from pip's cache)
	$(PIP) install -q --force-reinstall --no-deps --no-index --find-links $(LLAMA_WHEELS) \
	  llama-cpp-python==$(LLAMA_CPP_VERSION)
	$(PIP) install -q -e '.[dev,local-llm]'
	@touch $(STAMP)

install: system-deps $(STAMP)

# API + one worker on the embedded defaults (SQLite store and broker); queues 3 generated
# sample documents and prints where to look (API docs, pending reviews). Ctrl-C stops all.
run: install
	$(VENV)/bin/papertrail serve --samples 3

# The real local LLM server is installed above, so its integration tests must run, not skip.
test: install test-deps
	$(VENV)/bin/ruff check .
	PAPERTRAIL_TEST_REQUIRE_LLM=1 $(PY) -m pytest

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

# Two commands matter: `make run` (the app on embedded defaults) and `make test` (all tests + evals).
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False
export HF_HUB_OFFLINE := 1
export HF_HUB_DISABLE_TELEMETRY := 1
# llama-cpp-python compiles llama.cpp on first install (pip caches the wheel for every later install):
# all cores, and without the multimodal (llava/mtmd) library the advisor does not use.
export CMAKE_ARGS ?= -DLLAVA_BUILD=OFF
export CMAKE_BUILD_PARALLEL_LEVEL ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: setup setup-dev run test lint chromium postgres eval bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.base: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e ".[dev]"
	touch $@ $(VENV)/.base

setup: $(VENV)/.base
setup-dev: $(VENV)/.dev

run: setup
	$(BIN)/python app.py

chromium:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi wenquanyi; then \
	  echo "installing Debian chromium and a CJK font for the browser test"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    chromium fonts-wqy-microhei fonts-noto-color-emoji >/dev/null; fi

postgres:
	@if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then \
	  echo "installing Debian postgresql for the feedback-database and deployment tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; fi

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: setup-dev chromium postgres lint
	$(BIN)/python -m pytest -q --durations=25
	$(BIN)/python ingest.py
	$(BIN)/python -m evals --ci

eval: setup-dev
	$(BIN)/python ingest.py
	$(BIN)/python -m evals

bench: setup-dev
	$(BIN)/python -m bench

clean:
	rm -rf data .pytest_cache

# make demo   the main job: worked examples, graphs, step frames, a trained network
# make test   the test suite (notebooks included)
# make bench  the benchmark suite against micrograd (and PyTorch when installed)
# Each target creates .venv on first use and reuses it afterwards.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed-dev
BENCH_INSTALLED := $(VENV)/.installed-bench
DEMO_DIR ?= demo-output

.PHONY: demo test bench lint typecheck clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(INSTALLED): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $@

$(BENCH_INSTALLED): pyproject.toml $(INSTALLED)
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	touch $@

demo: $(INSTALLED)
	$(PY) -m nn demo --out $(DEMO_DIR)

test: $(INSTALLED)
	$(PY) -m pytest -q

bench: $(BENCH_INSTALLED)
	$(PY) tests/bench/run.py

lint: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(INSTALLED)
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) $(DEMO_DIR) bench-results .pytest_cache .mypy_cache .ruff_cache

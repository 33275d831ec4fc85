# make demo   the main job: worked examples, graphs, step frames, a trained network
# make test   the test suite (notebooks included)
# make bench  the benchmark suite against micrograd (and PyTorch when installed)
# make lab    JupyterLab on the notebooks (installed into .venv on first use)
# Each target creates .venv on first use and reuses it afterwards.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed-dev
BENCH_INSTALLED := $(VENV)/.installed-bench
LAB_INSTALLED := $(VENV)/.installed-lab
DEMO_DIR ?= demo-output

.PHONY: demo test bench lint typecheck notebooks lab dist clean

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

# Notebooks: NN_name.py (the cells as text) is paired with NN_name.ipynb (cells and outputs).
# Sync each pair from whichever file changed last, then re-execute and save every notebook.
notebooks: $(INSTALLED)
	$(PY) notebooks/execute.py

$(LAB_INSTALLED): $(INSTALLED)
	$(PY) -m pip install --quiet 'jupyterlab>=4'
	touch $@

# JupyterLab on notebooks/. jupytext (in the dev tools) keeps each .py in step when a
# notebook is saved; trusting the committed notebooks lets Lab show their pictures as saved.
# LAB_OPTIONS passes options on, e.g. make lab LAB_OPTIONS="--no-browser --port 8890".
lab: $(LAB_INSTALLED)
	$(VENV)/bin/jupyter trust --log-level=WARN notebooks/[0-9]*.ipynb
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_OPTIONS)

# The package file (wheel) for installing chainrule elsewhere: dist/chainrule-<version>-py3-none-any.whl
dist: | $(PY)
	$(PY) -m pip wheel --quiet --no-deps --wheel-dir dist .
	@ls dist/chainrule-*.whl

lint: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(INSTALLED)
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) $(DEMO_DIR) bench-results dist build .pytest_cache .mypy_cache .ruff_cache

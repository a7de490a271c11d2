# The LM course book: one Makefile for set-up, the book, the tests and the benchmarks.
# `make book` and `make test` do all set-up on a fresh machine.

PYTHON  ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.stamp
CHROMIUM := /usr/bin/chromium
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
CHAPTERS := $(wildcard chapters/*.md)

.PHONY: venv book book-en book-zh fonts test notebooks lab bench clean chromium

# (Re)install only when requirements.txt or pyproject.toml change.
venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

# Build the HTML book: the English edition into _build/html and the Chinese edition (zh/)
# into _build/html/zh. -W -n --keep-going: any warning (including nitpicky broken
# references) fails the build, after reporting all of them. Executed notebooks are cached
# in .jupyter_cache and zh/.jupyter_cache, so unchanged chapters are not re-run.
book: book-en book-zh

book-en: venv
	$(BIN)/jupyter-book build -W -n --keep-going .

book-zh: venv fonts book-en
	$(BIN)/jupyter-book build -W -n --keep-going zh
	rm -rf _build/html/zh
	cp -a zh/_build/html _build/html/zh

# A CJK font for the Chinese edition's figures (matplotlib, via zh/**/matplotlibrc) and
# for the browser's rendering of Chinese text.
fonts:
	@if [ -z "$$(fc-list :lang=zh 2>/dev/null)" ]; then \
	  $(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y fonts-wqy-microhei fontconfig; \
	fi

# Debian's chromium for the real-browser tests (never `playwright install`), and a small
# CJK font so the screenshots show the Chinese of the glossary (not empty boxes).
chromium:
	@if [ ! -x $(CHROMIUM) ] || [ -z "$$(fc-list :lang=zh 2>/dev/null)" ]; then \
	  $(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-wqy-microhei; \
	fi

# Everything: the book must build with zero warnings, then all tests (unit,
# property, book checks and the browser tests over every built page).
test: venv chromium book
	$(BIN)/python -m pytest -q

# Every chapter as a .ipynb notebook (jupytext), in _build/notebooks/.
notebooks: venv
	mkdir -p _build/notebooks
	for f in $(CHAPTERS); do \
	  $(BIN)/jupytext --quiet --to ipynb -o _build/notebooks/$$(basename $${f%.md}).ipynb $$f || exit 1; \
	done

# JupyterLab on chapters/. jupytext's contents manager opens the MyST .md chapters as
# notebooks; the overrides.json written into the venv makes that the default viewer on
# double-click (otherwise: right-click > Open With > Notebook).
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings
lab: venv
	mkdir -p $(LAB_SETTINGS)
	printf '%s\n' '{"@jupyterlab/docmanager-extension:plugin": {"defaultViewers": {"markdown": "Jupytext Notebook", "myst": "Jupytext Notebook"}}}' > $(LAB_SETTINGS)/overrides.json
	$(BIN)/jupyter lab --notebook-dir=chapters $(if $(filter 0,$(shell id -u)),--allow-root)

bench: venv
	$(BIN)/python benchmarks/run_all.py
	$(BIN)/python benchmarks/build_figures.py --readme

clean:
	rm -rf _build .jupyter_cache .pytest_cache .hypothesis zh/_build zh/.jupyter_cache

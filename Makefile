# The LM course book: one Makefile for set-up, the book, the tests and the benchmarks.
# `make book` and `make test` do all set-up on a fresh machine.

PYTHON  ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.stamp
CHROMIUM := /usr/bin/chromium
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
CHAPTERS := $(wildcard chapters/*.md)

.PHONY: venv book book-en book-zh book-zh-build fonts zh-status test notebooks student lab assignments pdf bench clean chromium

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
# in .jupyter_cache and zh/_build/.jupyter_cache, so unchanged chapters are not re-run.
# The two editions have separate sources, outputs and execution caches, so `make -j2 book`
# builds them side by side (`make test` does); only the copy waits for both.
book: book-en book-zh

book-en: venv
	$(BIN)/jupyter-book build -W -n --keep-going .

# LM_LANG=zh: the words lm.viz writes into figures and explorers are Chinese (lm/viz/i18n.py).
book-zh-build: venv fonts
	LM_LANG=zh $(BIN)/jupyter-book build -W -n --keep-going zh

book-zh: book-zh-build book-en
	rm -rf _build/html/zh
	cp -a zh/_build/html _build/html/zh

# Which Chinese pages lag behind their English source, with the English diff to carry over.
zh-status: venv
	$(BIN)/python tools/zh_status.py --diff

# A CJK font for the Chinese edition's figures (matplotlib, via zh/**/matplotlibrc) and
# for the browser's rendering of Chinese text.
fonts:
	@if [ -z "$$(fc-list :lang=zh 2>/dev/null)" ]; then \
	  $(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y fonts-wqy-microhei fontconfig; \
	  rm -f $$HOME/.cache/matplotlib/fontlist-*.json; \
	fi

# Debian's chromium for the real-browser tests (never `playwright install`), and a small
# CJK font so the screenshots show the Chinese of the glossary (not empty boxes).
chromium:
	@if [ ! -x $(CHROMIUM) ] || [ -z "$$(fc-list :lang=zh 2>/dev/null)" ]; then \
	  $(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-wqy-microhei; \
	  rm -f $$HOME/.cache/matplotlib/fontlist-*.json; \
	fi

# Everything: the book must build with zero warnings, then all tests (unit,
# property, book checks, the course kit, and the browser tests over every built page and
# the printed PDF).
# The builds run two at a time (the English edition, then the PDF from its cache, beside the
# Chinese edition), each build's output kept together (-O).
test: venv chromium
	$(MAKE) -j2 -O book pdf
	$(BIN)/python -m pytest -q

# The course kit (tools/, see chapters/instructors.md). Each needs the built book: the
# glued numbers and the numbering come from its execution cache and Sphinx environment.
# Student notebooks that read like the website (numbers in the prose, no raw MyST, no
# build-only code, no solutions) in _build/notebooks/, the instructor's versions with the
# solutions in _build/notebooks/solutions/.
notebooks student: book
	$(BIN)/python tools/student_notebooks.py --build _build --out _build/notebooks

# JupyterLab on the student notebooks. (The .md chapters themselves also open as notebooks
# through jupytext: the overrides.json written into the venv makes that the default viewer.)
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings
lab: notebooks
	mkdir -p $(LAB_SETTINGS)
	printf '%s\n' '{"@jupyterlab/docmanager-extension:plugin": {"defaultViewers": {"markdown": "Jupytext Notebook", "myst": "Jupytext Notebook"}}}' > $(LAB_SETTINGS)/overrides.json
	$(BIN)/jupyter lab --notebook-dir=_build/notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

# Autograded assignments (otter-grader): master notebooks generated from the chapters'
# graded exercises, then `otter assign`: _build/assignments/<name>/student/*.ipynb for the
# students, _build/assignments/<name>/autograder/*.zip for grading (`otter run`, offline).
assignments: book
	$(BIN)/python tools/assignments.py --out _build/assignments

# One printable PDF of the whole book: a singlehtml build, printed by Debian's chromium
# (Playwright's page.pdf) once MathJax has typeset every formula: _build/pdf/book.pdf.
# Its own output folder (_build/print/), so that it does not disturb the website's build;
# after the English edition, whose execution cache it reads (no chapter runs twice).
pdf: venv chromium book-en
	$(BIN)/jupyter-book build --builder singlehtml --path-output _build/print -W -n --keep-going .
	$(BIN)/python tools/print_pdf.py _build/print/_build/singlehtml/intro.html _build/pdf/book.pdf

bench: venv
	$(BIN)/python benchmarks/run_all.py
	$(BIN)/python benchmarks/loop_floor.py
	$(BIN)/python benchmarks/build_figures.py --readme

clean:
	rm -rf _build .jupyter_cache .pytest_cache .hypothesis zh/_build

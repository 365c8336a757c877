# Two commands do everything on a fresh machine: `make lab` (open the course) and `make test` (run every check).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST := $(BIN)/python -m pytest
NBVAL := --nbval -p tests.nbval_hooks --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=600
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))

# The offline MNIST copy beside the repo (CI and the course machines); elsewhere Keras downloads MNIST itself.
SHARED_MNIST := $(abspath ../shared/data/mnist)
export COURSE_DATA_DIR ?= $(if $(wildcard $(SHARED_MNIST)/t10k-images-idx3-ubyte.gz),$(SHARED_MNIST),)
export TF_CPP_MIN_LOG_LEVEL ?= 2
export PYTHONHASHSEED := 0
# Caches stay inside the repo (git-ignored): the course writes nothing elsewhere.
export KERAS_HOME := $(CURDIR)/.cache/keras
export MPLCONFIGDIR := $(CURDIR)/.cache/matplotlib
export IPYTHONDIR := $(CURDIR)/.cache/ipython
export JUPYTER_RUNTIME_DIR := $(CURDIR)/.cache/jupyter/runtime
export JUPYTERLAB_WORKSPACES_DIR := $(CURDIR)/.cache/jupyter/workspaces

.PHONY: help install lab test unit nbval notebooks bench clean

help:
	@echo "make lab        set up (first time) and open the student edition (my_notebooks/) in JupyterLab"
	@echo "                EDITION=instructor: open the solved notebooks/ instead"
	@echo "make test       set up (first time) and run the unit tests and every notebook (nbval)"
	@echo "make notebooks  re-execute every notebook in place, top to bottom in a fresh kernel"
	@echo "make slides     reveal.js decks of the notebooks, offline: build/slides/ (instructor's, with solutions) and"
	@echo "                build/slides/student/ (no solutions); STUDENT=1: the student's only; PRESENT=1: larger plots"
	@echo "make site       the whole course as a static website in build/site/ (open build/site/index.html), offline"
	@echo "make html       one HTML file per notebook in build/html/ (for a learning platform), offline"
	@echo "make student    make or update the student edition in my_notebooks/ (never overwrites a student's file)"
	@echo "make bench      measure notebook run times, peak memory, training and tracing speed"

install: $(STAMP)

$(STAMP): pyproject.toml tools/jupyterlab-overrides.json tools/jupyter-server-config.json tools/jupyterlab-page-config.json
	@test -n "$(PYTHON)" || { echo "No python3 on PATH: install Python 3.11 first."; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || \
	  { echo "The course needs Python 3.11; $(PYTHON) is $$($(PYTHON) --version). Install 3.11 or run make PYTHON=/path/to/python3.11."; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	mkdir -p $(VENV)/share/jupyter/lab/settings
	cp tools/jupyterlab-overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	# nbgrader's command line is for instructors (README); its menus and server extensions stay out of make lab.
	mkdir -p $(VENV)/etc/jupyter/labconfig
	cp tools/jupyter-server-config.json $(VENV)/etc/jupyter/jupyter_server_config.json
	cp tools/jupyterlab-page-config.json $(VENV)/etc/jupyter/labconfig/page_config.json
	touch $(STAMP)

# Served on 127.0.0.1 only, token authentication on. Containers run as root, which Jupyter refuses unless told.
# Students get their own copy, my_notebooks/ (git-ignored): made on the first run, never overwritten after that.
EDITION ?= student
LAB := $(BIN)/jupyter lab --ip=127.0.0.1 $(if $(filter 0,$(shell id -u)),--allow-root)
lab: $(STAMP)
ifeq ($(EDITION),student)
	$(BIN)/python -m tools.student_edition --out my_notebooks $(NOTEBOOKS)
	$(LAB) --ServerApp.root_dir=my_notebooks my_notebooks/00_index.ipynb
else ifeq ($(EDITION),instructor)
	$(LAB) --ServerApp.root_dir=. notebooks/00_index.ipynb
else
	$(error EDITION must be student (the default) or instructor, not '$(EDITION)')
endif

# Two workers, each taking whole test files (a notebook runs in one worker): about 3 minutes instead of 4.5 on 2 cores.
TEST_JOBS ?= 2
test: $(STAMP)
	$(PYTEST) -n $(TEST_JOBS) --dist loadfile --durations=12 tests course_utils $(NBVAL) notebooks

unit: $(STAMP)
	$(PYTEST) tests course_utils

nbval: $(STAMP)
	$(PYTEST) $(NBVAL) $(or $(NB),notebooks)

notebooks: export COURSE_UPDATE_IMAGES=1
notebooks: $(STAMP)
	$(BIN)/python -m tools.execute_notebooks $(or $(NB),$(NOTEBOOKS))

# Measured speed and memory (not part of make test): writes benchmarks/results.md and .json.
bench: $(STAMP)
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf $(VENV) build .cache .pytest_cache

# For instructors (README, "For instructors"). Decks use a local reveal.js, fetched once with npm ci into build/npm.
.PHONY: slides site html student
slides: $(STAMP)
	$(BIN)/python -m tools.build_slides $(if $(PRESENT),--present) $(if $(STUDENT),--edition student) $(or $(NB),$(NOTEBOOKS))

site: $(STAMP)
	$(BIN)/python -m tools.build_site

html: $(STAMP)
	$(BIN)/python -m tools.build_html $(or $(NB),$(NOTEBOOKS))

student: $(STAMP)
	$(BIN)/python -m tools.student_edition --out my_notebooks $(or $(NB),$(NOTEBOOKS))

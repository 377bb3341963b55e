# Kotobotti: the two commands a newcomer types are `make run` and `make test`.
# Every target installs what it needs first, so a fresh clone works as it is.

SHELL := /bin/bash
.DEFAULT_GOAL := help

# The first Python 3.10 that really runs (a pyenv shim may exist without a 3.10 selected).
PYTHON310 ?= $(shell for p in $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.10.*/bin/python3.10 2>/dev/null) \
	$$(command -v python3.10 2>/dev/null) /usr/bin/python3.10 /usr/local/bin/python3.10; do \
	"$$p" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null && { echo "$$p"; break; }; done)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

MODEL := models/kotobotti.tar.gz
export RASA_TELEMETRY_ENABLED := false

.PHONY: help install sysdeps run test lint catalogs train shell telegram bench

help:
	@echo "make run    install what is missing, train if stale, start Kotobotti (5005, 5055, web chat 8080)"
	@echo "make test   install what is missing, then run the whole test suite"
	@echo "make shell  Rasa shell for staff (with the action server)"
	@echo "make telegram  the Telegram bridge (needs TELEGRAM_BOT_TOKEN and a running 'make run')"
	@echo "make train  train the model if the data changed"
	@echo "make lint   ruff"
	@echo "make bench  Kotobotti beside stock Rasa 3.6.21, one run (about 20 min): bench/results.md"
	@echo "make catalogs  re-extract messages after changing a text"

# System packages (Debian): Voikko (Finnish morphology) for municipality names in case
# forms; Node.js to build the web widget; headless Chromium for its browser tests; Noto
# fonts so the widget renders all 13 languages' scripts (nothing is fetched at run time);
# nginx for the scale-out test (several Rasa servers behind it, deploy/nginx.conf.template).
SYSTEM_PACKAGES := libvoikko1 voikko-fi nodejs npm chromium fonts-noto-core fonts-noto-cjk nginx
sysdeps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; done; \
	  if [ -z "$$(command -v node)" ] || [ -z "$$(command -v npm)" ]; then :; else missing=$$(echo $$missing | tr ' ' '\n' | grep -v -x -e nodejs -e npm | tr '\n' ' '); fi; \
	  if [ -n "$${missing// }" ]; then \
	    if [ "$$(id -u)" = 0 ]; then \
	      echo "Installing Debian packages:$$missing ..."; \
	      (DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null 2>&1 || \
	       (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null)) || \
	       { echo "Could not install$$missing; install them with your package manager." >&2; exit 1; }; \
	    else \
	      echo "Missing Debian packages: run 'sudo apt-get install$$missing' and try again." >&2; exit 1; \
	    fi; \
	  fi

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON310)" ]; then \
	  echo "Python 3.10 not found (Rasa 3.6 needs 3.10): install it, e.g. 'pyenv install 3.10.13', or set PYTHON310=/path/to/python3.10" >&2; exit 1; fi
	@[ -x $(PY) ] || $(PYTHON310) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	@touch $(STAMP)

# The web widget (web/): socket.io-client, esbuild, playwright-core and axe-core from the
# npm registry at the versions in web/package-lock.json, then the bundle in web/dist/.
WIDGET := web/dist/widget.js
web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(WIDGET): web/node_modules/.package-lock.json web/build.mjs $(wildcard web/src/*)
	cd web && node build.mjs

install: sysdeps $(STAMP) $(WIDGET)

# After changing any user-facing text: re-extract messages.pot and merge it into every .po.
catalogs: $(STAMP)
	$(PY) scripts/update_catalogs.py

# Trains only when the data, the domain or the config changed since the last model.
# The sentence-model classifiers (bot/semantic.py) are trained first into var/cache/, so
# neither server trains them at start. `bot.rasa_cli` is Rasa's own command line without
# importing TensorFlow, which nothing in Kotobotti's pipeline uses.
$(MODEL): $(STAMP) config.yml domain.yml data/rules.yml $(wildcard data/nlu/*.yml data/stories/*.yml rasa_components/*.py bot/meanings/*.yml)
	$(PY) -c "from bot import semantic; semantic.warm()"
	$(PY) -m bot.rasa_cli train --fixed-model-name kotobotti --out models --quiet
	@touch $(MODEL)

train: install $(MODEL)

run: install $(MODEL)
	@$(VENV)/bin/kotobotti serve

# The Telegram bridge to a running Rasa server (contract §5: configured by the environment).
telegram: install
	@$(VENV)/bin/kotobotti telegram

# Staff: try every flow in the terminal (starts the action server alongside).
# Library warnings (TensorFlow, Rasa's deprecations) are for developers, not for staff.
shell: install $(MODEL)
	@export PYTHONWARNINGS=ignore TF_CPP_MIN_LOG_LEVEL=3; \
	  $(PY) -m rasa_sdk --port 5055 --actions actions.actions >/dev/null 2>&1 & pid=$$!; \
	  trap 'kill $$pid $$shell 2>/dev/null; wait 2>/dev/null' EXIT INT TERM HUP; \
	  $(PY) -c "import bot.serve as s; s.wait_for('http://127.0.0.1:5055/health', 120)" || exit 1; \
	  $(PY) -m bot.rasa_cli shell --quiet --model $(MODEL) --endpoints endpoints.yml 2>/dev/null </dev/tty & shell=$$!; \
	  wait $$shell

test: install $(MODEL)
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -q

lint: install
	$(VENV)/bin/ruff check .

# Contract §7: builds the peer (stock Rasa 3.6.21 `rasa init`, its own venv cached in
# ~/.cache/kotobotti-bench or $$KOTOBOTTI_BENCH_CACHE), measures both in the same run and
# writes bench/results.md and the README's marked block. Not part of `make test`.
# Run it on an otherwise idle machine: the figures are ratios, but noise still moves them.
bench: install
	$(PY) -m bench $(BENCH_ARGS)

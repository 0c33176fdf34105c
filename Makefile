# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
NODE_STAMP := node_modules/.installed-stamp
PACKAGES := sigill messaging identity crypto store notify bot adaptive_cards addin_backend portal
LINTED := $(PACKAGES) tests bench

.PHONY: run test check lint unit contract integration security clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip 2>&1 | grep -v "is ignored" || true
	$(PY) -m pip install --quiet -e '.[test]' 2>&1 | grep -v "is ignored" || true
	$(PY) -c "import sigill, aiohttp, cryptography, azure.cosmos"
	touch $@

$(NODE_STAMP): package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

run: $(STAMP)
	$(VENV)/bin/sigill serve

check: $(STAMP)
	$(VENV)/bin/ruff check --no-cache $(LINTED)
	$(VENV)/bin/ruff format --check --no-cache $(LINTED)
	$(VENV)/bin/mypy

test: $(STAMP) $(NODE_STAMP) check
	$(PY) -m pytest -q -p no:randomly tests

unit: $(STAMP)
	$(PY) -m pytest -q tests/unit

clean:
	rm -rf $(VENV) node_modules

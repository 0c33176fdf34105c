# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
NODE_STAMP := node_modules/.installed-stamp
PACKAGES := sigill messaging identity crypto store notify bot adaptive_cards addin_backend portal
LINTED := $(PACKAGES) tests bench
# The browser tests drive Debian's Chromium; Playwright's own browser download is never used.
CHROMIUM := /usr/bin/chromium

.PHONY: run test check lint unit contract integration security browser fuzz clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip 2>&1 | grep -v "is ignored" || true
	$(PY) -m pip install --quiet -e '.[test]' 2>&1 | grep -v "is ignored" || true
	$(PY) -c "import sigill, aiohttp, cryptography, azure.cosmos, playwright.sync_api"
	touch $@

$(NODE_STAMP): package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(CHROMIUM):
	apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium

run: $(STAMP) $(NODE_STAMP)
	$(VENV)/bin/sigill serve

check: $(STAMP)
	$(VENV)/bin/ruff check --no-cache $(LINTED)
	$(VENV)/bin/ruff format --check --no-cache $(LINTED)
	$(VENV)/bin/mypy

test: $(STAMP) $(NODE_STAMP) $(CHROMIUM) check
	$(PY) -m pytest -q -p no:randomly tests

browser: $(STAMP) $(NODE_STAMP) $(CHROMIUM)
	$(PY) -m pytest -q -p no:randomly tests/browser

# The API fuzzing of `make test` (tests/fuzz), at length: many more cases per operation, up to half an hour.
fuzz: $(STAMP)
	SIGILL_FUZZ=long $(PY) -m pytest -q -p no:randomly tests/fuzz

unit: $(STAMP)
	$(PY) -m pytest -q tests/unit

clean:
	rm -rf $(VENV) node_modules test-output

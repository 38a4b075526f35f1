# Everything a fresh machine with only Python and make needs.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

HOST ?= 127.0.0.1
PORT ?= 8765

.PHONY: serve test lint bench fuzz soak install clean speech fixtures browser clients

# `make serve` needs only the package; `make test` the dev extra (the suite, the official SDK,
# the linters, the page tests' browser driver).
SERVE_STAMP := $(VENV)/.installed-serve

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(SERVE_STAMP): pyproject.toml setup.py | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(STAMP): pyproject.toml setup.py | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(STAMP)

serve: $(SERVE_STAMP)
	$(PY) -m dashscope_realtime_mock serve --host $(HOST) --port $(PORT) --fixtures fixtures

# Debian's chromium for the inspector's page tests (tests/mockserver/inspector/test_page.py),
# installed when missing and we may (root, as in CI); otherwise those tests skip and say why.
# apt waits up to APT_LOCK_WAIT seconds for a package lock another process holds; any failure
# is one line (apt's own output goes to $(APT_LOG)) and the tests run on without the browser.
CHROMIUM ?= chromium
APT_LOCK_WAIT ?= 300
APT_LOG ?= $(VENV)/apt.log
APT := DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=$(APT_LOCK_WAIT) -y -q
browser:
	@command -v $(CHROMIUM) >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    mkdir -p $(dir $(APT_LOG)); \
	    if { $(APT) install chromium || { $(APT) update && $(APT) install chromium; }; } >$(APT_LOG) 2>&1; \
	    then echo "installed chromium for the inspector's page tests"; \
	    else echo "could not install chromium (apt-get failed, see $(APT_LOG)): the page tests will skip"; fi; \
	  else echo "chromium is missing and cannot be installed here: the page tests will skip"; fi; }

test: $(STAMP) browser
	$(PY) -m pytest

# ruff (rules in pyproject.toml), the formatter's verdict, and mypy (strict; under the installed
# names, see scripts/typecheck.py).
lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) scripts/typecheck.py

fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=deep $(PY) -m pytest tests/property -p no:cacheprovider --timeout=0 -q

bench: $(STAMP)
	$(PY) bench/bench_load.py
	$(PY) bench/bench_sessions.py
	$(PY) bench/bench_validation.py
	$(PY) bench/bench_inspector.py
	$(PY) bench/bench_cancel_window.py
	$(PY) bench/bench_long_answers.py
	$(PY) bench/bench_answer_kinds.py
	$(PY) bench/bench_tts_steps.py

# 10,000 connect/disconnect cycles; prints RSS, file descriptors and tasks before and after.
soak: $(STAMP)
	$(PY) bench/soak.py

# Needs espeak-ng and sox (Debian packages); the WAVs it makes are committed.
speech:
	scripts/make_speech.sh

# Needs espeak-ng and sox too; rebuilds fixtures/scenarios byte-for-byte.
fixtures: $(STAMP)
	$(PY) scripts/make_fixtures.py

clean:
	rm -rf $(VENV) build *.egg-info

# The published third-party clients in thirdparty/ (each in its own venv under .venv-clients/,
# needs PyPI; a Node.js client: node_modules there, needs npm), each against the mock at its
# default model.
clients: $(STAMP)
	$(PY) scripts/run_clients.py

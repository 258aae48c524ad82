# The two commands a newcomer types: `make run` and `make test`.
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
STAMP  := $(VENV)/.installed
SEEDS  ?= seeds

.PHONY: install run test lint evals bench clean

$(PY):
	python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# torch first, pinned to the CPU build on disk: an unpinned torch pulls a multi-GB CUDA build.
$(STAMP): pyproject.toml | $(PY)
	$(PIP) install --quiet torch==2.13.0
	$(PIP) install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Browser tests drive Debian's chromium through Playwright; never a downloaded browser.
CHROMIUM ?= /usr/bin/chromium
$(CHROMIUM):
	DEBIAN_FRONTEND=noninteractive apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver

# The record store's contract suite starts a throwaway PostgreSQL server (Debian's initdb and
# postgres, under /usr/lib/postgresql/VERSION/bin) on 127.0.0.1; installed when absent.
.PHONY: postgres
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql; }

# The richest job so far: ingest the demo corpus, then serve the API and the chat widget's demo
# page until Ctrl-C (each one-off `whosaid ask` would reload the model, about 15 s, so none runs here).
run: install
	$(VENV)/bin/whosaid ingest $(SEEDS)
	@echo 'Open the URL below and ask, e.g. "Who said that Mariupol will be liberated?" (Ctrl-C stops the server).'
	$(VENV)/bin/whosaid serve

test: install $(CHROMIUM) postgres
	$(VENV)/bin/ruff check bot tests evals
	$(VENV)/bin/mypy
	$(VENV)/bin/python -m pytest -q

evals: install
	$(PY) evals/bench_ingest.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

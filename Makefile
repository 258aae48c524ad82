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

# The richest job so far: ingest the demo corpus, then answer and check from it.
run: install
	$(VENV)/bin/whosaid ingest $(SEEDS)
	$(VENV)/bin/whosaid search "significant loss of troops" -k 2
	$(VENV)/bin/whosaid ask "Who said that Mariupol will be liberated?"
	$(VENV)/bin/whosaid ask "What did Peskov say about sanctions?"
	$(VENV)/bin/whosaid check "Russia lost 498 soldiers in Ukraine"

test: install $(CHROMIUM)
	$(VENV)/bin/ruff check bot tests evals
	$(VENV)/bin/mypy
	$(VENV)/bin/python -m pytest -q

evals: install
	$(PY) evals/bench_ingest.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

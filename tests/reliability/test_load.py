"""A bounded load run against a real ``whosaid serve`` on 127.0.0.1: no errors, and 429s not 500s.

Sixteen clients ask the seeds and fixtures questions back to back (real MiniLM and spaCy, the
extractive composer) for a fixed time; every request must be answered 200. Then the same load
against a server with a small rate limit: every request is 200 or 429, and each 429 carries
``Retry-After``. The figures (p50, p95, throughput) are printed (``pytest -s``); the longer
run with its figures in the README is ``python evals/bench_load.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from evals.bench_load import run_load
from tests.conftest import FIXTURES, SEEDS
from tests.reliability.state import run_whosaid, start_server, whosaid_env

pytestmark = [pytest.mark.server, pytest.mark.slow]

CLIENTS = 16
QUESTIONS = [
    ("ask", "Who said that Mariupol will be liberated?"),
    ("ask", "What did Peskov say about sanctions?"),
    ("check", "Russia lost 498 soldiers in Ukraine"),
    ("ask", "Who said the bridge repair would cost 80 million?"),
    ("ask", "What did Joe Biden say about Bucha?"),  # abstains
    ("check", "The Harbor Bridge will close for six months"),
]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("load")
    result = run_whosaid("ingest", str(SEEDS), str(FIXTURES), env=whosaid_env(folder))
    assert result.returncode == 0, result.stderr
    return folder


def load(data_dir: Path, tmp_path: Path, *, seconds: float, per_minute: str, burst: str) -> dict[str, Any]:
    """Run the clients against a fresh server with this rate limit; the figures, printed too."""
    server = start_server(whosaid_env(data_dir, rate_limit_per_minute=per_minute, rate_limit_burst=burst),
                          tmp_path / "serve.log")
    try:
        figures = run_load(server.url, QUESTIONS, clients=CLIENTS, seconds=seconds).summary()
    finally:
        server.stop()
    print(figures)  # shown by `pytest -s`
    assert "Traceback" not in (tmp_path / "serve.log").read_text(errors="replace")
    return figures


def test_sixteen_clients_get_no_errors(data_dir: Path, tmp_path: Path) -> None:
    figures = load(data_dir, tmp_path, seconds=15, per_minute="1000000", burst="100000")
    assert figures["requests"] >= 3 * CLIENTS
    assert figures["statuses"] == {"200": figures["requests"]}, figures


def test_past_the_rate_limit_every_refusal_is_429_with_retry_after(data_dir: Path, tmp_path: Path) -> None:
    figures = load(data_dir, tmp_path, seconds=5, per_minute="30", burst="2")
    assert set(figures["statuses"]) == {"200", "429"}, figures
    assert figures["statuses"]["429"] > figures["statuses"]["200"] and figures["retry_after_missing"] == 0

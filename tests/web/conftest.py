"""The web tests: a fictional news site on 127.0.0.1, and a service with short timeouts and no delays."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.attribution.quantities import parse_quantities
from bot.config import Settings
from bot.index.embedder import HashEmbedder
from bot.model import Claim
from bot.service import Whosaid
from tests.fakes.news_site import Site, news_site

USER_AGENT = "whosaid-tests/1.0 (the fictional test site)"
# "Mayor Ada Brill said that the flood had displaced up to 15,000 residents."
_SAID = re.compile(r"(?P<who>(?:[A-Z][a-z]+ )+[A-Z][a-z]+) said(?: that)? (?P<what>[^.]+)\.")


class SaidClaims:
    """A fake attribution engine: one claim per "Name said (that) X." sentence, exact spans, its figures."""

    def extract_many(self, texts: Iterable[str]) -> Iterator[list[Claim]]:
        for text in texts:
            yield [self._claim(m) for m in _SAID.finditer(text)]

    @staticmethod
    def _claim(match: re.Match[str]) -> Claim:
        content = match.group("what")
        start = match.start("what")
        return Claim(
            speaker=match.group("who"), speaker_mention=match.group("who"), source_span=match.span("who"),
            cue="said", cue_span=(match.end("who") + 1, match.end("who") + 5), content=content,
            content_spans=((start, start + len(content)),), kind="indirect", stance="asserts",
            quantities=parse_quantities(content),
        )


def web_settings(data_dir: Path, **overrides: Any) -> Settings:
    """Fast and polite enough for a local server: no delays, a 2 MB limit, and a 5 s timeout.

    The timeout is generous because the suite's process is busy (other tests' threads share the GIL on two
    cores): a half-second one once expired on a page the fictional site served at once. A test of the timeout
    itself sets a short one, with a page far slower than it.
    """
    values: dict[str, Any] = {
        "data_dir": data_dir, "embedding_model": "hash", "extract_claims": False, "user_agent": USER_AGENT,
        "fetch_timeout_seconds": 5.0, "fetch_delay_seconds": 0.0, "fetch_max_bytes": 2_000_000,
        "watch_retry_seconds": 0.001, "watch_interval_seconds": 0.001, **overrides,
    }
    return Settings(**values)


@pytest.fixture
def site() -> Iterator[Site]:
    """A fresh fictional site for one test."""
    with news_site() as served:
        yield served


@pytest.fixture
def web(tmp_path: Path) -> Whosaid:
    """A service over a fresh index that fetches with the test settings and finds "X said Y" claims."""
    return Whosaid(web_settings(tmp_path / "data"), embedder=HashEmbedder(), extractor=SaidClaims())

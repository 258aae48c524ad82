"""The fetcher against the fictional site: validators, redirects, limits, robots.txt, charsets, manners."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from bot.ingest.web import FEED_TYPES, Fetcher, FetchError, FetchPolicy, decode_body, retry_after
from tests.fakes.news_site import Site

from .conftest import USER_AGENT


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    client = Fetcher(FetchPolicy(user_agent=USER_AGENT, timeout=5.0, max_bytes=2_000_000, max_redirects=5, delay=0.0))
    yield client
    client.close()


def test_an_etag_answers_304_and_the_user_agent_is_honest(fetcher: Fetcher, site: Site) -> None:
    first = fetcher.get(f"{site.base}/news/harbour.html")
    assert first.status == 200 and "up to 15,000 residents" in first.text and first.etag
    again = fetcher.get(f"{site.base}/news/harbour.html", etag=first.etag)
    assert again.not_modified and again.text == ""
    _, headers, status = site.requests[-1]
    assert status == 304 and headers["If-None-Match"] == first.etag and headers["User-Agent"] == USER_AGENT
    site.edit("harbour", "up to 15,000", "up to 7,000")
    assert "up to 7,000" in fetcher.get(f"{site.base}/news/harbour.html", etag=first.etag).text


def test_last_modified_alone_answers_304(fetcher: Fetcher, site: Site) -> None:
    first = fetcher.get(f"{site.base}/plain/orchard.html")
    assert first.etag is None and first.last_modified
    assert fetcher.get(f"{site.base}/plain/orchard.html", last_modified=first.last_modified).not_modified
    assert site.requests[-1][1]["If-Modified-Since"] == first.last_modified


def test_redirect_chains_are_followed_to_the_end_and_bounded(fetcher: Fetcher, site: Site) -> None:
    fetched = fetcher.get(f"{site.base}/moved/3")
    assert fetched.url == f"{site.base}/news/harbour.html" and "Port Averly" in fetched.text
    assert [p for p in site.paths() if p.startswith("/moved/")] == ["/moved/3", "/moved/2", "/moved/1"]
    short = Fetcher(FetchPolicy(user_agent=USER_AGENT, max_redirects=2, delay=0.0))
    with pytest.raises(FetchError, match=r"too many redirects \(more than 2\)"):
        short.get(f"{site.base}/moved/3")


def test_a_redirect_loop_is_refused(fetcher: Fetcher, site: Site) -> None:
    with pytest.raises(FetchError, match="redirect loop"):
        fetcher.get(f"{site.base}/loop/a")
    assert site.paths().count("/loop/a") == 1 and site.paths().count("/loop/b") == 1


def test_429_and_500_are_errors_that_say_when_to_retry(fetcher: Fetcher, site: Site) -> None:
    with pytest.raises(FetchError, match="HTTP 429") as busy:
        fetcher.get(f"{site.base}/busy.html")
    assert busy.value.retry_after == 120 and busy.value.status == 429
    with pytest.raises(FetchError, match="HTTP 500") as broken:
        fetcher.get(f"{site.base}/broken.html")
    assert broken.value.status == 500 and broken.value.retry_after is None
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0 and retry_after("soon") is None


def test_a_slow_response_times_out(site: Site) -> None:
    site.slow_seconds = 5.0
    impatient = Fetcher(FetchPolicy(user_agent=USER_AGENT, timeout=0.5, delay=0.0))
    started = time.perf_counter()
    with pytest.raises(FetchError, match=r"timed out after 0.5 s"):
        impatient.get(f"{site.base}/slow.html")
    impatient.close()
    assert time.perf_counter() - started < 3


def test_a_50_mb_body_is_abandoned_at_the_limit(fetcher: Fetcher, site: Site) -> None:
    started = time.perf_counter()
    with pytest.raises(FetchError, match=r"too large \(more than 2,000,000 bytes; abandoned while reading\)"):
        fetcher.get(f"{site.base}/huge.html")
    assert time.perf_counter() - started < 5  # streaming 50 MB through the parser would take far longer


def test_a_pdf_is_refused_by_its_content_type(fetcher: Fetcher, site: Site) -> None:
    with pytest.raises(FetchError, match="content type application/pdf is not HTML, text, JSON or a feed"):
        fetcher.get(f"{site.base}/report.pdf")
    assert fetcher.get(f"{site.base}/feed.xml", accept=FEED_TYPES).content_type == "application/rss+xml"


def test_robots_txt_is_obeyed_and_read_once(fetcher: Fetcher, site: Site) -> None:
    with pytest.raises(FetchError, match=r"disallowed by robots\.txt"):
        fetcher.get(f"{site.base}/private/memo.html")
    fetcher.get(f"{site.base}/news/orchard.html")
    assert "/private/memo.html" not in site.paths() and site.paths().count("/robots.txt") == 1
    assert fetcher.requests == 2  # robots.txt and the orchard page


def test_the_charset_comes_from_the_header_or_the_meta(fetcher: Fetcher, site: Site) -> None:
    page = fetcher.get(f"{site.base}/latin1.html")  # cp1252 bytes; only <meta charset> says so
    assert "café on Quay Street" in page.text and "Zoë Marsh" in page.text
    assert decode_body("é".encode("cp1252"), "text/html; charset=windows-1252") == "é"
    assert decode_body("é".encode(), "text/html") == "é"


def test_requests_to_one_host_are_limited_and_spaced() -> None:
    slept: list[float] = []
    polite = Fetcher(FetchPolicy(user_agent=USER_AGENT, delay=5.0, obey_robots=False), sleep=slept.append)
    for _ in range(3):
        with polite._gate("http://127.0.0.1:9/"):
            pass
    assert len(slept) == 2 and slept[0] == pytest.approx(5.0, abs=0.1) and slept[1] == pytest.approx(10.0, abs=0.1)


def test_at_most_per_host_requests_at_once(site: Site) -> None:
    site.slow_seconds = 0.3
    one_at_a_time = Fetcher(FetchPolicy(user_agent=USER_AGENT, timeout=2.0, per_host=1, delay=0.0))
    one_at_a_time.get(f"{site.base}/robots.txt", accept=("text/plain",))  # robots.txt read first
    started = time.perf_counter()
    threads = [threading.Thread(target=one_at_a_time.get, args=(f"{site.base}/slow.html",)) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert time.perf_counter() - started >= 0.85  # three 0.3 s responses, one after another

"""The watcher over the fictional site: articles arrive once, edits become versions, failures are named.

Every page and feed is the fictional site's (tests/fakes/news_site.py).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.errors import BusyError, NotFoundError, UnreadableSourceError
from bot.index.embedder import HashEmbedder
from bot.index.sources import SourceStore
from bot.ingest.watch import RoundReport, watch
from bot.service import Whosaid
from tests.fakes.news_site import Site

from .conftest import SaidClaims, web_settings


def harbour(web: Whosaid, site: Site) -> str:
    [found] = [a.id for a in web.articles() if a.source == f"{site.base}/news/harbour.html"]
    return found


def test_sources_are_detected_and_what_is_not_a_listing_is_refused(web: Whosaid, site: Site) -> None:
    kinds = [web.add_source(f"{site.base}/{name}")[0].kind for name in ("feed.xml", "atom.xml", "sitemap.xml")]
    assert kinds == ["feed", "feed", "sitemap"]
    again, new = web.add_source(f"{site.base}/feed.xml", interval=60)
    assert not new and again.interval == 60 and len(web.sources.all()) == 3
    with pytest.raises(UnreadableSourceError, match="not an RSS or Atom feed, nor a sitemap"):
        web.add_source(f"{site.base}/not-a-feed.html")
    with pytest.raises(UnreadableSourceError, match="HTTP 404"):
        web.add_source(f"{site.base}/missing.xml")
    web.remove_source(f"{site.base}/atom.xml")
    with pytest.raises(NotFoundError):
        web.remove_source(f"{site.base}/atom.xml")


def test_a_url_in_two_feeds_is_one_article_and_unchanged_feeds_cost_one_request_each(
    web: Whosaid, site: Site
) -> None:
    web.add_source(f"{site.base}/feed.xml")
    web.add_source(f"{site.base}/atom.xml")
    first = web.watcher.run_round(every_source=True)
    assert (first.sources, first.new, first.failed) == (2, 3, 0)  # harbour (in both), orchard, museum
    assert site.paths(200).count("/news/harbour.html") == 1
    assert sorted(a.source.rsplit("/", 1)[1] for a in web.articles()) == ["harbour.html", "museum.html", "orchard.html"]
    site.requests.clear()
    second = web.watcher.run_round(every_source=True)
    assert (second.unchanged_sources, second.pages, second.requests) == (2, 0, 2)
    assert site.paths(304) == ["/feed.xml", "/atom.xml"]
    assert {s.status for s in web.sources.all()} == {"unchanged"} and web.sources.all()[0].items == 2


def test_an_edit_becomes_a_version_with_a_claim_diff_and_removal_takes_every_version(
    web: Whosaid, site: Site
) -> None:
    web.add_source(f"{site.base}/feed.xml")
    first = web.watcher.run_round(every_source=True)
    assert (first.new, first.failures) == (2, [])
    old = harbour(web, site)
    site.edit("harbour", "up to 15,000", "up to 7,000")
    site.edit("harbour", "Harbour master Tomas Quill said the ferry", "Harbour master Tomas Quill said that the ferry")
    site.requests.clear()
    round_ = web.watcher.run_round(every_source=True)
    assert (round_.updated, round_.new) == (1, 0)
    assert site.paths() == ["/feed.xml", "/news/harbour.html"]  # the orchard's feed stamp is unchanged
    new = harbour(web, site)
    history = web.versions(new)
    assert [(v.article.id, v.current) for v, _ in history] == [(old, False), (new, True)]
    assert web.versions(old) == history  # any version's id names the article
    # "said that" only moved the cue: that claim is the same, so the one change is the figure
    assert [(c.kind, c.summary) for c in history[1][1]] == [
        ("figure", "'up to 15,000' became 'up to 7,000' (Mayor Ada Brill)")]
    assert old not in {hit.article_id for hit in web.search("displaced up to 15,000 residents", k=10)}
    assert web.claims(article_id=old) == [] and len(history[0][0].claims) == 2  # history keeps its claims
    assert sorted(web.remove(new)) == sorted([old, new])
    assert not any(v.startswith((old, new)) for v in web.chunk_vectors.ids())
    with pytest.raises(NotFoundError):
        web.versions(old)


def test_failures_are_named_retried_later_and_never_stop_the_round(tmp_path: Path, site: Site) -> None:
    web = Whosaid(web_settings(tmp_path / "data", fetch_timeout_seconds=1.5), embedder=HashEmbedder(),
                  extractor=SaidClaims())
    site.slow_seconds = 4.0
    site.extra_feed_links = ["/busy.html", "/broken.html", "/report.pdf", "/private/memo.html", "/slow.html",
                             "/huge.html", "/loop/a", "/moved/2"]
    web.add_source(f"{site.base}/feed.xml")
    report = web.watcher.run_round(every_source=True)
    reasons = dict(report.failures)
    assert report.new == 2 and report.failed == 7 and report.unchanged == 1  # /moved/2 is the harbour story
    assert reasons[f"{site.base}/busy.html"] == "HTTP 429 (retry after 120 s)"
    assert reasons[f"{site.base}/broken.html"] == "HTTP 500"
    assert reasons[f"{site.base}/private/memo.html"] == "disallowed by robots.txt"
    assert "timed out" in reasons[f"{site.base}/slow.html"] and "too large" in reasons[f"{site.base}/huge.html"]
    assert "application/pdf" in reasons[f"{site.base}/report.pdf"] and "loop" in reasons[f"{site.base}/loop/a"]
    page = web.sources.pages([f"{site.base}/broken.html"])[f"{site.base}/broken.html"]
    assert (page.status, page.error, page.failures) == ("error", "HTTP 500", 1)
    site.requests.clear()
    time.sleep(0.01)
    again = web.watcher.run_round(every_source=True)
    retried = set(site.paths())
    assert "/broken.html" in retried and "/busy.html" not in retried  # 429 asked for two minutes
    assert again.failed == 6 and len(web.articles()) == 2


def test_a_page_that_does_not_parse_is_recorded_with_its_reason(web: Whosaid, site: Site) -> None:
    site.extra_feed_links = ["/blank.html"]
    web.add_source(f"{site.base}/feed.xml")
    report = web.watcher.run_round(every_source=True)
    assert report.new == 2 and dict(report.failures) == {f"{site.base}/blank.html": "empty text"}
    page = web.sources.pages([f"{site.base}/blank.html"])[f"{site.base}/blank.html"]
    assert (page.status, page.error) == ("error", "empty text")


def test_a_feed_answering_429_backs_off_as_long_as_it_asked(web: Whosaid, site: Site) -> None:
    web.sources.add(f"{site.base}/busy.html", kind="feed", interval=1.0)
    web.watcher.run_round()
    [source] = web.sources.all()
    assert source.status == "backoff" and source.error == "HTTP 429 (retry after 120 s)"
    assert source.next_due >= time.time() + 110
    site.requests.clear()
    web.watcher.run_round(every_source=True)  # --once keeps a backoff
    assert site.paths() == []


def test_ingest_urls_takes_the_canonical_url_and_its_metadata(web: Whosaid, site: Site) -> None:
    report = web.ingest_urls([f"{site.base}/news/museum.html?from=feed", f"{site.base}/report.pdf"])
    assert (report.new, report.failed) == (1, 1)
    [article] = web.articles()
    assert article.source == article.url == f"{site.base}/news/museum.html"
    assert (article.title, article.publisher, article.author) == (
        "Museum of Tides reopens (fictional)", "Averly Gazette", "Fictional Desk")
    assert article.published == "2024-03-07"
    again = web.ingest_urls([f"{site.base}/news/museum.html?from=feed"])
    assert again.unchanged == 1 and site.requests[-1][2] == 304


def test_one_watcher_per_database(tmp_path: Path, web: Whosaid, site: Site) -> None:
    store = SourceStore(web.records.engine)
    assert store.take_lease("watch", holder="server-a", seconds=60, now=1000.0)
    assert not store.take_lease("watch", holder="server-b", seconds=60, now=1030.0)
    assert store.take_lease("watch", holder="server-a", seconds=60, now=1030.0)  # renewed
    assert store.take_lease("watch", holder="server-b", seconds=60, now=1091.0)  # a's lapsed
    store.release_lease("watch", holder="server-a")  # not a's any more: nothing happens
    assert store.lease_holder("watch", now=1100.0) == "server-b"
    store.release_lease("watch", holder="server-b")
    web.add_source(f"{site.base}/feed.xml")
    assert store.take_lease("watch", holder="server-c", seconds=60)
    with pytest.raises(BusyError, match=r"Another watcher \(server-c\) is polling this database"):
        watch(web.watcher, holder="me", lease_seconds=60, stop=threading.Event(), on_round=print,
              on_wait=print, once=True)


def test_a_second_watcher_waits_for_the_lease_and_takes_over_when_the_first_stops(
    tmp_path: Path, web: Whosaid, site: Site
) -> None:
    web.add_source(f"{site.base}/atom.xml", interval=0.2)
    other = Whosaid(web_settings(web.settings.data_dir), embedder=HashEmbedder(), extractor=SaidClaims())
    rounds: dict[str, list[RoundReport]] = {"a": [], "b": []}
    waits: list[str] = []
    stops = {"a": threading.Event(), "b": threading.Event()}

    def run(name: str, service: Whosaid) -> threading.Thread:
        thread = threading.Thread(target=watch, args=(service.watcher,), kwargs={
            "holder": name, "lease_seconds": 1.0, "stop": stops[name], "on_round": rounds[name].append,
            "on_wait": waits.append})
        thread.start()
        return thread

    def until(condition: Callable[[], bool]) -> None:
        deadline = time.monotonic() + 10
        while not condition():
            assert time.monotonic() < deadline
            time.sleep(0.02)

    first = run("a", web)
    until(lambda: len(rounds["a"]) >= 2)
    second = run("b", other)
    until(lambda: waits == ["a"])
    assert rounds["b"] == [] and rounds["a"][0].new == 2
    stops["a"].set()
    first.join()
    until(lambda: len(rounds["b"]) >= 1)  # released at once, taken over without waiting for expiry
    stops["b"].set()
    second.join()
    assert all(r.sources == 1 for r in rounds["a"] + rounds["b"])  # a wake-up that only renews is no round
    assert len(web.articles()) == 2

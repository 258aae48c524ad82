"""Hybrid retrieval: fusion, filters, and the join back to ready records."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import InvalidQueryError
from bot.index.retrieval import reciprocal_rank_fusion, vector_where
from bot.model import SearchFilters
from bot.service import Whosaid


def test_rrf_rewards_agreement_between_rankings() -> None:
    fused = dict(reciprocal_rank_fusion([["a", "b", "c"], ["b", "c", "a"]]))
    assert max(fused, key=lambda k: fused[k]) == "b"
    assert fused["b"] == pytest.approx(1 / 62 + 1 / 61)


def test_filters_translate_to_the_vector_store_syntax() -> None:
    assert vector_where(None) is None
    assert vector_where(SearchFilters(publisher="X")) == {"publisher": "X"}
    assert vector_where(SearchFilters(published_from="2026-01-02", published_to="2026-03-04")) == {
        "$and": [{"published_day": {"$gte": 20260102}}, {"published_day": {"$lte": 20260304}}]
    }


@pytest.fixture
def ingested(service: Whosaid, corpus: Path) -> Whosaid:
    service.ingest([corpus])
    return service


def test_search_finds_the_passage_with_exact_offsets(ingested: Whosaid) -> None:
    hits = ingested.search("steel cables lost strength", k=3)
    assert "steel cables" in hits[0].text
    article = ingested.article(hits[0].article_id)
    assert all(ingested.article(h.article_id).text[h.start : h.end] == h.text for h in hits)
    assert article.source.endswith("harbor-bridge.txt")
    assert hits == sorted(hits, key=lambda h: -h.score)


def test_filters_by_article_publisher_and_date(ingested: Whosaid) -> None:
    tram = next(a for a in ingested.articles() if a.title == "Tram line opens early")
    only = ingested.search("budget tram bridge", k=10, filters=SearchFilters(article_ids=(tram.id,)))
    assert only and {h.article_id for h in only} == {tram.id}
    courier = ingested.search("tram library", k=10, filters=SearchFilters(publisher="Northern Courier"))
    assert courier and {h.title for h in courier} == {"Library budget cut"}
    april = SearchFilters(published_from="2026-04-01", published_to="2026-04-30")
    assert {h.title for h in ingested.search("tram library", k=10, filters=april)} == {"Library budget cut"}
    later = ingested.search("museum library", k=10, filters=SearchFilters(published_from="2026-04-01"))
    assert {h.title for h in later} == {"Library budget cut", "Museum reopens after flood repairs"}
    march = ingested.search("tram library", k=10, filters=SearchFilters(published_to="2026-03-31"))
    assert {h.title for h in march} == {"Tram line opens early"}


def test_an_empty_index_returns_no_hits(service: Whosaid) -> None:
    assert service.search("anything at all") == []


@pytest.mark.parametrize("bad", ["", "   ", "?!…", "x" * 2001, "a\x00b"])
def test_meaningless_search_text_is_refused(service: Whosaid, bad: str) -> None:
    with pytest.raises(InvalidQueryError):
        service.search(bad)

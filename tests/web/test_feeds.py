"""Feeds and sitemaps of the fictional site, read into article URLs."""

from __future__ import annotations

import re

import pytest

from bot.ingest.feeds import NotAListing, parse_listing
from tests.fakes.news_site import Site


def test_rss_atom_and_a_sitemap_list_their_articles(site: Site) -> None:
    rss = parse_listing(site.rss().encode(), url=f"{site.base}/feed.xml")
    assert rss.kind == "feed" and [i.url for i in rss.items] == [
        f"{site.base}/news/harbour.html", f"{site.base}/news/orchard.html"]
    assert all(i.stamp for i in rss.items)
    atom = parse_listing(site.atom().encode(), url=f"{site.base}/atom.xml")
    assert atom.kind == "feed" and atom.items[0].url == f"{site.base}/news/harbour.html"
    sitemap = parse_listing(site.sitemap().encode(), url=f"{site.base}/sitemap.xml")
    assert sitemap.kind == "sitemap" and len(sitemap.items) == 3


def test_relative_links_resolve_and_repeats_and_other_schemes_go() -> None:
    body = (b'<rss version="2.0"><channel><title>Fictional</title>'
            b"<item><link>/a.html#top</link></item><item><link>/a.html</link></item>"
            b"<item><link>javascript:alert(1)</link></item></channel></rss>")
    listing = parse_listing(body, url="http://news.example/feeds/all.xml")
    assert [i.url for i in listing.items] == ["http://news.example/a.html"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [(b"<html><body><p>A page (fictional).</p></body></html>", "not an RSS or Atom feed, nor a sitemap"),
     (b"%PDF-1.4", "not a feed or a sitemap (not XML)")],
)
def test_what_is_not_a_listing_is_named(body: bytes, reason: str) -> None:
    with pytest.raises(NotAListing, match=re.escape(reason)):
        parse_listing(body, url="http://news.example/x")


def test_entities_are_never_expanded() -> None:
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
            b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://news.example/&lol2;</loc></url>'
            b"</urlset>")
    listing = parse_listing(bomb, url="http://news.example/sitemap.xml")
    assert all("lollol" not in i.url for i in listing.items)

"""Feeds and sitemaps -> the article URLs they list (RSS and Atom with feedparser, sitemaps with lxml).

``parse_listing`` decides what a body is: a sitemap (``<urlset>``, or a ``<sitemapindex>`` naming
other sitemaps), else an RSS or Atom feed, else ``NotAListing``. Each item keeps the stamp
its listing gives (an entry's updated or published date, a sitemap's ``<lastmod>``): an
unchanged stamp lets the watcher skip a page it already holds.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urljoin

from bot.model import web_url

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
MAX_ITEMS = 1000  # per listing: a runaway sitemap cannot fill a round

ListingKind = Literal["feed", "sitemap", "sitemapindex"]


class NotAListing(Exception):  # noqa: N818 - a signal with a reason, like SkipFile
    """The body is neither a feed nor a sitemap; the message says what it is."""


@dataclass(frozen=True, slots=True)
class Item:
    """An article URL a listing names, with its stamp (``None`` when the listing gives none)."""

    url: str
    stamp: str | None = None


@dataclass(frozen=True, slots=True)
class Listing:
    """What a feed or sitemap lists: article URLs, or (a sitemap index) further sitemaps."""

    kind: ListingKind
    title: str
    items: tuple[Item, ...]


def parse_listing(body: bytes, *, url: str) -> Listing:
    """The items of a feed or sitemap at ``url`` (relative links resolved), or ``NotAListing``."""
    root = _xml_root(body)
    if root is not None and root.tag in (f"{SITEMAP_NS}urlset", f"{SITEMAP_NS}sitemapindex", "urlset", "sitemapindex"):
        return _sitemap(root, url=url)
    return _feed(body, url=url)


def _xml_root(body: bytes) -> Any:
    from lxml import etree  # trafilatura's dependency; never resolves entities or fetches DTDs

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)
    try:
        return etree.fromstring(body.lstrip(), parser=parser)
    except etree.XMLSyntaxError:
        return None


def _sitemap(root: Any, *, url: str) -> Listing:
    index = root.tag.endswith("sitemapindex")
    child = "sitemap" if index else "url"
    items: list[Item] = []
    for entry in root:
        if not isinstance(entry.tag, str) or not entry.tag.endswith(child):
            continue
        loc = _child_text(entry, "loc")
        target = web_url(urljoin(url, loc)) if loc else None
        if target:
            items.append(Item(url=target.split("#")[0], stamp=_child_text(entry, "lastmod")))
    return Listing(kind="sitemapindex" if index else "sitemap", title=url, items=_distinct(items))


def _child_text(entry: Any, name: str) -> str | None:
    for node in entry:
        if isinstance(node.tag, str) and node.tag.rsplit("}", 1)[-1] == name and node.text:
            return str(node.text).strip() or None
    return None


def _feed(body: bytes, *, url: str) -> Listing:
    import feedparser  # only for sources

    # A stream, never the bytes themselves: feedparser would open a string that looks like a URL or a path.
    parsed: Any = feedparser.parse(io.BytesIO(body), response_headers={"content-location": url})
    if not parsed.get("version"):
        if body.lstrip()[:1] != b"<":
            raise NotAListing("not a feed or a sitemap (not XML)")
        raise NotAListing("not an RSS or Atom feed, nor a sitemap")
    items = []
    for entry in parsed.entries:
        link = web_url(urljoin(url, entry.get("link") or ""))
        if link:
            # dict.get: FeedParserDict would map a missing "updated" to "published" with a DeprecationWarning
            stamp = dict.get(entry, "updated") or dict.get(entry, "published")
            items.append(Item(url=link.split("#")[0], stamp=str(stamp) if stamp else None))
    return Listing(kind="feed", title=str(parsed.feed.get("title") or url), items=_distinct(items))


def _distinct(items: list[Item]) -> tuple[Item, ...]:
    """Each URL once (its first entry), at most ``MAX_ITEMS``."""
    seen: dict[str, Item] = {}
    for item in items:
        seen.setdefault(item.url, item)
    return tuple(seen.values())[:MAX_ITEMS]

"""The sources over the CLI and HTTP, a killed watcher, and an answer citing a replaced version.

Every page and feed is the fictional site's (tests/fakes/news_site.py).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from bot.api.app import create_app
from bot.index.embedder import HashEmbedder
from bot.index.retrieval import HybridRetriever
from bot.ingest.loaders import Document
from bot.model import SearchHit
from bot.service import Whosaid
from tests.api.conftest import ADMIN_KEY, KEYS, WIDGET_KEY
from tests.fakes.news_site import Site

from .conftest import SaidClaims, web_settings

ENV = {"WHOSAID_EMBEDDING_MODEL": "hash", "WHOSAID_EXTRACT_CLAIMS": "false", "WHOSAID_FETCH_DELAY_SECONDS": "0",
       "WHOSAID_FETCH_TIMEOUT_SECONDS": "5"}


def whosaid(*args: str, data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("WHOSAID_")}
    return subprocess.run([sys.executable, "-m", "bot", *args, "--data-dir", str(data_dir)], capture_output=True,
                          text=True, env={**clean, **ENV, **env}, timeout=120, check=False)


def test_the_commands_add_watch_list_and_show_versions(site: Site, tmp_path: Path) -> None:
    data = tmp_path / "d"
    site.extra_feed_links = ["/broken.html"]
    added = whosaid("sources", "add", f"{site.base}/feed.xml", "--every", "15m", data_dir=data)
    assert added.stdout.strip() == f"added feed {site.base}/feed.xml (every 900 s)", added.stderr
    first = whosaid("watch", "--once", data_dir=data)
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[0].startswith(
        "round 1: 1 source(s) polled (0 unchanged), 3 page(s) fetched: 2 new, 0 updated, 0 unchanged, 1 failed;")
    assert f"  failed {site.base}/broken.html: HTTP 500" in first.stdout
    site.edit("harbour", "up to 15,000", "up to 7,000")
    second = whosaid("watch", "--once", data_dir=data)
    assert ": 0 new, 1 updated, 0 unchanged, 0 failed;" in second.stdout  # the 500 is retried in 10 minutes
    listed = whosaid("sources", "list", data_dir=data).stdout
    assert f"{site.base}/feed.xml  [feed, every 15 min, 3 listed]  last " in listed and ": ok" in listed
    articles = whosaid("articles", data_dir=data).stdout
    harbour = next(line.split()[0] for line in articles.splitlines() if "harbour" in line)
    shown = whosaid("show", harbour, "--versions", data_dir=data)
    lines = shown.stdout.splitlines()
    assert lines[0].startswith("v1 ") and "replaced" in lines[0] and lines[1].startswith(f"v2 {harbour}")
    assert "current" in lines[1] and lines[2:] == ["    text changed; no claim changed"]  # claims are off here
    pages = whosaid("ingest", f"{site.base}/news/museum.html", f"{site.base}/report.pdf", data_dir=data)
    assert pages.returncode == 1 and pages.stdout.startswith("articles: 1 new, 0 updated, 0 unchanged, 1 failed;")
    assert f"skipped {site.base}/report.pdf: content type application/pdf" in pages.stderr
    assert whosaid("watch", data_dir=tmp_path / "empty").returncode == 2


def test_a_killed_watcher_loses_nothing_and_refetches_nothing_unchanged(site: Site, tmp_path: Path) -> None:
    data = tmp_path / "d"
    site.extra_feed_links = ["/slow.html"]  # holds the round open after the articles are in
    site.slow_seconds = 30
    assert whosaid("sources", "add", f"{site.base}/feed.xml", data_dir=data).returncode == 0
    clean = {k: v for k, v in os.environ.items() if not k.startswith("WHOSAID_")}
    process = subprocess.Popen([sys.executable, "-m", "bot", "watch", "--data-dir", str(data)],
                               env={**clean, **ENV, "WHOSAID_FETCH_TIMEOUT_SECONDS": "60"},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    service = Whosaid(web_settings(data), embedder=HashEmbedder(), extractor=SaidClaims())
    try:
        deadline = time.monotonic() + 60
        while len(service.sources.pages([f"{site.base}/news/harbour.html", f"{site.base}/news/orchard.html"])) < 2:
            assert time.monotonic() < deadline and process.poll() is None
            time.sleep(0.1)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    site.slow_seconds = 0.0
    before = {a.id for a in service.articles()}
    report = service.watcher.run_round(every_source=True)
    after = [a.source for a in service.articles()]
    assert len(before) == 2 and before < {a.id for a in service.articles()}  # nothing lost
    assert sorted(after) == sorted(set(after)) and len(after) == 3  # nothing doubled: the slow page came in
    assert (report.pages, report.new) == (1, 1)  # the two articles already in were not asked for again
    assert site.paths(200).count("/news/harbour.html") == 1 and site.paths(200).count("/news/orchard.html") == 1


def test_sources_and_versions_over_http(web: Whosaid, site: Site) -> None:
    settings = web_settings(web.settings.data_dir, **KEYS)
    with TestClient(create_app(settings, service=web), base_url="http://127.0.0.1") as client:
        admin = {"X-Whosaid-Key": ADMIN_KEY}
        assert client.get("/v1/sources").status_code == 401
        assert client.get("/v1/sources", headers={"X-Whosaid-Key": WIDGET_KEY}).status_code == 403
        added = client.post("/v1/sources", json={"url": f"{site.base}/feed.xml", "interval_seconds": 60},
                            headers=admin)
        assert added.status_code == 201 and added.json()["source"]["kind"] == "feed" and added.json()["added"]
        refused = client.post("/v1/sources", json={"url": f"{site.base}/not-a-feed.html"}, headers=admin)
        assert refused.status_code == 422 and "not an RSS or Atom feed" in refused.json()["error"]
        web.watcher.run_round(every_source=True)
        [listed] = client.get("/v1/sources", headers=admin).json()["sources"]
        assert (listed["status"], listed["items"], listed["error"]) == ("ok", 2, None)
        site.edit("harbour", "up to 15,000", "up to 7,000")
        web.watcher.run_round(every_source=True)
        current = next(a.id for a in web.articles() if "harbour" in a.source)
        versions = client.get(f"/v1/articles/{current}/versions", headers=admin).json()["versions"]
        assert [v["current"] for v in versions] == [False, True]
        assert versions[1]["changes"][0]["summary"] == "'up to 15,000' became 'up to 7,000' (Mayor Ada Brill)"
        assert client.get("/v1/articles/0123456789abcdef/versions", headers=admin).status_code == 404
        assert client.delete("/v1/sources", params={"url": f"{site.base}/feed.xml"}, headers=admin).json() == {
            "removed": f"{site.base}/feed.xml"}
        assert client.delete("/v1/sources", params={"url": f"{site.base}/feed.xml"}, headers=admin).status_code == 404


class EditingRetriever(HybridRetriever):
    """Retrieves, then has the article edited at its source (another writer), once."""

    def __init__(self, service: Whosaid, edit: Document, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.service, self.edit, self.done = service, edit, False

    def search(self, query: str, *, k: int = 5, filters: Any = None, vector: Sequence[float] | None = None,
               ) -> list[SearchHit]:
        hits = super().search(query, k=k, filters=filters, vector=vector)
        if not self.done:
            self.done = True
            self.service.ingest_documents([self.edit])
        return hits


def test_an_answer_citing_a_replaced_version_says_so(web: Whosaid, tmp_path: Path) -> None:
    from bot.answer.chain import AnswerChain
    from bot.index.lexical import LexicalIndex

    text = "Port Averly (fictional). The ferry will not run before Friday, the harbour office wrote."
    source = "http://news.example/ferry"
    web.ingest_documents([Document(source=source, title="Ferry (fictional)", text=text, url=source)])
    edited = Document(source=source, title="Ferry (fictional)", text=text.replace("Friday", "Monday"), url=source)
    retriever = EditingRetriever(web, edited, embedder=web.embedder, vectors=web.chunk_vectors, records=web.records,
                                 lexical=LexicalIndex(web.records, tmp_path / "lexical"))
    web.__dict__["chain"] = AnswerChain(records=web.records, retriever=retriever, claim_vectors=web.claim_vectors,
                                        embedder=web.embedder)
    answer = web.ask("Will the ferry run before Friday?")
    [current] = [a.id for a in web.articles()]
    assert answer.citations and {c.superseded_by for c in answer.citations} == {current}
    assert answer.to_dict()["citations"][0]["superseded_by"] == current
    assert all(c.article_id != current for c in answer.citations)

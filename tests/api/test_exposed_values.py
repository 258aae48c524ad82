"""What reaches clients: only http(s) links, and sources that never show the server's folders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.config import Settings
from bot.index.embedder import HashEmbedder
from bot.model import shown_source, web_url
from bot.service import Whosaid

from ..conftest import FIXTURES, NoClaims
from .conftest import ADMIN_KEY, KEYS, QUESTION, MakeClient, fake_service

ADMIN = {"X-Whosaid-Key": ADMIN_KEY}
STORY = "Tram line opens in Kessingford\n\nThe new tram line in Kessingford opens on Monday, the council said."


@pytest.mark.parametrize("url", ["javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,<b>x</b>",
                                 "file:///etc/passwd", "//evil.example/x", "http://"])
def test_ingest_refuses_a_link_that_is_not_http(make_client: MakeClient, tmp_path: Path, url: str) -> None:
    app = make_client(service=fake_service(tmp_path / "data"), **KEYS)
    article = {"text": STORY, "url": "https://news.example/tram"}
    kept = app.post("/v1/ingest", json={"articles": [article]}, headers=ADMIN)
    assert kept.status_code == 200
    refused = app.post("/v1/ingest", json={"articles": [{"text": STORY + " More.", "url": url}]}, headers=ADMIN)
    assert refused.status_code == 422
    assert refused.json() == {
        "error": "The field 'articles.0.url' is invalid: only http:// and https:// URLs are accepted."
    }
    article = app.get(f"/v1/articles/{kept.json()['article_ids'][0]}", headers=ADMIN).json()
    assert article["url"] == "https://news.example/tram"  # nothing already ingested was lost


def test_a_json_record_with_a_script_link_is_skipped(service: Whosaid, tmp_path: Path) -> None:
    wire = tmp_path / "wire.jsonl"
    wire.write_text(json.dumps({"text": STORY, "url": "javascript:alert(1)"}) + "\n", encoding="utf-8")
    report = service.ingest([wire])
    assert report.failures == [(str(wire), "record 1 has a url that is not http:// or https://")]


def test_links_and_sources_shown_to_clients() -> None:
    assert web_url("javascript:alert(1)") is None and web_url("https://a.example/x") == "https://a.example/x"
    assert shown_source("/srv/whosaid/news/2024/tram.txt") == "tram.txt"
    assert shown_source("/srv/whosaid/news/2024/tram.txt", root=Path("/srv/whosaid/news")) == "2024/tram.txt"
    assert shown_source("/srv/other/tram.txt", root=Path("/srv/whosaid/news")) == "tram.txt"
    assert shown_source("/srv/whosaid/news/../secret/tram.txt", root=Path("/srv/whosaid/news")) == "tram.txt"
    assert shown_source("../../home/editor/tram.txt") == "tram.txt"
    assert shown_source("/srv/wire.jsonl#3") == "wire.jsonl#3"
    for kept in ("seeds/tram.txt", "https://news.example/tram", "api:tram-line-opens"):
        assert shown_source(kept) == kept


@pytest.mark.parametrize(("root", "shown"), [(None, "harbor-bridge.txt"), ("corpus", "news/harbor-bridge.txt")])
def test_citations_of_a_file_ingested_by_absolute_path_hide_the_server_layout(
    make_client: MakeClient, tmp_path: Path, root: str | None, shown: str
) -> None:
    folder = tmp_path / "corpus" / "news"
    folder.mkdir(parents=True)
    (folder / "harbor-bridge.txt").write_text((FIXTURES / "harbor-bridge.txt").read_text(encoding="utf-8"))
    settings = Settings(
        data_dir=tmp_path / "data", embedding_model="hash", extract_claims=False,
        source_root=tmp_path / root if root else None,
    )
    service = Whosaid(settings, embedder=HashEmbedder(), extractor=NoClaims())
    service.ingest([folder.absolute() / "harbor-bridge.txt"])
    app = make_client(service=service)
    answer = app.post("/v1/ask", json={"question": QUESTION}).json()
    assert answer["citations"] and {c["source"] for c in answer["citations"]} == {shown}
    article = app.get(f"/v1/articles/{answer['citations'][0]['article_id']}").json()
    assert article["source"] == shown and str(tmp_path) not in json.dumps(answer)

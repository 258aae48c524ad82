"""Articles, claims, ingest and delete over HTTP; probes; the demo page and the widget's files."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.config import Settings
from bot.index.embedder import HashEmbedder
from bot.model import Claim
from bot.service import Whosaid

from .conftest import ADMIN_KEY, KEYS, QUESTION, MakeClient, fake_service

ADMIN = {"X-Whosaid-Key": ADMIN_KEY}
FERRY = (  # fictional, written for this test
    "Ferry strike ends in Port Averly\n\nThe ferry strike in Port Averly is over, union leader Mara Velt said on "
    "Friday. Crossings resume on Monday at the usual times."
)


class SaidClaims:
    """A fake extractor: one claim per 'X said' in a text (speaker = the two words before 'said')."""

    def extract_many(self, texts: Iterable[str]) -> Iterator[list[Claim]]:
        for text in texts:
            found = []
            for match in re.finditer(r"(\w+ \w+) (said)", text):
                sentence_start = text.rfind("\n", 0, match.start()) + 1
                found.append(Claim(
                    speaker=match.group(1), speaker_mention=match.group(1), source_span=match.span(1),
                    cue="said", cue_span=match.span(2), content=text[sentence_start : match.start()].strip(" ,"),
                    content_spans=((sentence_start, match.start() - 2),), kind="indirect", stance="asserts",
                ))
            yield found


@pytest.fixture
def writable(tmp_path: Path) -> Whosaid:
    settings = Settings(data_dir=tmp_path / "data", embedding_model="hash", slack_bot_token=None)
    return Whosaid(settings, embedder=HashEmbedder(), extractor=SaidClaims())


def test_an_article_by_id(client: TestClient, indexed: Whosaid) -> None:
    article = indexed.articles()[0]
    shown = client.get(f"/v1/articles/{article.id}").json()
    assert shown == {
        "id": article.id, "title": article.title, "source": Path(article.source).name, "url": article.url,
        "published": article.published, "publisher": article.publisher, "author": article.author, "text": article.text,
    }


@pytest.mark.parametrize(
    ("path", "statuses"),
    [
        ("/v1/articles/0123456789abcdef", {404}),
        ("/v1/articles/..%2F..%2Fetc%2Fpasswd", {400, 404}),
        ("/v1/articles/%2e%2e", {400, 404}),
        ("/v1/articles/ABCDEF0123", {400}),
        ("/v1/articles/abc", {400}),
        ("/v1/articles/" + "a" * 65, {400}),
    ],
)
def test_unknown_or_malformed_article_ids(client: TestClient, path: str, statuses: set[int]) -> None:
    response = client.get(path)
    assert response.status_code in statuses
    assert list(response.json()) == ["error"]
    assert "root:" not in response.text  # never a file's contents


def test_ingest_claims_and_delete_over_http(make_client: MakeClient, writable: Whosaid) -> None:
    app = make_client(service=writable, **KEYS)
    articles = [
        {"text": FERRY, "url": "https://example.test/ferry", "published": "2026-04-03", "publisher": "Averly Ledger"},
        {"text": "Binary\x00junk", "title": "Broken upload"},
        {"text": "Lone \ud800 surrogate", "title": "Bad unicode"},
    ]
    # ASCII-escaped JSON, as a client may send it: "\ud800" reaches the server as a lone surrogate.
    body = json.dumps({"articles": articles}).encode()
    report = app.post("/v1/ingest", content=body, headers={**ADMIN, "Content-Type": "application/json"}).json()
    assert report["added"] == 1 and report["replaced"] == 0 and report["unchanged"] == 0
    assert report["skipped"] == [
        {"source": "api:broken-upload", "reason": "binary text (contains NUL characters)"},
        {"source": "api:bad-unicode", "reason": "text contains invalid Unicode (a lone surrogate escape)"},
    ]
    [article_id] = report["article_ids"]
    shown = app.get(f"/v1/articles/{article_id}", headers=ADMIN).json()
    assert shown["text"] == FERRY and shown["source"] == "https://example.test/ferry"
    assert shown["title"] == "Ferry strike ends in Port Averly" and shown["published"] == "2026-04-03"

    claims = app.get("/v1/claims", params={"speaker": "Mara Velt"}, headers=ADMIN).json()["claims"]
    assert [c["speaker"] for c in claims] == ["Mara Velt"]
    assert claims[0]["article_title"] == "Ferry strike ends in Port Averly" and claims[0]["article_id"] == article_id
    about = app.get("/v1/claims", params={"about": "ferry strike", "limit": 1}, headers=ADMIN).json()["claims"]
    assert len(about) == 1 and about[0]["article_id"] == article_id

    again = app.post("/v1/ingest", json={"articles": articles[:1]}, headers=ADMIN).json()
    assert (again["added"], again["unchanged"], again["article_ids"]) == (0, 1, [article_id])
    changed = {**articles[0], "text": FERRY.replace("Monday", "Tuesday")}
    replaced = app.post("/v1/ingest", json={"articles": [changed]}, headers=ADMIN).json()
    assert replaced["replaced"] == 1 and replaced["article_ids"] != [article_id]
    assert app.get(f"/v1/articles/{article_id}", headers=ADMIN).status_code == 404  # the old version is history

    [new_id] = replaced["article_ids"]
    versions = app.get(f"/v1/articles/{new_id}/versions", headers=ADMIN).json()["versions"]
    assert [(v["id"], v["current"]) for v in versions] == [(article_id, False), (new_id, True)]
    removed = app.delete(f"/v1/articles/{new_id}", headers=ADMIN).json()["removed"]
    assert sorted(removed) == sorted([article_id, new_id])  # every version goes
    assert app.get(f"/v1/articles/{new_id}", headers=ADMIN).status_code == 404
    assert app.delete(f"/v1/articles/{new_id}", headers=ADMIN).status_code == 404
    assert writable.articles() == []


def test_ingest_while_another_writer_holds_the_lock_is_503(make_client: MakeClient, tmp_path: Path) -> None:
    from filelock import FileLock

    service = fake_service(tmp_path / "data")
    app = make_client(service=Whosaid(service.settings.model_copy(update={"lock_timeout_seconds": 0.1}),
                                      embedder=HashEmbedder()))
    with FileLock(str(service.settings.lock_path)):
        response = app.post("/v1/ingest", json={"articles": [{"text": FERRY}]})
    assert response.status_code == 503
    assert response.json() == {"error": "Another ingest or removal is running; try again when it has finished."}


def test_healthz_and_readyz(client: TestClient, make_client: MakeClient, tmp_path: Path, indexed: Whosaid) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready", "articles": len(indexed.articles())}
    empty = make_client(service=fake_service(tmp_path / "empty")).get("/readyz")
    assert empty.status_code == 503
    assert empty.json() == {"error": "Not ready: the index is empty; ingest articles first."}


def test_the_demo_page_and_the_widget(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<script src="/widget.js"' in page.text
    widget = client.get("/widget.js")
    assert widget.status_code == 200
    assert widget.headers["content-type"] == "text/javascript; charset=utf-8"
    assert widget.headers["cache-control"] == "public, max-age=300" and widget.headers["etag"]


def test_openapi_documents_the_contract(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in ("/v1/ask", "/v1/check", "/v1/chat", "/v1/articles/{article_id}", "/v1/claims", "/v1/feedback",
                 "/v1/ingest", "/healthz", "/readyz"):
        assert path in spec["paths"], path
    assert {"AnswerOut", "CitationOut", "ErrorOut", "IngestRequest"} <= set(spec["components"]["schemas"])
    assert "text/event-stream" in spec["paths"]["/v1/chat"]["post"]["responses"]["200"]["content"]
    assert {"APIKeyHeader", "HTTPBearer"} <= set(spec["components"]["securitySchemes"])


def test_building_the_app_loads_no_model_and_opens_no_store(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from bot.api.app import create_app\n"
        "from bot.config import Settings\n"
        f"create_app(Settings(data_dir={str(tmp_path / 'd')!r}))\n"
        "print(sorted(m for m in ('torch', 'spacy', 'chromadb', 'sentence_transformers') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.strip() == "[]"
    assert not (tmp_path / "d").exists()


def test_ask_reaches_the_answer_after_an_ingest_over_http(make_client: MakeClient, writable: Whosaid) -> None:
    app = make_client(service=writable)
    app.post("/v1/ingest", json={"articles": [{"text": FERRY, "title": "Ferry"}]})
    answer = app.post("/v1/ask", json={"question": "Is the ferry strike in Port Averly over?"}).json()
    assert not answer["abstained"]
    assert answer["citations"][0]["source"] == "api:ferry"
    assert QUESTION not in answer["answer"]

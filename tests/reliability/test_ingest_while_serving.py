"""Articles are added, replaced and removed while ``whosaid serve`` answers questions.

Four client threads ask questions without pause while other ``whosaid`` processes (and the
server's own admin routes) ingest new articles, replace changed files and remove articles.
Every request must succeed, and every citation must quote an article exactly as it was
ingested (the test knows every text it wrote: an article's id is the hash of its text) and
must never name an article whose removal had finished before the question was sent.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.config import Settings
from bot.model import article_id_for
from tests.contract.servers import chroma_server
from tests.reliability.corpus import article_text, write_corpus
from tests.reliability.state import Server, run_whosaid, snapshot, start_server, whosaid_env

pytestmark = pytest.mark.server

QUESTIONS = [
    "Residents gathered outside the civic offices",
    "complaints about the ferry timetable",
    "Local shops reported quieter trade than usual",
    "debate over the tram line divided the council",
    "officials published a short statement about reservoir levels",
]
FESTIVALS = ("Wexcombe", "Ardley", "Pellow", "Quorne", "Haskin")


def festival_text(name: str) -> str:
    """A short fictional article about one (invented) festival, with words no other article has."""
    return (
        f"Fictional bulletin: the {name} lantern festival\n\n"
        f"The {name} lantern festival drew thousands of visitors to the riverside on Saturday. "
        f"Organisers of the {name} lantern festival said the parade of paper boats was the longest yet.\n"
    )


def festival_question(name: str) -> str:
    """A question only the article about ``name`` answers."""
    return f"the {name} lantern festival parade of paper boats"


@dataclass
class Timeline:
    """When each article's ingest started and when each removal had finished (monotonic seconds)."""

    texts: dict[str, str] = field(default_factory=dict)
    added: dict[str, list[float]] = field(default_factory=dict)
    removed: dict[str, list[float]] = field(default_factory=dict)

    def adding(self, *texts: str) -> list[str]:
        """Note that these texts are about to be ingested; their ids."""
        ids = []
        for text in texts:
            article_id = article_id_for(text)
            self.texts[article_id] = text
            self.added.setdefault(article_id, []).append(time.monotonic())
            ids.append(article_id)
        return ids

    def gone(self, *ids: str) -> None:
        """Note that these articles' removal has finished."""
        for article_id in ids:
            self.removed.setdefault(article_id, []).append(time.monotonic())

    def citable(self, article_id: str, sent: float, received: float) -> bool:
        """Whether an answer to a question asked in [sent, received] may cite this article."""
        adds = [t for t in self.added.get(article_id, []) if t <= received]
        if not adds:
            return False
        removals = [t for t in self.removed.get(article_id, []) if t <= sent]
        return not removals or max(adds) > max(removals)  # re-added after its last removal


@dataclass
class Result:
    question: str
    sent: float
    received: float
    status: int
    body: dict[str, Any]


def ask_until(server: Server, stop: threading.Event, seed: int, results: list[Result]) -> None:
    """One client: ask questions one after another until ``stop`` is set."""
    rng = random.Random(seed)
    with httpx.Client(base_url=server.url, timeout=120) as client:
        while not stop.is_set():
            question = rng.choice(QUESTIONS + [festival_question(name) for name in FESTIVALS])
            sent = time.monotonic()
            try:  # a failure is a result too: a dead client thread would otherwise go unnoticed
                response = client.post("/v1/ask", json={"question": question})
                status, body = response.status_code, response.json()
            except (httpx.HTTPError, ValueError) as exc:
                status, body = -1, {"error": f"{type(exc).__name__}: {exc}"}
            results.append(Result(question, sent, time.monotonic(), status, body))


def mutate(server: Server, env: dict[str, str], base: Path, extra: Path, timeline: Timeline) -> None:
    """Add, replace and remove articles with whosaid processes and the server's admin routes."""
    def ingest(folder: Path, *texts: str) -> None:
        timeline.adding(*texts)
        result = run_whosaid("ingest", str(folder), env=env)
        assert result.returncode == 0, result.stderr

    def remove(article_id: str) -> None:
        result = run_whosaid("remove", article_id, env=env)
        assert result.returncode == 0, result.stderr
        timeline.gone(article_id)

    festivals = {name: festival_text(name) for name in FESTIVALS}
    for name in FESTIVALS[:4]:
        (extra / f"{name}.txt").write_text(festivals[name], encoding="utf-8")
    ingest(extra, *(festivals[name] for name in FESTIVALS[:4]))
    # Three files change in place: their new versions replace the old ones in one transaction.
    replaced = sorted(base.iterdir())[:3]
    old = [article_id_for(path.read_text(encoding="utf-8")) for path in replaced]
    rng = random.Random(7)
    for number, path in enumerate(replaced):
        path.write_text(article_text(rng, 200 + number), encoding="utf-8")
    ingest(base, *(path.read_text(encoding="utf-8") for path in replaced))
    timeline.gone(*old)
    remove(article_id_for(festivals["Wexcombe"]))
    remove(article_id_for(festivals["Ardley"]))
    with httpx.Client(base_url=server.url, timeout=120) as admin:  # the server's own writer, meanwhile
        victim = article_id_for(sorted(base.iterdir())[5].read_text(encoding="utf-8"))
        assert admin.delete(f"/v1/articles/{victim}").status_code == 200
        timeline.gone(victim)
        [article_id] = timeline.adding(festivals["Haskin"])
        added = admin.post("/v1/ingest", json={"articles": [{"text": festivals["Haskin"], "title": "Haskin"}]})
        assert added.status_code == 200 and added.json()["article_ids"] == [article_id], added.text
    ingest(extra, festivals["Wexcombe"], festivals["Ardley"])  # removed ones come back, same ids
    remove(article_id_for(festivals["Pellow"]))


def check_citations(results: list[Result], timeline: Timeline) -> int:
    """Every citation exact and allowed at its time; the number of citations checked."""
    checked = 0
    for result in results:
        assert result.status == 200, (result.question, result.body)
        for citation in result.body["citations"]:
            article_id = citation["article_id"]
            assert timeline.citable(article_id, result.sent, result.received), (result.question, citation)
            assert timeline.texts[article_id][citation["start"] : citation["end"]] == citation["quote"]
            checked += 1
    return checked


@pytest.fixture(params=["embedded", "chroma-server"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """The vector store settings: embedded Chroma in the data directory, or a real ``chroma run``."""
    if request.param == "embedded":
        yield {}
        return
    with chroma_server(tmp_path / "chroma-server") as url:
        yield {"chroma_url": url}


def test_answers_stay_exact_while_articles_are_added_replaced_and_removed(
    tmp_path: Path, store: dict[str, str]
) -> None:
    base, extra = tmp_path / "base", tmp_path / "extra"
    write_corpus(base, count=10, seed=31)
    extra.mkdir()
    env = whosaid_env(tmp_path / "data", embedding_model="hash", extract_claims="false",
                      rate_limit_per_minute="1000000", rate_limit_burst="100000", **store)
    timeline = Timeline()
    timeline.adding(*(path.read_text(encoding="utf-8") for path in sorted(base.iterdir())))
    assert run_whosaid("ingest", str(base), env=env).returncode == 0
    server = start_server(env, tmp_path / "server.log")
    results: list[Result] = []
    stop = threading.Event()
    clients = [threading.Thread(target=ask_until, args=(server, stop, n, results)) for n in range(4)]
    try:
        for client in clients:
            client.start()
        mutate(server, env, base, extra, timeline)
        time.sleep(1)
    finally:
        stop.set()
        for client in clients:
            client.join(timeout=120)
    try:
        checked = check_citations(results, timeline)
        print(f"{len(results)} answers, {checked} citations checked")  # shown by `pytest -s`
        assert len(results) > 50 and checked > 50
        # At the end: a removed article is never cited; added ones are. Embedded Chroma is the
        # exception: a running server's own index does not see vectors another process wrote
        # (Wexcombe, re-added by `whosaid ingest`) until it writes itself or restarts.
        expected = {"Pellow": False, "Haskin": True} | ({"Wexcombe": True} if store else {})
        with httpx.Client(base_url=server.url, timeout=60) as client:
            for name, present in expected.items():
                cited = {c["article_id"] for c in client.post(
                    "/v1/ask", json={"question": festival_question(name)}).json()["citations"]}
                assert (article_id_for(festival_text(name)) in cited) is present, name
    finally:
        server.stop()
    state = snapshot(Settings(data_dir=tmp_path / "data", embedding_model="hash", **store))
    assert state.problems() == []

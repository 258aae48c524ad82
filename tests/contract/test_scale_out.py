"""The scale-out configuration end to end: records in a real PostgreSQL, vectors in a real
``chroma run`` server, and several workers (own data directories) sharing both."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.errors import BusyError
from bot.model import Answer
from bot.service import Whosaid
from tests.conftest import FIXTURES, NoClaims

pytestmark = pytest.mark.server

QUESTION = "Who said the bridge repair would cost 80 million?"


@pytest.fixture(scope="module")
def extractor() -> Any:
    """The real attribution engine (spaCy), loaded once for the module's workers."""
    from bot.attribution import AttributionExtractor

    return AttributionExtractor(spacy_model=Settings().spacy_model)


def shared_settings(data_dir: Path, *, database_url: str, chroma_url: str, prefix: str, **more: Any) -> Settings:
    return Settings(data_dir=data_dir, embedding_model="hash", database_url=database_url, chroma_url=chroma_url,
                    collection_prefix=prefix, **more)


def public(answer: Answer) -> dict[str, Any]:
    return {k: v for k, v in answer.to_dict().items() if k not in ("answer_id", "session")}


def assert_citations_exact(service: Whosaid, answer: Answer) -> None:
    assert answer.citations
    for citation in answer.citations:
        assert service.article(citation.article_id).text[citation.start : citation.end] == citation.quote


@pytest.mark.slow
def test_postgres_and_a_chroma_server_answer_as_the_embedded_setup_does(
    tmp_path: Path, fresh_postgres_url: str, chroma_url: str, extractor: Any
) -> None:
    settings = shared_settings(tmp_path / "worker-1", database_url=fresh_postgres_url, chroma_url=chroma_url,
                               prefix=f"t{uuid.uuid4().hex[:12]}")
    scaled = Whosaid(settings, extractor=extractor)
    local = Whosaid(Settings(data_dir=tmp_path / "local", embedding_model="hash"), extractor=extractor)
    report, local_report = scaled.ingest([FIXTURES]), local.ingest([FIXTURES])
    assert (report.new, report.chunks, report.claims) == (local_report.new, local_report.chunks,
                                                            local_report.claims)
    assert report.claims > 0 and scaled.records.counts() == local.records.counts()
    assert scaled.records.engine.dialect.name == "postgresql"
    assert scaled.chunk_vectors.ids() == local.chunk_vectors.ids()
    assert scaled.claims(speaker="tomas reyes") == local.claims(speaker="tomas reyes") != []

    answer = scaled.ask(QUESTION)
    assert not answer.abstained and public(answer) == public(local.ask(QUESTION))
    assert_citations_exact(scaled, answer)
    check = scaled.ask("The repair will cost 42 million dollars", mode="check")
    assert public(check) == public(local.ask("The repair will cost 42 million dollars", mode="check"))

    again = scaled.ingest([FIXTURES])  # re-ingesting is a no-op on the shared stores too
    assert (again.new, again.unchanged) == (0, report.new)


@pytest.mark.slow
def test_workers_with_their_own_data_directories_share_answers_sessions_and_feedback(
    tmp_path: Path, fresh_postgres_url: str, chroma_url: str, extractor: Any
) -> None:
    prefix = f"t{uuid.uuid4().hex[:12]}"
    one, two = (
        Whosaid(shared_settings(tmp_path / name, database_url=fresh_postgres_url, chroma_url=chroma_url,
                                prefix=prefix), extractor=extractor)
        for name in ("worker-1", "worker-2")
    )
    one.ingest([FIXTURES])
    session = two.start_session()
    first = two.ask(QUESTION, session=session)  # worker 2 answers from what worker 1 wrote
    assert not first.abstained and first.id and [c.article_id for c in first.citations]
    assert_citations_exact(two, first)
    follow_up = one.ask("What else did he say?", session=session)  # the same conversation, other worker
    assert follow_up.session == session
    assert [turn["question"] for turn in two.conversations.history(session)] == [QUESTION, "What else did he say?"]
    one.feedback(first.id, rating=-1, comment="wrong figure", channel="widget")
    assert two.conversations.feedback_for(first.id) == [{"rating": -1, "comment": "wrong figure", "channel": "widget"}]

    bridge = next(a for a in two.articles() if a.source.endswith("harbor-bridge.txt"))
    assert any(hit.article_id == bridge.id for hit in one.search("Harbor Bridge repair cost", k=5))
    two.remove(bridge.id)  # removed by one worker, gone for the other (lexical cache and vectors too)
    assert all(hit.article_id != bridge.id for hit in one.search("Harbor Bridge repair cost", k=5))
    assert bridge.id not in one.chunk_vectors.ids() | {a.id for a in one.articles()}


def test_writers_with_their_own_data_directories_are_serialised_by_the_database(
    tmp_path: Path, fresh_postgres_url: str, chroma_url: str
) -> None:
    # Their file locks are in different folders (think: different hosts); only the database's lock is shared.
    prefix = f"t{uuid.uuid4().hex[:12]}"
    one, two = (
        Whosaid(shared_settings(tmp_path / name, database_url=fresh_postgres_url, chroma_url=chroma_url,
                                prefix=prefix, extract_claims=False, lock_timeout_seconds=0.3), extractor=NoClaims())
        for name in ("host-1", "host-2")
    )
    [orchard] = two.ingest([FIXTURES / "orchard.md"]).article_ids
    with one.write_lock():
        with pytest.raises(BusyError, match="writing to the database"):
            two.ingest([FIXTURES])
        with pytest.raises(BusyError):
            two.remove(orchard)  # every writer, not only ingest
        assert [a.id for a in two.articles()] == [orchard]
    assert two.ingest([FIXTURES]).new > 0  # free again once the first writer is done
    assert two.remove(orchard) == [orchard]

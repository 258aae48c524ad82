"""Work the answering chain does per question: one query embedding, no scans of the records or vectors."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.index.embedder import HashEmbedder
from bot.index.records import RecordStore
from bot.index.vectors import Metadata, VectorHit, VectorStore, Where
from bot.service import Whosaid
from tests.fakes.embedders import CountingEmbedder

from ..conftest import NoClaims
from .test_query_caches import SaidClaims


class CountingRecords(RecordStore):
    """Counts the speaker aggregation, a scan over every claim."""

    speaker_scans = 0

    def speakers(self) -> dict[str, int]:
        CountingRecords.speaker_scans += 1
        return super().speakers()


def test_a_question_is_embedded_once_and_speakers_are_not_rescanned(settings: Settings, corpus: Path) -> None:
    embedder = CountingEmbedder()
    service = Whosaid(settings, embedder=embedder, extractor=NoClaims())
    service.ingest([corpus])
    service.__dict__["records"] = CountingRecords(settings.resolved_database_url)
    for round_ in range(3):
        embedder.batches.clear()
        service.ask("Steel cables lost strength since 2019")
        question = [b for b in embedder.batches if "Steel cables lost strength since 2019" in b]
        # claims, passages and best sentences share one query vector, which is then remembered
        assert len(question) == (1 if round_ == 0 else 0)
    assert CountingRecords.speaker_scans == 1  # rebuilt only when the records change
    service.ingest([corpus / "orchard.md"])  # unchanged: same revision
    service.ask("Who said the cables lost strength?")
    assert CountingRecords.speaker_scans == 1


# FICTIONAL: every name, place and figure below is invented for these tests.
def filler(n: int) -> str:
    """An article quoting Ada Quill (in every article), a speaker of its own, and Bo Fenn in the first two."""
    lines = [f"Harbour notes {n} (fictional)", "",
             f"The harbour toll in Averly rises by {n} crowns, Ada Quill said.",
             f"The quay lamps on pier {n} get new glass, Cara Lind{n} said."]
    if n < 2:
        lines.append(f"The ferry to Lindholm runs twice more on day {n}, Bo Fenn said.")
    return "\n".join(lines) + "\n"


QUESTIONS = [
    ("ask", "What did Ada Quill say?"),  # what-did: reads a few of her articles, however many quote her
    ("ask", "What did Bo Fenn say about the ferry?"),  # what-did about: his claims, by id
    ("ask", "Who said the harbour toll rises?"),
    ("check", "The harbour toll in Averly rises by 3 crowns"),
    ("ask", "What is known about the quay lamps?"),
]


def sql_steps(service: Whosaid) -> dict[str, int]:
    """SQLite virtual-machine steps per question of QUESTIONS: the database work each one does."""
    from sqlalchemy import event

    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0  # carry on

    def on_checkout(dbapi_connection: Any, *_: Any) -> None:
        dbapi_connection.set_progress_handler(count, 1)

    event.listen(service.records.engine, "checkout", on_checkout)
    for mode, question in QUESTIONS:  # once, untimed: caches built once per change of the records
        service.ask(question, mode=mode)
    per_question = {}
    for mode, question in QUESTIONS:
        steps[0] = 0
        service.ask(question, mode=mode)
        per_question[question] = steps[0]
    event.remove(service.records.engine, "checkout", on_checkout)
    return per_question


def test_the_database_work_of_a_question_does_not_grow_with_the_corpus(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", embedding_model="hash")
    service = Whosaid(settings, embedder=HashEmbedder(), extractor=SaidClaims())
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(80):
        (folder / f"{n:03}.txt").write_text(filler(n), encoding="utf-8")
    files = sorted(folder.iterdir())
    service.ingest(files[:40])
    small = sql_steps(service)
    service.ingest(files[40:])  # twice the articles, and twice Ada Quill's claims
    large = sql_steps(service)
    for _, question in QUESTIONS:
        # Reading every claim, or every claim of a speaker, doubles the work (it did: 1.8x).
        assert large[question] <= 1.25 * small[question], (question, small[question], large[question])


class RecordingVectors:
    """A vector store that records how it is queried, delegating to a real one."""

    def __init__(self, inner: VectorStore) -> None:
        self.inner = inner
        self.queries: list[tuple[Where | None, list[str] | None]] = []

    def upsert(self, ids: Sequence[str], embeddings: Sequence[Sequence[float]], metadatas: Sequence[Metadata]) -> None:
        self.inner.upsert(ids, embeddings, metadatas)

    def query(
        self, embedding: Sequence[float], *, k: int, where: Where | None = None, ids: Sequence[str] | None = None
    ) -> list[VectorHit]:
        self.queries.append((where, None if ids is None else list(ids)))
        return self.inner.query(embedding, k=k, where=where, ids=ids)

    def delete(self, where: Where) -> None:
        self.inner.delete(where)

    def ids(self, where: Where | None = None) -> set[str]:
        return self.inner.ids(where)


def test_one_speakers_claims_are_searched_by_id_not_by_a_metadata_filter(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", embedding_model="hash")
    service = Whosaid(settings, embedder=HashEmbedder(), extractor=SaidClaims())
    for n in range(3):
        (tmp_path / f"{n}.txt").write_text(filler(n), encoding="utf-8")
    service.ingest([tmp_path / f"{n}.txt" for n in range(3)])
    recording = RecordingVectors(service.claim_vectors)
    service.__dict__["claim_vectors"] = recording
    answer = service.ask("What did Bo Fenn say about the ferry?")
    assert not answer.abstained and {a.speaker for a in answer.attributions} == {"Bo Fenn"}
    # Chroma evaluates a metadata filter over its whole collection (100 ms at 170k claims)
    fenn = set(service.records.claim_ids(speaker="Bo Fenn"))
    assert [(where, set(ids or ())) for where, ids in recording.queries] == [(None, fenn)] and len(fenn) == 2

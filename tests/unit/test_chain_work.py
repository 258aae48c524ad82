"""Work the answering chain does per question: one query embedding, no scans of the records."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bot.config import Settings
from bot.index.embedder import HashEmbedder
from bot.index.records import RecordStore
from bot.service import Whosaid

from ..conftest import NoClaims


class CountingEmbedder(HashEmbedder):
    """Records every batch it is asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[list[str]] = []

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        self.batches.append(list(texts))
        return super().embed(texts)


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

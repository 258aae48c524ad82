"""Ingestion through the service: idempotence, replacement, removal, interruption, failures."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import pytest

from bot.config import Settings
from bot.errors import BusyError, InputPathError, NotFoundError
from bot.index.embedder import HashEmbedder
from bot.ingest import pipeline
from bot.model import Claim
from bot.service import Whosaid

from ..conftest import NoClaims


def vector_ids(service: Whosaid) -> set[str]:
    return service.chunk_vectors.ids()


def test_ingest_counts_and_exact_chunk_offsets(service: Whosaid, corpus: Path) -> None:
    report = service.ingest([corpus])
    assert (report.new, report.updated, report.unchanged, report.failed) == (6, 0, 0, 0)
    assert report.chunks == service.records.counts()["chunks"] > 6
    for article in service.articles():
        stored = service.records.chunks_by_ids([f"{article.id}:{i}" for i in range(50)])
        assert stored, article.source
        for chunk, owner in stored.values():
            assert owner.text[chunk.start : chunk.end] == chunk.text


def test_progress_counts_a_file_once_its_articles_are_written(service: Whosaid, corpus: Path) -> None:
    ready_when_told: list[int] = []
    report = service.ingest(
        [corpus], on_file=lambda _path: ready_when_told.append(service.records.counts()["articles"])
    )
    # Five files in order (a seed, harbor-bridge, museum, orchard, and wire.jsonl with two articles):
    # each is told only once all of its articles are ready.
    assert ready_when_told == [1, 2, 3, 4, 6]
    assert set(report.phases) == {"read", "load model", "extract", "embed", "write"}
    assert sum(report.phases.values()) <= report.seconds


class FirstLineClaims:
    """A fake extractor: one claim per text, quoting its first line; remembers how it was closed."""

    def __init__(self) -> None:
        self.closed: list[bool] = []

    def extract_many(self, texts: Iterable[str]) -> Iterator[list[Claim]]:
        return iter([[self._claim(text)] for text in texts])  # eager, as the worker pool is

    def close(self, *, abort: bool = False) -> None:
        self.closed.append(abort)

    @staticmethod
    def _claim(text: str) -> Claim:
        end = text.find("\n") if "\n" in text else len(text)
        return Claim(speaker="First Line", speaker_mention=None, source_span=None, cue="wrote", cue_span=(0, 0),
                     content=text[:end], content_spans=((0, end),), kind="direct", stance="asserts")


def test_each_group_keeps_its_own_claims(
    settings: Settings, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "GROUP_CHUNKS", 1)  # every article a group of its own: the most read-ahead
    extractor = FirstLineClaims()
    service = Whosaid(settings, embedder=HashEmbedder(), extractor=extractor)
    report = service.ingest([corpus])
    claims = service.claims()
    assert report.claims == len(claims) == 6
    for claim in claims:
        assert claim.article_id is not None
        assert service.article(claim.article_id).text.startswith(claim.content)
    assert extractor.closed == [False]


def test_an_interrupted_ingest_stops_its_extractor_without_waiting(
    settings: Settings, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "GROUP_CHUNKS", 1)
    extractor = FirstLineClaims()
    service = Whosaid(settings, embedder=ExplodingEmbedder(explode_on=2), extractor=extractor)
    with pytest.raises(KeyboardInterrupt):
        service.ingest([corpus])
    assert extractor.closed == [True]
    assert service.records.counts()["articles"] == 1  # the first group only, whole


def test_reingesting_unchanged_files_does_nothing(service: Whosaid, corpus: Path) -> None:
    service.ingest([corpus])
    before = (service.records.counts(), vector_ids(service), service.records.revision())
    report = service.ingest([corpus])
    assert (report.new, report.updated, report.unchanged) == (0, 0, 6)
    assert (service.records.counts(), vector_ids(service), service.records.revision()) == before


def test_a_changed_file_replaces_its_old_version_without_stale_chunks(service: Whosaid, corpus: Path) -> None:
    path = corpus / "orchard.md"
    service.ingest([path])
    old = service.articles()[0]
    path.write_text(path.read_text() + "\nThe cooperative later said the damage was smaller than feared.\n")
    report = service.ingest([path])
    assert (report.new, report.updated) == (0, 1)
    [new] = service.articles()
    assert new.id != old.id and new.source == old.source
    assert all(vid.startswith(new.id) for vid in vector_ids(service))
    assert service.search("damage smaller than feared", k=1)[0].article_id == new.id


def test_remove_by_id_and_by_source_deletes_everything_derived(service: Whosaid, corpus: Path) -> None:
    service.ingest([corpus])
    harbor = next(a for a in service.articles() if a.source.endswith("harbor-bridge.txt"))
    assert service.remove(harbor.id) == [harbor.id]
    assert not any(v.startswith(harbor.id) for v in vector_ids(service))
    with pytest.raises(NotFoundError):
        service.article(harbor.id)
    removed = service.remove(str(corpus / "orchard.md"))
    assert len(removed) == 1 and len(service.articles()) == 4
    with pytest.raises(NotFoundError, match="No article has the id or source"):
        service.remove("nothing-like-this")


class ExplodingEmbedder(HashEmbedder):
    """Raises KeyboardInterrupt on the n-th batch, as Ctrl-C would."""

    def __init__(self, explode_on: int) -> None:
        super().__init__()
        self.calls = 0
        self.explode_on = explode_on

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        self.calls += 1
        if self.calls == self.explode_on:
            raise KeyboardInterrupt
        return super().embed(texts)


def test_an_interrupted_ingest_shows_no_half_article_and_a_rerun_completes(
    settings: Settings, corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.ingest.pipeline.GROUP_CHUNKS", 1)  # one article per batch
    broken = Whosaid(settings, embedder=ExplodingEmbedder(explode_on=3), extractor=NoClaims())
    with pytest.raises(KeyboardInterrupt):
        broken.ingest([corpus])
    assert len(broken.articles()) == 2  # two whole articles, nothing of the third
    resumed = Whosaid(settings, embedder=HashEmbedder(), extractor=NoClaims())
    report = resumed.ingest([corpus])
    assert (report.new, report.unchanged) == (4, 2)
    clean = Whosaid(
        Settings(data_dir=tmp_path / "clean", embedding_model="hash"), embedder=HashEmbedder(), extractor=NoClaims()
    )
    clean.ingest([corpus])
    assert resumed.records.counts() == clean.records.counts()
    assert vector_ids(resumed) == vector_ids(clean)


def test_a_bad_file_fails_alone_and_nothing_ingested_is_lost(service: Whosaid, corpus: Path) -> None:
    service.ingest([corpus])
    before = service.records.counts()
    (corpus / "broken.txt").write_bytes(b"\xff\xfe\x00garbage")
    report = service.ingest([corpus])
    assert report.failed == 1 and report.unchanged == 6
    assert report.failures[0][0].endswith("broken.txt")
    assert service.records.counts() == before


def test_a_missing_path_fails_before_anything_is_written(service: Whosaid, tmp_path: Path) -> None:
    with pytest.raises(InputPathError):
        service.ingest([tmp_path / "nope"])
    assert not service.settings.data_dir.exists() or service.records.counts()["articles"] == 0


def test_a_second_writer_fails_clearly_while_the_first_holds_the_lock(settings: Settings, corpus: Path) -> None:
    first = Whosaid(settings, embedder=HashEmbedder(), extractor=NoClaims())
    second = Whosaid(settings.model_copy(update={"lock_timeout_seconds": 0.2}), embedder=HashEmbedder())
    with first.write_lock(), pytest.raises(BusyError, match="Another whosaid process is writing"):
        second.ingest([corpus])

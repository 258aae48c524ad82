"""The record store's contract, run against SQLite and a real PostgreSQL server on 127.0.0.1.

Every text here is fictional, written for the whosaid test suite.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.errors import BusyError, ConfigurationError, StoreUnavailableError
from bot.index.records import RecordStore
from bot.model import Article, Chunk, Claim, Quantity, article_id_for
from tests.contract.servers import free_port

TEXT = (
    "Harbour news from Port Averly (fictional). Mayor Émilie Durand said the ferry would run again "
    "in May. Councillor Kenji Sato disputed it: “Not before 2027 — 12 % of the hulls are rusted,” he said. "
    "Residents of Østby wrote to the council about the noise 🚢."
)


@pytest.fixture
def store(database_url: str) -> Iterator[RecordStore]:
    records = RecordStore(database_url)
    yield records
    records.engine.dispose()


def article(text: str = TEXT, *, source: str = "fictional/harbour.txt", **meta: str) -> Article:
    return Article(id=article_id_for(text), source=source, title=meta.pop("title", "Hafen · 港口 news"),
                   text=text, **meta)


def chunks_of(doc: Article, size: int = 60) -> list[Chunk]:
    starts = range(0, len(doc.text), size)
    return [Chunk(f"{doc.id}:{n}", doc.id, n, s, min(s + size, len(doc.text)), doc.text[s : s + size])
            for n, s in enumerate(starts)]


def claim(doc: Article, speaker: str | None, content: str, *, cue: str = "said") -> Claim:
    start = doc.text.index(content)
    cue_at = doc.text.index(cue)
    quantity = Quantity(value=12.0, text="12 %", span=(start, start + 4), unit="percent", counted="hulls")
    return Claim(
        speaker=speaker, speaker_mention=speaker, source_span=(0, 5) if speaker else None, cue=cue,
        cue_span=(cue_at, cue_at + len(cue)), content=content, content_spans=((start, start + len(content)),),
        kind="direct", stance="disputes" if speaker == "Kenji Sato" else "asserts", role="Councillor",
        negated=speaker == "Kenji Sato", quantities=(quantity,), article_id=doc.id,
    )


def ingest(store: RecordStore, doc: Article, *, speakers: bool = True, replaces: tuple[str, ...] = ()) -> list[Claim]:
    found = [
        claim(doc, "Émilie Durand", "the ferry would run again in May"),
        claim(doc, "Kenji Sato", "Not before 2027 — 12 % of the hulls are rusted", cue="disputed"),
        claim(doc, None, "Residents of Østby wrote to the council", cue="wrote"),
    ] if speakers else []
    store.begin(doc)
    store.commit(doc, chunks_of(doc), found, replaces=replaces)
    return found


def test_a_pending_article_is_invisible_until_its_commit(store: RecordStore) -> None:
    doc = article()
    store.begin(doc)
    assert store.status(doc.id) == "pending" and store.pending_ids() == [doc.id]
    assert store.article(doc.id) is None and store.article(doc.id, ready_only=False) == doc
    assert not store.has_articles() and store.list_articles() == []
    assert store.counts() == {"articles": 0, "chunks": 0, "claims": 0}
    found = ingest(store, doc)
    assert store.status(doc.id) == "ready" and store.pending_ids() == []
    assert store.article(doc.id) == doc and store.has_articles()
    assert store.counts() == {"articles": 1, "chunks": len(chunks_of(doc)), "claims": len(found)}


def test_begin_keeps_an_existing_row(store: RecordStore) -> None:
    doc = article()
    ingest(store, doc)
    store.begin(doc)  # the same text again: neither an error nor a step back to pending
    assert store.status(doc.id) == "ready" and store.ids_by_source(doc.source) == [doc.id]


def test_metadata_and_unicode_round_trip_exactly(store: RecordStore) -> None:
    doc = article(url="https://example.test/hafen?q=ü", published="2026-05-01", publisher="Ledger — 日報",
                  author="A. Øre")
    long_doc = article("Fictional filler sentence. " * 8000, source="fictional/long.txt")  # 216,000 chars
    ingest(store, doc)
    ingest(store, long_doc, speakers=False)
    assert store.article(doc.id) == doc and store.article(long_doc.id) == long_doc
    assert [a.source for a in store.list_articles()] == ["fictional/harbour.txt", "fictional/long.txt"]


def test_chunks_by_ids_joins_ready_chunks_to_their_articles(store: RecordStore) -> None:
    doc, pending = article(), article("A pending fictional text that never commits.", source="p.txt")
    ingest(store, doc)
    store.begin(pending)
    wanted = [c.id for c in chunks_of(doc)[:2]] + ["nope:0", f"{pending.id}:0"]
    found = store.chunks_by_ids(wanted)
    assert set(found) == set(wanted[:2])
    for chunk, owner in found.values():
        assert owner == doc and chunk.text == doc.text[chunk.start : chunk.end] == chunks_of(doc)[chunk.ordinal].text
    assert store.chunks_by_ids([]) == {}


def test_chunk_texts_stream_in_a_stable_order_with_filter_fields(store: RecordStore) -> None:
    doc = article(published="2026-05-01", publisher="Ledger")
    ingest(store, doc)
    streamed = list(store.iter_chunk_texts())
    assert [(i, t) for i, t, _ in streamed] == [(c.id, c.text) for c in chunks_of(doc)]
    assert streamed[0][2] == {"article_id": doc.id, "publisher": "Ledger", "published": "2026-05-01"}


def test_claims_round_trip_with_unicode_and_filters(store: RecordStore) -> None:
    doc, other = article(), article(TEXT.replace("noise", "smell"), source="fictional/other.txt")
    found = ingest(store, doc)
    ingest(store, other)
    assert sorted(store.claims(article_id=doc.id), key=lambda c: c.start) == sorted(found, key=lambda c: c.start)
    assert {c.article_id for c in store.claims(speaker="émilie DURAND")} == {doc.id, other.id}
    assert store.claims(speaker="Kenji Sato", article_id=doc.id) == [found[1]]
    assert store.claims(speaker="nobody") == []
    by_id = store.claims_by_ids([found[0].id, "missing"])
    assert by_id == {found[0].id: found[0]} and store.claims_by_ids([]) == {}
    assert store.speakers() == {"Émilie Durand": 2, "Kenji Sato": 2}  # unattributed claims have no speaker


def test_a_speakers_claims_are_found_whatever_the_case_and_in_their_first_articles(store: RecordStore) -> None:
    docs = sorted((article(TEXT.replace("noise", f"noise {n}"), source=f"fictional/{n}.txt") for n in range(4)),
                  key=lambda doc: doc.id)
    pending = article(TEXT.replace("noise", "pending noise"), source="fictional/pending.txt")
    said = {doc.id: ingest(store, doc) for doc in docs}
    store.begin(pending)
    durand = {c.id for found in said.values() for c in found if c.speaker == "Émilie Durand"}
    assert set(store.claim_ids(speaker="Émilie Durand")) == set(store.claim_ids(speaker="émilie DURAND")) == durand
    assert store.claim_ids(speaker="nobody") == [] and store.spellings("ÉMILIE durand") == ["Émilie Durand"]
    first = store.first_claims(speaker="Kenji Sato", max_articles=2)
    assert {c.article_id for c in first} == {docs[0].id, docs[1].id}  # the first two by id
    assert sorted(c.id for c in first) == sorted(
        c.id for doc in docs[:2] for c in said[doc.id] if c.speaker == "Kenji Sato"
    )
    assert store.first_claims(speaker="nobody", max_articles=5) == []


def test_an_index_added_to_the_schema_is_created_in_an_older_database(database_url: str) -> None:
    from sqlalchemy import inspect, text

    RecordStore(database_url).engine.dispose()
    old = RecordStore(database_url)
    with old.engine.begin() as conn:  # a database made before the index was declared
        conn.execute(text("DROP INDEX ix_claims_speaker_article"))
    old.engine.dispose()
    reopened = RecordStore(database_url)
    assert "ix_claims_speaker_article" in {i["name"] for i in inspect(reopened.engine).get_indexes("claims")}
    reopened.engine.dispose()


def test_recommitting_an_article_rewrites_its_chunks_and_claims(store: RecordStore) -> None:
    doc = article()
    ingest(store, doc)
    store.commit(doc, chunks_of(doc, size=100), [claim(doc, "Kenji Sato", "Not before 2027")])
    assert store.counts() == {"articles": 1, "chunks": len(chunks_of(doc, size=100)), "claims": 1}
    assert [c.id for c, _ in store.chunks_by_ids([f"{doc.id}:0"]).values()] == [f"{doc.id}:0"]


def test_a_new_version_replaces_the_old_one_at_once_and_keeps_it_as_history(store: RecordStore) -> None:
    old, new = article(), article(TEXT + " Updated (fictional).")
    old_claims = ingest(store, old)
    ingest(store, new, replaces=(old.id, new.id))  # its own id in `replaces` is ignored
    assert sorted(store.ids_by_source(old.source)) == sorted([old.id, new.id]) and store.status(old.id) == "replaced"
    assert store.chunks_by_ids([f"{old.id}:0"]) == {} and store.claims(article_id=old.id) == []
    assert store.article(old.id) is None and store.article(old.id, history=True) == old
    assert store.tombstoned() == [old.id]
    versions = store.versions(new.id)
    assert [(v.article.id, v.current) for v in versions] == [(old.id, False), (new.id, True)]
    assert versions[0].claims == tuple(sorted(old_claims, key=lambda c: c.start)) and versions[0].superseded
    assert store.current_version(old.id) == new.id and sorted(store.version_ids(old.id)) == sorted([old.id, new.id])
    store.clear_tombstones([old.id])
    assert store.tombstoned() == []


def test_remove_deletes_everything_derived_and_leaves_tombstones(store: RecordStore) -> None:
    doc, kept = article(), article("Another fictional report from Port Averly.", source="fictional/kept.txt")
    ingest(store, doc)
    ingest(store, kept, speakers=False)
    store.remove([doc.id, "unknown"])
    store.remove([doc.id])  # again: no duplicate tombstone, no error
    assert store.article(doc.id, ready_only=False) is None and store.claims() == []
    assert store.counts() == {"articles": 1, "chunks": len(chunks_of(kept)), "claims": 0}
    assert sorted(store.tombstoned()) == sorted([doc.id, "unknown"])
    store.clear_tombstones([])  # a no-op


def test_revision_grows_with_every_change_and_is_shared(store: RecordStore, database_url: str) -> None:
    assert store.revision() == 0
    doc = article()
    store.begin(doc)
    assert store.revision() == 0  # pending rows change nothing a reader sees
    ingest(store, doc)
    store.remove([doc.id])
    assert store.revision() == 2
    second = RecordStore(database_url)  # another worker on the same database
    assert second.revision() == 2 and second.tombstoned() == [doc.id]
    second.engine.dispose()


def test_concurrent_commits_each_count_in_the_revision(store: RecordStore) -> None:
    docs = [article(f"Fictional bulletin number {n} from Port Averly.", source=f"b{n}.txt") for n in range(8)]
    for doc in docs:
        store.begin(doc)
    errors: list[BaseException] = []

    def commit(doc: Article) -> None:
        try:
            store.commit(doc, chunks_of(doc), [])
        except BaseException as exc:  # reported below, with the others
            errors.append(exc)

    threads = [threading.Thread(target=commit, args=(doc,)) for doc in docs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert store.revision() == len(docs) and store.counts()["articles"] == len(docs)


def test_many_workers_can_open_an_empty_database_at_once(database_url: str) -> None:
    from bot.index.conversations import Conversations

    opened: list[RecordStore] = []
    errors: list[BaseException] = []

    def open_store() -> None:
        try:
            records = RecordStore(database_url)
            Conversations(records.engine)
            opened.append(records)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_store) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(opened) == 6 and opened[0].revision() == 0
    for records in opened:
        records.engine.dispose()


@pytest.mark.server
def test_the_writer_lock_serialises_writers_sharing_a_postgres_database(fresh_postgres_url: str) -> None:
    first, second = RecordStore(fresh_postgres_url), RecordStore(fresh_postgres_url)
    busy = pytest.raises(BusyError, match="Another whosaid process is writing")
    with first.writer_lock(timeout=0), busy, second.writer_lock(timeout=0.3):
        pass
    with second.writer_lock(timeout=0):  # released at the end of the block
        pass
    for records in (first, second):
        records.engine.dispose()


def test_the_writer_lock_on_sqlite_is_left_to_the_data_directory(tmp_path: Path) -> None:
    records = RecordStore(f"sqlite:///{tmp_path}/one.sqlite3")
    with records.writer_lock(timeout=0), records.writer_lock(timeout=0):
        assert records.revision() == 0


@pytest.mark.parametrize("url", ["not a url", "nosuchdialect://user@127.0.0.1/db"])
def test_an_unusable_database_url_is_a_configuration_error(url: str) -> None:
    with pytest.raises(ConfigurationError, match="WHOSAID_DATABASE_URL cannot be used"):
        RecordStore(url)


def test_an_unreachable_postgres_server_is_one_clear_sentence() -> None:
    with pytest.raises(StoreUnavailableError, match="The database cannot be opened") as caught:
        RecordStore(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/whosaid")
    assert "\n" not in str(caught.value)


def test_speaker_roles_are_read_from_ready_claims_and_follow_the_revision(store: RecordStore) -> None:
    doc = article()
    ingest(store, doc)
    assert store.speaker_roles() == {"Émilie Durand": {"Councillor"}, "Kenji Sato": {"Councillor"}}
    described = replace(claim(doc, "Émilie Durand", "the ferry would run again in May"),
                        speaker_mention="the harbour councillor", role=None)
    later = article(TEXT.replace("noise", "late noise"), source="fictional/later.txt")
    store.begin(later)
    store.commit(later, chunks_of(later), [replace(described, article_id=later.id)])
    assert store.speaker_roles()["Émilie Durand"] == {"Councillor", "the harbour councillor"}
    store.remove([doc.id, later.id])
    assert store.speaker_roles() == {}


def test_a_database_from_before_history_gains_its_columns_and_keeps_its_articles(database_url: str) -> None:
    from sqlalchemy import text

    first = RecordStore(database_url)
    old = article()
    ingest(first, old)
    with first.engine.begin() as conn:  # the articles table as the code before versions made it
        conn.execute(text("ALTER TABLE articles DROP COLUMN seen"))
        conn.execute(text("ALTER TABLE articles DROP COLUMN superseded"))
    first.engine.dispose()
    store = RecordStore(database_url)
    try:
        assert store.article(old.id) == old
        [version] = store.versions(old.id)
        assert version.current and version.seen is None  # ingested before history was kept
        new = article(TEXT + " Corrected (fictional).")
        ingest(store, new, replaces=(old.id,))
        assert [v.article.id for v in store.versions(new.id)] == [old.id, new.id]
    finally:
        store.engine.dispose()

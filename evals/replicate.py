"""Grow an index by copying its own articles under new ids, without re-embedding or re-parsing.

Copy ``c`` of article ``a`` gets the id ``sha256(a|copy-c)[:16]`` and the source ``<source>#copy-c``;
its chunks and claims are the original ones under that article id (so chunk and claim ids are
new too), and their vectors are the original vectors, read back from Chroma and written again
with the new ids. Everything goes through the project's own writers (``RecordStore.begin`` and
``commit``, ``VectorStore.upsert``) in the order ingest uses, so the database, Chroma and the
lexical index really hold the copies. Speakers and vocabulary stay those of the original
corpus: what grows is the number of chunks and claims, and of claims per speaker.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterator, Sequence
from typing import Any

from bot.index.vectors import VectorStore
from bot.model import Article, Chunk, Claim
from bot.service import Whosaid

BATCH_CHUNKS = 2000  # articles are written in groups of about this many chunks, as ingest groups them
Vectors = dict[str, tuple[Any, dict[str, Any]]]  # id -> (embedding, metadata)


@dataclasses.dataclass
class _Original:
    article: Article
    chunks: list[Chunk]
    claims: list[Claim]


def copy_id(article_id: str, copy: int) -> str:
    """The id of copy number ``copy`` of an article: distinct from every original and other copy."""
    return hashlib.sha256(f"{article_id}|copy-{copy}".encode()).hexdigest()[:16]


def _originals(service: Whosaid) -> list[_Original]:
    """Every ready article with its chunks and claims, in the order of their sources."""
    records = service.records
    chunk_ids: dict[str, list[str]] = {}
    for chunk_id, _, fields in records.iter_chunk_texts():
        chunk_ids.setdefault(fields["article_id"], []).append(chunk_id)
    claims: dict[str | None, list[Claim]] = {}
    for claim in records.claims():
        claims.setdefault(claim.article_id, []).append(claim)
    found = records.chunks_by_ids([i for ids in chunk_ids.values() for i in ids])
    return [
        _Original(article, [found[i][0] for i in chunk_ids.get(article.id, [])], claims.get(article.id, []))
        for article in records.list_articles()
        if not article.source.rpartition("#copy-")[2].isdigit()  # copies made by an earlier run
    ]


def _vectors(service: Whosaid, kind: str, ids: Sequence[str]) -> Vectors:
    """(embedding, metadata) of each id, read from Chroma (the store's Protocol has no read of vectors)."""
    from bot.index.vectors import create_chroma_client

    collection = create_chroma_client(service.settings).get_collection(f"{service.settings.collection_prefix}_{kind}")
    stored: Vectors = {}
    for i in range(0, len(ids), 1000):
        got = collection.get(ids=list(ids[i : i + 1000]), include=["embeddings", "metadatas"])
        embeddings, metadatas = got["embeddings"], got["metadatas"]
        assert embeddings is not None and metadatas is not None  # both were asked for
        for item_id, vector, metadata in zip(got["ids"], embeddings, metadatas, strict=True):
            stored[item_id] = (vector, dict(metadata or {}))
    return stored


def _copies(originals: list[_Original], *, needed: int) -> Iterator[tuple[int, _Original]]:
    """(copy number, original) until the copies hold ``needed`` chunks, whole articles only."""
    copy, added = 0, 0
    while added < needed:
        copy += 1
        for original in originals:
            if added >= needed:
                return
            yield copy, original
            added += len(original.chunks)


def replicate(service: Whosaid, *, target_chunks: int) -> dict[str, int]:
    """Add copies of the index's articles until it holds at least ``target_chunks`` chunks."""
    have = service.records.counts()["chunks"]
    originals = [o for o in _originals(service) if o.chunks]
    written = {"articles": 0, "chunks": 0, "claims": 0}
    if have >= target_chunks or not originals:
        return written
    chunk_vectors = _vectors(service, "chunks", [c.id for o in originals for c in o.chunks])
    claim_vectors = _vectors(service, "claims", [c.id for o in originals for c in o.claims])
    group: list[tuple[_Original, _Original]] = []
    with service.write_lock():
        for copy, original in _copies(originals, needed=target_chunks - have):
            group.append((original, _copy(original, copy)))
            if sum(len(o.chunks) for o, _ in group) >= BATCH_CHUNKS:
                _write(service, group, chunk_vectors, claim_vectors, written)
                group = []
        _write(service, group, chunk_vectors, claim_vectors, written)
    return written


def _copy(original: _Original, copy: int) -> _Original:
    article_id = copy_id(original.article.id, copy)
    article = dataclasses.replace(original.article, id=article_id, source=f"{original.article.source}#copy-{copy}")
    chunks = [dataclasses.replace(c, id=f"{article_id}:{c.ordinal}", article_id=article_id) for c in original.chunks]
    return _Original(article, chunks, [dataclasses.replace(c, article_id=article_id) for c in original.claims])


def _write(
    service: Whosaid, group: list[tuple[_Original, _Original]], chunk_vectors: Vectors, claim_vectors: Vectors,
    written: dict[str, int],
) -> None:
    """Pending rows, then vectors, then one commit per article: the write order of ingest."""
    for _, copy in group:
        service.records.begin(copy.article)
    chunks = [(new, old) for original, copy in group for new, old in zip(copy.chunks, original.chunks, strict=True)]
    claims = [(new, old) for original, copy in group for new, old in zip(copy.claims, original.claims, strict=True)]
    _upsert(service.chunk_vectors, chunk_vectors, [(new.id, old.id, new.article_id) for new, old in chunks])
    _upsert(service.claim_vectors, claim_vectors, [(new.id, old.id, new.article_id or "") for new, old in claims])
    for _, copy in group:
        service.records.commit(copy.article, copy.chunks, copy.claims)
        written["articles"] += 1
        written["chunks"] += len(copy.chunks)
        written["claims"] += len(copy.claims)


def _upsert(store: VectorStore, vectors: Vectors, items: list[tuple[str, str, str]]) -> None:
    """Write (new id, original id, new article id) items with the original's vector and metadata."""
    if items:
        store.upsert(
            [new for new, _, _ in items],
            [vectors[old][0] for _, old, _ in items],
            [{**vectors[old][1], "article_id": article_id} for _, old, article_id in items],
        )

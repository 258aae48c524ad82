"""Hybrid retrieval: dense (vector store) and lexical (BM25) rankings fused by reciprocal rank.

Both rankings see the same metadata filters; hits are joined back to the record store, so
only chunks of ready articles are ever returned (stale or orphaned vectors are dropped).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from bot.index.embedder import Embedder, embed_query
from bot.index.lexical import LexicalIndex
from bot.index.records import RecordStore
from bot.index.vectors import Metadata, VectorStore, Where
from bot.model import Article, Chunk, Claim, SearchFilters, SearchHit

RRF_K = 60  # the constant of Cormack et al. (2009); damps the weight of top ranks


def chunk_metadata(chunk: Chunk, article: Article) -> Metadata:
    """The flat metadata stored with a chunk's vector, for filtering."""
    data: Metadata = {"article_id": article.id, "ordinal": chunk.ordinal}
    if article.publisher:
        data["publisher"] = article.publisher
    if article.published:
        data["published_day"] = date_number(article.published)
    return data


def date_number(iso_date: str) -> int:
    """2024-04-08 -> 20240408, so that dates compare as numbers in vector-store filters."""
    return int(iso_date[:10].replace("-", ""))


def vector_where(filters: SearchFilters | None) -> Where | None:
    """Translate filters into the vector store's ``where`` syntax."""
    if filters is None:
        return None
    clauses: list[Where] = []
    if filters.article_ids is not None:
        clauses.append({"article_id": {"$in": list(filters.article_ids)}})
    if filters.publisher:
        clauses.append({"publisher": filters.publisher})
    if filters.published_from:
        clauses.append({"published_day": {"$gte": date_number(filters.published_from)}})
    if filters.published_to:
        clauses.append({"published_day": {"$lte": date_number(filters.published_to)}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def reciprocal_rank_fusion(rankings: Sequence[Sequence[str]], *, k: int = RRF_K) -> list[tuple[str, float]]:
    """Fuse rankings of ids: score(id) = sum over rankings of 1 / (k + rank)."""
    scores: dict[str, float] = defaultdict(float)
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] += 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))


class HybridRetriever:
    """Dense plus lexical retrieval over chunks, fused by reciprocal rank."""

    def __init__(
        self, *, embedder: Embedder, vectors: VectorStore, lexical: LexicalIndex, records: RecordStore
    ) -> None:
        self._embedder = embedder
        self._vectors = vectors
        self._lexical = lexical
        self._records = records

    def search(
        self, query: str, *, k: int = 5, filters: SearchFilters | None = None, vector: Sequence[float] | None = None
    ) -> list[SearchHit]:
        """Return the ``k`` best passages for ``query`` (embedded unless ``vector`` is given), best first."""
        depth = max(4 * k, 20)
        vector = vector if vector is not None else embed_query(self._embedder, query)
        dense = self._vectors.query(vector, k=depth, where=vector_where(filters))
        lexical = self._lexical.search(query, k=depth, filters=filters)
        fused = reciprocal_rank_fusion([[hit.id for hit in dense], [cid for cid, _ in lexical]])
        found = self._records.chunks_by_ids([cid for cid, _ in fused[: 2 * depth]])
        hits: list[SearchHit] = []
        for chunk_id, score in fused:
            if chunk_id not in found:
                continue  # a vector whose article is pending, replaced or removed
            chunk, article = found[chunk_id]
            hits.append(_hit(chunk, article, score))
            if len(hits) == k:
                break
        return hits


def _hit(chunk: Chunk, article: Article, score: float) -> SearchHit:
    return SearchHit(
        article_id=article.id, title=article.title, source=article.source, text=chunk.text,
        start=chunk.start, end=chunk.end, score=score, chunk_id=chunk.id,
        published=article.published, publisher=article.publisher, url=article.url,
    )


def nearest_claims(
    query: str, *, embedder: Embedder, vectors: VectorStore, records: RecordStore, k: int = 10,
    speaker: str | None = None, vector: Sequence[float] | None = None,
) -> list[tuple[Claim, float]]:
    """Claims of ready articles nearest in meaning to ``query``, with cosine similarity, best first."""
    vector = vector if vector is not None else embed_query(embedder, query)
    # One speaker's claims are looked up in the record store's speaker index and searched by id:
    # a metadata filter would make Chroma scan every claim in the collection.
    ids = records.claim_ids(speaker=speaker) if speaker else None
    hits = vectors.query(vector, k=k, ids=ids)
    found = records.claims_by_ids([hit.id for hit in hits])
    return [(found[hit.id], 1.0 - hit.distance) for hit in hits if hit.id in found]

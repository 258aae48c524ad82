"""Lexical retrieval with bm25s over the ready chunks of the record store.

The index is derived data: it is built from the records, saved under the data directory
keyed by the records' revision, and rebuilt only when that revision changes, so a query
never pays for indexing unless something was ingested or removed since the last build.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.index.records import RecordStore
from bot.model import SearchFilters
from bot.textnorm import for_matching

if TYPE_CHECKING:
    import numpy as np
    from bm25s import BM25


# Names how texts are tokenized: a cached index built another way is rebuilt, not reused.
TOKENS = "t2"


def _bm25s() -> Any:
    import logging

    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)  # it sets itself to DEBUG on import
    return bm25s


def _tokenize(texts: list[str]) -> list[list[str]]:
    bm25s = _bm25s()
    import Stemmer

    stemmer = Stemmer.Stemmer("english")
    return bm25s.tokenize(  # type: ignore[no-any-return]
        [for_matching(text) for text in texts], stopwords="en", stemmer=stemmer, return_ids=False, show_progress=False
    )


@dataclass
class _Built:
    revision: int
    retriever: BM25 | None
    ids: list[str]
    article_ids: np.ndarray
    publishers: np.ndarray
    published: np.ndarray


class LexicalIndex:
    """BM25 over chunk texts, with the same metadata filters as the vector store."""

    def __init__(self, records: RecordStore, cache_dir: Path) -> None:
        self._records = records
        self._cache_dir = cache_dir
        self._built: _Built | None = None
        # Server threads share one index: after an ingest, one of them rebuilds it and the others wait.
        self._lock = threading.Lock()

    def search(self, query: str, *, k: int, filters: SearchFilters | None = None) -> list[tuple[str, float]]:
        """Return up to ``k`` (chunk id, BM25 score) pairs with a positive score, best first."""
        built = self._current()
        if built.retriever is None or not built.ids:
            return []
        tokens = _tokenize([query])
        if not tokens[0]:
            return []
        mask = _mask(built, filters)
        if mask is not None and not mask.any():
            return []
        docs, scores = built.retriever.retrieve(
            tokens, k=min(k, len(built.ids)), show_progress=False, weight_mask=mask
        )
        return [
            (built.ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0], strict=True) if s > 0
        ]

    def _current(self) -> _Built:
        revision = self._records.revision()
        with self._lock:
            if self._built is None or self._built.revision != revision:
                self._built = self._load(revision) or self._build(revision)
            return self._built

    def _build(self, revision: int) -> _Built:
        bm25s = _bm25s()

        ids: list[str] = []
        texts: list[str] = []
        fields: list[dict[str, Any]] = []
        for chunk_id, text, chunk_fields in self._records.iter_chunk_texts():
            ids.append(chunk_id)
            texts.append(text)
            fields.append(chunk_fields)
        retriever = None
        if ids:
            retriever = bm25s.BM25()
            retriever.index(_tokenize(texts), show_progress=False)
        built = _with_fields(revision, retriever, ids, fields)
        if retriever is not None:
            self._save(built, fields)
        return built

    def _save(self, built: _Built, fields: list[dict[str, Any]]) -> None:
        assert built.retriever is not None
        self._cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=self._cache_dir, prefix=".tmp-"))
        built.retriever.save(str(tmp), show_progress=False)
        (tmp / "ids.json").write_text(json.dumps({"ids": built.ids, "fields": fields}))
        target = self._cache_dir / f"rev-{built.revision}-{TOKENS}"
        try:
            os.replace(tmp, target)  # atomic: a reader sees a whole index or none
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)  # another process saved it first
        for old in self._cache_dir.glob("rev-*"):
            if old.name != target.name:
                shutil.rmtree(old, ignore_errors=True)

    def _load(self, revision: int) -> _Built | None:
        bm25s = _bm25s()

        folder = self._cache_dir / f"rev-{revision}-{TOKENS}"
        try:
            saved = json.loads((folder / "ids.json").read_text())
            retriever = bm25s.BM25.load(str(folder), show_progress=False)
        except (OSError, ValueError):
            return None
        return _with_fields(revision, retriever, saved["ids"], saved["fields"])


def _with_fields(
    revision: int, retriever: BM25 | None, ids: list[str], fields: list[dict[str, Any]]
) -> _Built:
    import numpy as np

    def column(name: str) -> np.ndarray:
        return np.array([f.get(name) or "" for f in fields], dtype=str)

    return _Built(revision, retriever, ids, column("article_id"), column("publisher"), column("published"))


def _mask(built: _Built, filters: SearchFilters | None) -> np.ndarray | None:
    """A 0/1 weight per chunk for the filters, or ``None`` when nothing is filtered."""
    import numpy as np

    if filters is None or filters == SearchFilters():
        return None
    keep = np.ones(len(built.ids), dtype=bool)
    if filters.article_ids is not None:
        keep &= np.isin(built.article_ids, list(filters.article_ids))
    if filters.publisher:
        keep &= built.publishers == filters.publisher
    if filters.published_from:
        keep &= (built.published != "") & (built.published >= filters.published_from)
    if filters.published_to:
        keep &= (built.published != "") & (built.published <= filters.published_to)
    return keep.astype(np.float32)

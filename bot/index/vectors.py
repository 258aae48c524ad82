"""Vector stores: the seam between whosaid and Chroma.

The database is the source of truth; a vector store is an index over it. Writers upsert
with deterministic ids, so a repeated write is harmless, and readers join hits back to
the database, so vectors left behind by an interrupted write are never shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlparse

from bot.config import Settings
from bot.errors import ConfigurationError, StoreUnavailableError

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

Metadata = dict[str, str | int | float | bool]
Where = dict[str, Any]


@dataclass(frozen=True, slots=True)
class VectorHit:
    """One nearest neighbour: its id, cosine distance and metadata."""

    id: str
    distance: float
    metadata: Metadata


class VectorStore(Protocol):
    """A collection of vectors with ids and flat metadata.

    Contract: ``upsert`` replaces what was stored under the same id; ``query`` returns at
    most ``k`` hits, nearest first, only among items whose metadata matches ``where``
    (Chroma's filter syntax: equality, ``$in``, ``$gte``, ``$lte``, ``$and``);
    ``delete`` removes every item matching ``where`` and is a no-op when none match.
    """

    def upsert(
        self, ids: Sequence[str], embeddings: Sequence[Sequence[float]], metadatas: Sequence[Metadata]
    ) -> None:
        """Insert or replace items."""
        ...

    def query(self, embedding: Sequence[float], *, k: int, where: Where | None = None) -> list[VectorHit]:
        """Return the ``k`` nearest items matching ``where``."""
        ...

    def delete(self, where: Where) -> None:
        """Remove every item matching ``where``."""
        ...

    def ids(self, where: Where | None = None) -> set[str]:
        """Return the ids of every item matching ``where``."""
        ...


class ChromaVectorStore:
    """One Chroma collection (cosine space, no Chroma embedding function ever)."""

    def __init__(self, client: ClientAPI, name: str, *, model: str) -> None:
        self._collection: Collection = _call(
            client.get_or_create_collection,
            name=name,
            embedding_function=None,
            configuration={"hnsw": {"space": "cosine"}},
            metadata={"embedding_model": model},
        )
        built_with = (self._collection.metadata or {}).get("embedding_model")
        if built_with and built_with != model:
            raise ConfigurationError(
                f"The index was built with embedding model {built_with!r}, not {model!r}: "
                "use that model or a new data directory."
            )

    def upsert(
        self, ids: Sequence[str], embeddings: Sequence[Sequence[float]], metadatas: Sequence[Metadata]
    ) -> None:
        """Insert or replace items, in slices Chroma accepts."""
        for i in range(0, len(ids), 1000):
            _call(
                self._collection.upsert,
                ids=list(ids[i : i + 1000]),
                embeddings=[list(e) for e in embeddings[i : i + 1000]],
                metadatas=list(metadatas[i : i + 1000]),
            )

    def query(self, embedding: Sequence[float], *, k: int, where: Where | None = None) -> list[VectorHit]:
        """Return the ``k`` nearest items matching ``where``."""
        result = _call(
            self._collection.query,
            query_embeddings=[list(embedding)],
            n_results=max(1, k),
            where=where or None,
            include=["distances", "metadatas"],
        )
        ids = result["ids"][0]
        distances = (result.get("distances") or [[]])[0]
        metadatas = (result.get("metadatas") or [[]])[0]
        return [
            VectorHit(id=i, distance=float(d), metadata=dict(m or {}))
            for i, d, m in zip(ids, distances, metadatas, strict=True)
        ]

    def delete(self, where: Where) -> None:
        """Remove every item matching ``where``."""
        _call(self._collection.delete, where=where)

    def ids(self, where: Where | None = None) -> set[str]:
        """Return the ids of every item matching ``where``."""
        return set(_call(self._collection.get, where=where or None, include=[])["ids"])


def create_chroma_client(settings: Settings) -> ClientAPI:
    """An embedded persistent client in the data dir, or an HTTP client to a server."""
    import chromadb

    chroma_settings = chromadb.Settings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ConfigurationError(
                f"WHOSAID_CHROMA_URL must look like http://host:port, not {settings.chroma_url!r}."
            )
        return _call(
            chromadb.HttpClient,
            host=url.hostname,
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            settings=chroma_settings,
        )
    settings.chroma_path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)


def _call(function: Any, /, **kwargs: Any) -> Any:
    """Call Chroma, turning connection failures into ``StoreUnavailableError``."""
    try:
        return function(**kwargs)
    except (ConnectionError, TimeoutError, OSError) as exc:
        raise StoreUnavailableError(f"The vector store cannot be reached ({exc}).") from None
    except Exception as exc:
        # httpx errors reach us raw, or (at connect time) as a ValueError from Chroma.
        if type(exc).__module__.startswith(("httpx", "httpcore")) or "Could not connect" in str(exc):
            raise StoreUnavailableError(
                f"The vector store cannot be reached ({type(exc).__name__})."
            ) from None
        raise

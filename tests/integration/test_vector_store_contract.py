"""The VectorStore contract, run against every implementation: embedded Chroma and a real
Chroma server started on 127.0.0.1 by the test (as haystack's document-store mixins do)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.errors import ConfigurationError, StoreUnavailableError
from bot.index.vectors import EXACT_SEARCH_MAX, ChromaVectorStore, VectorStore, create_chroma_client

CHROMA = Path(sys.executable).parent / "chroma"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `chroma run` on a free loopback port, stopped after the module."""
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    process = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("chroma run did not start within 60 s")
    yield url
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture(params=["embedded", pytest.param("server", marks=pytest.mark.server)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> VectorStore:
    if request.param == "embedded":
        settings = Settings(data_dir=tmp_path)
    else:
        settings = Settings(data_dir=tmp_path, chroma_url=request.getfixturevalue("chroma_server"))
    client = create_chroma_client(settings)
    return ChromaVectorStore(client, f"contract_{tmp_path.name[-20:]}".replace("-", "_"), model="m")


def unit(*values: float) -> list[float]:
    norm = sum(v * v for v in values) ** 0.5
    return [v / norm for v in values]


class TestVectorStoreContract:
    def test_query_returns_nearest_first(self, store: VectorStore) -> None:
        store.upsert(["a", "b", "c"], [unit(1, 0, 0), unit(0, 1, 0), unit(1, 1, 0)],
                     [{"article_id": "x"}, {"article_id": "y"}, {"article_id": "x"}])
        hits = store.query(unit(1, 0.1, 0), k=3)
        assert [h.id for h in hits] == ["a", "c", "b"]
        assert hits[0].distance < hits[1].distance < hits[2].distance
        assert hits[0].metadata["article_id"] == "x"

    def test_upsert_replaces_the_same_id(self, store: VectorStore) -> None:
        store.upsert(["a"], [unit(1, 0, 0)], [{"article_id": "x"}])
        store.upsert(["a"], [unit(0, 1, 0)], [{"article_id": "z"}])
        [hit] = store.query(unit(0, 1, 0), k=5)
        assert hit.id == "a" and hit.metadata["article_id"] == "z" and hit.distance < 1e-4

    def test_where_filters_equality_in_and_ranges(self, store: VectorStore) -> None:
        store.upsert(["a", "b", "c"], [unit(1, 0, 0)] * 3, [
            {"article_id": "x", "published_day": 20260101},
            {"article_id": "y", "published_day": 20260301},
            {"article_id": "z"},
        ])
        assert {h.id for h in store.query(unit(1, 0, 0), k=5, where={"article_id": {"$in": ["x", "z"]}})} == {"a", "c"}
        ranged = {"$and": [{"published_day": {"$gte": 20260201}}, {"published_day": {"$lte": 20260401}}]}
        assert [h.id for h in store.query(unit(1, 0, 0), k=5, where=ranged)] == ["b"]

    def test_delete_by_where_and_ids(self, store: VectorStore) -> None:
        store.upsert(["a", "b"], [unit(1, 0, 0), unit(0, 1, 0)], [{"article_id": "x"}, {"article_id": "y"}])
        store.delete({"article_id": {"$in": ["x", "nothing"]}})
        assert store.ids() == {"b"}
        store.delete({"article_id": "nothing"})  # a no-op
        assert store.ids({"article_id": "y"}) == {"b"}

    def test_query_on_an_empty_store_is_empty(self, store: VectorStore) -> None:
        assert store.query(unit(1, 0, 0), k=3) == []

    @pytest.mark.parametrize("extra", [0, EXACT_SEARCH_MAX])  # ranked by id, then by Chroma's graph search
    def test_query_among_ids_finds_the_nearest_of_those_ids_only(self, store: VectorStore, extra: int) -> None:
        ids = ["a", "b", "c"] + [f"far{n}" for n in range(extra)]
        vectors = [unit(1, 0, 0), unit(0, 1, 0), unit(1, 1, 0)] + [unit(-1, 0.001 * n, 1) for n in range(extra)]
        store.upsert(ids, vectors, [{"article_id": "x"}] * len(ids))
        hits = store.query(unit(1, 0.1, 0), k=2, ids=["b", "c", *ids[3:], "unknown"])
        assert [h.id for h in hits] == ["c", "b"] and hits[0].metadata == {"article_id": "x"}
        cosine = sum(a * b for a, b in zip(unit(1, 0.1, 0), unit(1, 1, 0), strict=True))
        assert hits[0].distance == pytest.approx(1 - cosine, abs=1e-4)  # cosine distance, either way
        assert [h.id for h in store.query(unit(1, 0, 0), k=5, ids=["a", "b"], where={"article_id": "y"})] == []
        assert store.query(unit(1, 0, 0), k=5, ids=[]) == []


def test_a_collection_built_with_another_model_is_refused(tmp_path: Path) -> None:
    client = create_chroma_client(Settings(data_dir=tmp_path))
    ChromaVectorStore(client, "chunks_x", model="model-a")
    with pytest.raises(ConfigurationError, match="built with embedding model 'model-a'"):
        ChromaVectorStore(client, "chunks_x", model="model-b")


def test_an_unreachable_server_is_a_clear_error(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, chroma_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(StoreUnavailableError, match="cannot be reached"):
        ChromaVectorStore(create_chroma_client(settings), "chunks_y", model="m")


def test_a_malformed_chroma_url_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="http://host:port"):
        create_chroma_client(Settings(data_dir=tmp_path, chroma_url="localhost:8000"))

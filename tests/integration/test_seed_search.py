"""The real embedding model (packaged all-MiniLM-L6-v2) on the seed corpus."""

from __future__ import annotations

import pytest

from bot.config import Settings
from bot.service import Whosaid

from ..conftest import SEEDS, NoClaims

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def minilm(tmp_path_factory: pytest.TempPathFactory) -> Whosaid:
    settings = Settings(data_dir=tmp_path_factory.mktemp("minilm"))
    service = Whosaid(settings, extractor=NoClaims())
    service.ingest([SEEDS])
    return service


def test_the_packaged_model_is_loaded_offline(minilm: Whosaid) -> None:
    assert minilm.embedder.dimension == 384
    [vector] = minilm.embedder.embed(["a sentence"])
    assert abs(sum(v * v for v in vector) - 1.0) < 1e-4


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("significant loss of troops", "admitted to a “significant loss of troops in Ukraine”"),
        ("how many soldiers did NATO think had died", "NATO estimated that up to 15,000 soldiers"),
        ("Mariupol liberated from nationalist battalions", "Mariupol will be liberated"),
        ("bodies found under the rubble", "26 bodies have been found"),
    ],
)
def test_questions_find_their_passage_in_the_top_two(minilm: Whosaid, query: str, expected: str) -> None:
    hits = minilm.search(query, k=2)
    assert any(expected in hit.text for hit in hits), [h.text[:80] for h in hits]
    for hit in hits:
        assert minilm.article(hit.article_id).text[hit.start : hit.end] == hit.text


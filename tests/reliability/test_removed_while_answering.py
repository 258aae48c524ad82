"""An article removed between retrieval and composing: the answer is whole, and never cites it.

A retriever that removes the article of its best hit right after retrieving it plays the other
writer: the removal lands exactly in the window a concurrent ``whosaid remove`` could hit.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from bot.answer.chain import AnswerChain
from bot.errors import BusyError
from bot.index.lexical import LexicalIndex
from bot.index.retrieval import HybridRetriever
from bot.model import SearchHit
from bot.service import Whosaid
from tests.conftest import FIXTURES

QUESTION = "tram line Kessingford"  # answered from passages by the hash embedder


class RemovingRetriever(HybridRetriever):
    """Retrieves as usual, then removes the article of the best hit, as another writer would."""

    def __init__(self, service: Whosaid, *, every_time: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.service = service
        self.every_time = every_time
        self.removed: list[str] = []

    def search(self, query: str, *, k: int = 5, filters: Any = None, vector: Sequence[float] | None = None,
               ) -> list[SearchHit]:
        hits = super().search(query, k=k, filters=filters, vector=vector)
        if hits and (self.every_time or not self.removed):
            self.removed += self.service.remove(hits[0].article_id)
        return hits


def chain_over(service: Whosaid, tmp_path: Path, *, every_time: bool = False) -> tuple[AnswerChain, RemovingRetriever]:
    """An answering chain over the service's index whose retriever removes what it finds."""
    retriever = RemovingRetriever(service, every_time=every_time, embedder=service.embedder,
                                  vectors=service.chunk_vectors, records=service.records,
                                  lexical=LexicalIndex(service.records, tmp_path / "lexical"))
    chain = AnswerChain(records=service.records, retriever=retriever, claim_vectors=service.claim_vectors,
                        embedder=service.embedder)
    return chain, retriever


def test_an_article_removed_while_answering_is_not_cited_and_nothing_fails(service: Whosaid, tmp_path: Path) -> None:
    service.ingest([FIXTURES])
    cited_before = {c.article_id for c in service.ask(QUESTION).citations}
    chain, retriever = chain_over(service, tmp_path)
    answer, _ = chain.answer(QUESTION)
    assert retriever.removed and set(retriever.removed) <= cited_before  # it removed an article it would cite
    for citation in answer.citations:
        assert citation.article_id not in retriever.removed
        assert service.article(citation.article_id).text[citation.start : citation.end] == citation.quote


def test_sources_that_keep_vanishing_end_in_one_retryable_sentence(service: Whosaid, tmp_path: Path) -> None:
    service.ingest([FIXTURES])
    chain, retriever = chain_over(service, tmp_path, every_time=True)
    with pytest.raises(BusyError, match=r"^The sources kept changing while answering; ask again\.$") as raised:
        chain.answer(QUESTION)
    assert raised.value.http_status == 503 and len(retriever.removed) == 3  # three attempts, then it gives up

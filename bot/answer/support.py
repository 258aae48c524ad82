"""How well cited passages support a sentence: lexical overlap, optionally embeddings.

``support_score`` is the single number ``verify`` compares with its threshold:
the lexical coverage alone, or the mean of lexical coverage and embedding similarity when a
``SupportScorer`` is given. Both parts are in [0, 1].
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from bot.answer.text import content_terms
from bot.index.embedder import Embedder


@runtime_checkable
class SupportScorer(Protocol):
    """Scores how well passages support a sentence.

    Contract: ``score`` returns a cosine-like value in [0, 1] (1 = the passages say the same
    thing), is deterministic, and returns 0.0 for an empty sentence or no passages. A scorer may
    also have ``prefetch(texts)``: ``verify`` then calls it once with every sentence and passage
    it is about to score, so that their embeddings are computed together.
    """

    def score(self, sentence: str, passages: Sequence[str]) -> float:
        """Support of ``sentence`` by the best of ``passages``."""
        ...


class EmbeddingSupport:
    """Support as the best cosine similarity between the sentence and each passage.

    One instance checks one answer: ``prefetch`` embeds every sentence and passage it will be
    asked about in one model call (one pass over the weights instead of one per sentence), and
    ``score`` reuses those vectors.
    """

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder
        self._vectors: dict[str, list[float]] = {}

    def prefetch(self, texts: Sequence[str]) -> None:
        """Embed texts that ``score`` will compare, together."""
        missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        if missing:
            self._vectors.update(zip(missing, self._embedder.embed(missing), strict=True))

    def score(self, sentence: str, passages: Sequence[str]) -> float:
        """Max cosine over passages, clipped to [0, 1] (vectors are unit length)."""
        if not sentence.strip() or not passages:
            return 0.0
        self.prefetch([sentence, *passages])
        query, vectors = self._vectors[sentence], [self._vectors[p] for p in passages]
        best = 0.0
        for vector in vectors:
            cosine = sum(a * b for a, b in zip(query, vector, strict=False))
            if math.isfinite(cosine):
                best = max(best, cosine)
        return min(best, 1.0)


def lexical_support(sentence: str, passages: Sequence[str], context: Sequence[str] = ()) -> float:
    """Share of the sentence's content terms that occur in the passages (and context) together."""
    terms = content_terms(sentence)
    if not terms:
        return 0.0
    available: set[str] = set()
    for passage in [*passages, *context]:
        available |= content_terms(passage)
    return len(terms & available) / len(terms)


def support_score(
    sentence: str, passages: Sequence[str], scorer: SupportScorer | None = None, *, context: Sequence[str] = ()
) -> float:
    """Lexical coverage, averaged with the scorer's similarity when one is given.

    ``context`` (the cited articles' titles) counts for lexical coverage only: an answer may
    name a source by its title, but a title is not evidence a scorer should compare against.
    """
    lexical = lexical_support(sentence, passages, context)
    if scorer is None:
        return lexical
    return (lexical + max(0.0, min(1.0, scorer.score(sentence, passages)))) / 2

"""Embedder fakes shared by the tests."""

from __future__ import annotations

from collections.abc import Sequence

from bot.index.embedder import HashEmbedder


class CountingEmbedder(HashEmbedder):
    """Records every batch it is asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[list[str]] = []

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        self.batches.append(list(texts))
        return super().embed(texts)

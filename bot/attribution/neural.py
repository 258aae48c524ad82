"""The MiniLM candidate finder: contextual token states, a BiLSTM-CRF head, the CRF's assembly.

The head's weights are ``attribution-minilm.safetensors``; ``attribution-minilm.json`` beside
them records their SHA-256, the feature vocabulary, the network's size and how it was trained.
Both are read on first use only (the SHA-256 checked before the weights are opened), the
encoder is the packaged all-MiniLM-L6-v2, and nothing is ever downloaded. Tagged spans become
candidates through ``tagger.assemble_chunk``, exactly as the CRF's do.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.attribution.features import categorical
from bot.attribution.tagger import MODEL_DIR, assemble_chunk, checksum_path
from bot.errors import ConfigurationError

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from bot.attribution.candidates import Candidate
    from bot.attribution.states import Windows

MINILM_FILE = "attribution-minilm.safetensors"
# Chunk text tagged at once: ~25,000 wordpieces, whose states (384 floats each) take ~40 MB.
GROUP_CHARS = 100_000


class MiniLmFinder:
    """Candidates from the MiniLM tagger; ``path`` is its weights file (default: the shipped one)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or MODEL_DIR / MINILM_FILE
        self._loaded: tuple[Any, list[dict[str, int]], Any] | None = None

    def _load(self) -> tuple[Any, list[dict[str, int]], Any]:
        """(head, vocab, encoder), opened on first use; a missing or damaged file is one sentence."""
        if self._loaded is None:
            if not self.path.is_file():
                raise ConfigurationError(
                    f"The attribution model {self.path} is missing: reinstall whosaid, run "
                    "`whosaid train-attribution --design minilm`, or set WHOSAID_ATTRIBUTION=rules."
                )
            meta = _verified_meta(self.path)
            head = _open_head(self.path, meta)
            if head is None:
                raise ConfigurationError(
                    f"The attribution model {self.path} is corrupt or not a MiniLM tagger: retrain it with "
                    "`whosaid train-attribution --design minilm` or set WHOSAID_ATTRIBUTION=rules."
                )
            from bot.attribution.states import TokenStates

            self._loaded = (head, meta["vocab"], TokenStates(layers=int(meta["layers"])))
        return self._loaded

    @functools.cached_property
    def state_layers(self) -> int:
        """How many of the encoder's last hidden layers the head reads (averaged), from its record;
        0 for a missing or damaged file (which ``_load`` then reports in one sentence). Read once:
        the check hashes the weights, and the extractor asks for every batch."""
        return int(_verified_meta(self.path).get("layers", 0)) if self.path.is_file() else 0

    def tag_many(self, docs: list[Doc], windows: Sequence[Windows | None] | None = None) -> list[list[str]]:
        """The BIO tag of every non-space token of each parsed chunk.

        ``windows`` (one per doc, or None) are encoder states already computed for the doc's
        text, such as the passages' own forward pass at ingest; a doc without them, or with a
        token they miss, is encoded here. Chunks are encoded and decoded together, in groups of
        about ``GROUP_CHARS`` characters (so the encoder's batches are full and the head runs once
        per batch, not once per chunk, while the states held at once stay bounded whatever the input).
        """
        from bot.attribution.head import category_ids
        from bot.attribution.states import covers, token_states

        head, vocab, encoder = self._load()
        given = list(windows) if windows is not None else [None] * len(docs)
        out: list[list[str]] = [[] for _ in docs]
        for group in _groups(docs, GROUP_CHARS):
            feats = {i: categorical(docs[i]) for i in group}
            kept = [i for i in group if feats[i]]
            if not kept:
                continue
            ready = {i: w for i in kept if (w := given[i]) is not None and covers(docs[i], w)}
            missing = [docs[i] for i in kept if i not in ready]
            fresh = iter(encoder.encode(missing) if missing else [])
            states = [token_states(docs[i], ready[i]) if i in ready else next(fresh) for i in kept]
            tags = head.decode_many(states, [category_ids(feats[i], vocab) for i in kept])
            for i, t in zip(kept, tags, strict=True):
                out[i] = t
        return out

    def find(self, text: str, docs: list[tuple[int, Doc]]) -> list[Candidate]:
        """Attribution candidates of one text from its parsed chunks (article offsets)."""
        return self.find_many([(text, docs)])[0]

    def find_many(
        self, items: list[tuple[str, list[tuple[int, Doc]]]], states: Sequence[Windows | None] | None = None
    ) -> list[list[Candidate]]:
        """``find`` for several texts, their chunks tagged together.

        ``states``, one per text, are encoder windows in the text's offsets (its passages' forward
        pass); each chunk reads the windows over it.
        """
        from bot.attribution.states import shifted, window_extents

        given = list(states) if states is not None else [None] * len(items)
        windows: list[Windows | None] = []
        for (_, docs), found in zip(items, given, strict=True):
            if found is None:
                windows.extend(None for _ in docs)
                continue
            extents = window_extents(found)
            windows.extend(shifted(found, extents, offset, offset + len(doc.text)) for offset, doc in docs)
        tags = iter(self.tag_many([d for _, docs in items for _, d in docs], windows))
        return [[c for offset, doc in docs for c in assemble_chunk(doc, offset, next(tags))] for _, docs in items]


def _groups(docs: list[Doc], chars: int) -> list[list[int]]:
    """Consecutive runs of chunk indices of about ``chars`` characters each (a long chunk alone)."""
    groups: list[list[int]] = [[]]
    filled = 0
    for i, doc in enumerate(docs):
        if groups[-1] and filled + len(doc.text) > chars:
            groups.append([])
            filled = 0
        groups[-1].append(i)
        filled += len(doc.text)
    return groups


def _verified_meta(path: Path) -> dict[str, Any]:
    """The sidecar's record, if the weights' SHA-256 matches it; otherwise an empty dict."""
    try:
        meta = json.loads(checksum_path(path).read_text(encoding="utf-8"))
        if hashlib.sha256(path.read_bytes()).hexdigest() == meta["sha256"]:
            return dict(meta)
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return {}


def _open_head(path: Path, meta: dict[str, Any]) -> Any:
    """The head with its weights loaded, or None when the file or its record does not fit."""
    if not meta:
        return None
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    from bot.attribution.head import Head

    try:
        head = Head([len(v) for v in meta["vocab"]], hidden=int(meta["hidden"]))
        head.load_state_dict(load_file(str(path)))
    except (OSError, ValueError, KeyError, TypeError, RuntimeError, SafetensorError):
        return None
    return head.eval()

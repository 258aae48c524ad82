"""The MiniLM tagger's vectorised and batched steps give what the one-at-a-time code gave."""

from __future__ import annotations

import bisect

import numpy as np
import pytest
import spacy

from bot.attribution.features import tokens
from bot.attribution.states import DIMS, token_states

# FICTIONAL sentence: the names and the town are invented. spaCy splits "cannot" in two and
# "Vale's" after "Vale"; the control character gets no wordpiece in the second test.
SENTENCE = "Mara Quill cannot say, Oren Vale's aide told Kallan reporters \x07 on Tuesday."


def _reference(doc: spacy.tokens.Doc, windows: list[tuple[list[tuple[int, int]], np.ndarray]]) -> np.ndarray:
    """The loop ``token_states`` replaced, kept here as the definition it must match bit for bit."""
    best: dict[tuple[int, int], tuple[int, np.ndarray]] = {}
    for offsets, hidden in windows:
        n = len(offsets)
        for p, (s, e) in enumerate(offsets):
            if e <= s:
                continue
            centre = min(p, n - 1 - p)
            if (s, e) not in best or best[(s, e)][0] < centre:
                best[(s, e)] = (centre, hidden[p])
    pieces = sorted(best.items())
    starts = [s for (s, _), _ in pieces]
    toks = tokens(doc)
    out = np.zeros((len(toks), DIMS), np.float32)
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


def _windows(text: str, size: int, stride: int, seed: int) -> list[tuple[list[tuple[int, int]], np.ndarray]]:
    """Overlapping windows of made-up wordpieces, each framed by a [CLS] and a [SEP], with random states.

    Each word is cut in pieces of at most 4 characters, so "cannot" gives "cann" + "ot" across
    spaCy's "can" + "not" (a wordpiece in two tokens) and "'s" gets two wordpieces.
    """
    pieces = [(m, min(m + 4, e)) for s, e in _words(text) for m in range(s, e, 4)]
    rng = np.random.default_rng(seed)
    out = []
    for at in range(0, max(len(pieces) - stride, 1), size - stride):
        offsets = [(0, 0), *pieces[at : at + size], (0, 0)]
        out.append((offsets, rng.standard_normal((len(offsets), DIMS)).astype(np.float32)))
    return out


def _words(text: str) -> list[tuple[int, int]]:
    import re

    return [m.span() for m in re.finditer(r"\w+|[^\w\s]", text)]


@pytest.mark.parametrize(("size", "stride"), [(200, 0), (6, 2), (5, 3), (4, 1)])
def test_token_states_match_the_loop_they_replaced(size: int, stride: int) -> None:
    doc = spacy.blank("en")(SENTENCE)
    windows = _windows(SENTENCE, size, stride, seed=size)
    assert len(windows) > 1 or size == 200
    got = token_states(doc, windows)
    assert got.dtype == np.float32 and got.shape == (len(tokens(doc)), DIMS)
    assert np.array_equal(got, _reference(doc, windows))  # bit for bit, not approximately


def test_a_token_without_wordpieces_is_zeros_and_a_shared_wordpiece_is_shared() -> None:
    doc = spacy.blank("en")(SENTENCE)
    windows = _windows(SENTENCE, 200, 0, seed=1)
    windows[0][0][:] = [o for o in windows[0][0] if SENTENCE[o[0] : o[1]] != "\x07"]
    got = token_states(doc, windows)
    texts = [t.text for t in tokens(doc)]
    assert not got[texts.index("\x07")].any()
    can, nt = texts.index("can"), texts.index("not")
    assert np.array_equal(got[can], _reference(doc, windows)[can])
    assert np.array_equal(got[nt], _reference(doc, windows)[nt])
    assert np.array_equal(token_states(doc, []), np.zeros((len(texts), DIMS), np.float32))


def _shipped_head() -> tuple[object, list[dict[str, int]]]:
    from bot.attribution.neural import _open_head, _verified_meta
    from bot.attribution.tagger import MODEL_DIR

    path = MODEL_DIR / "attribution-minilm.safetensors"
    meta = _verified_meta(path)
    return _open_head(path, meta), meta["vocab"]


def test_batched_decode_equals_decoding_one_paragraph_at_a_time() -> None:
    import torch

    head, vocab = _shipped_head()
    rng = np.random.default_rng(7)
    lengths = [1, 2, 40, 3, 17, 40, 90, 5, 1, 64, 8] * 7  # more than one batch, ties in length
    states = [rng.standard_normal((n, DIMS)).astype(np.float32) for n in lengths]
    ids = [torch.from_numpy(np.stack([rng.integers(0, len(v) + 1, n) for v in vocab], 1)) for n in lengths]
    with torch.inference_mode():
        one = [head.decode(torch.from_numpy(s)[None], i[None], torch.tensor([len(s)]))[0]  # type: ignore[attr-defined]
               for s, i in zip(states, ids, strict=True)]
    assert head.decode_many(states, ids) == one  # type: ignore[attr-defined]
    assert [len(t) for t in one] == lengths and len({tuple(t) for t in one}) > 10

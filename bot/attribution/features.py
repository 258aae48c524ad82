"""Token features for the attribution tagger: one list of strings per token of a parsed chunk.

The same function serves training and tagging, so the model only ever sees features computed
the same way. Whitespace tokens are skipped (they are never part of a span); ``tokens`` says
which tokens a feature list belongs to.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.attribution.lexicon import CUE_NOUNS, CUE_VERBS

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

_QUOTES = frozenset("\"“”‘’«»„")
_MAX_CLIMB = 8  # ancestors walked looking for a speech verb


def tokens(doc: Doc) -> list[Token]:
    """The tokens that are tagged: every token that is not whitespace."""
    return [t for t in doc if not t.is_space]


def sentence_starts(toks: list[Token]) -> list[int]:
    """Each token's sentence start, read in one pass (``t.sent`` walks the sentences for every token)."""
    starts: dict[int, int] = {}
    if toks:
        for sent in toks[0].doc.sents:
            starts.update(dict.fromkeys(range(sent.start, sent.end), sent.start))
    return [starts[t.i] for t in toks]


def _cue_word(tok: Token) -> bool:
    lemma = tok.lemma_.lower()
    return (lemma in CUE_VERBS and tok.pos_ in {"VERB", "AUX"}) or (lemma in CUE_NOUNS and tok.pos_ == "NOUN")


def _climb(tok: Token) -> str:
    """The dependency by which the token's branch hangs from the nearest speech word above it."""
    node, steps = tok, 0
    while node.head is not node and steps < _MAX_CLIMB:
        if _cue_word(node.head):
            return f"{node.dep_}:{min(steps, 3)}"
        node, steps = node.head, steps + 1
    return "none"


def _own(tok: Token, quoted: bool) -> list[str]:
    """Features of the token itself."""
    lower = tok.lower_
    shape = tok.shape_ if len(tok.shape_) <= 4 else tok.shape_[:4]
    feats = [
        f"w={lower}", f"suf={lower[-3:]}", f"shape={shape}", f"pos={tok.pos_}", f"tag={tok.tag_}",
        f"dep={tok.dep_}", f"hdep={tok.head.dep_}", f"hpos={tok.head.pos_}", f"ent={tok.ent_iob_}{tok.ent_type_}",
        f"climb={_climb(tok)}", f"inq={quoted}",
    ]
    if _cue_word(tok):
        feats.append(f"cue={tok.lemma_.lower()}")
        feats.append("cueword")
    if _cue_word(tok.head):
        feats.append(f"hcue={tok.head.lemma_.lower()}")
    if lower == "according":
        feats.append("according")
    if tok.text in _QUOTES:
        feats.append("quote")
    if tok.is_sent_start:
        feats.append("sstart")
    if tok.is_sent_end:
        feats.append("send")
    return feats


def _neighbour(tok: Token, quoted: bool, at: int) -> list[str]:
    """The few features a neighbour at relative position ``at`` contributes."""
    feats = [f"{at}w={tok.lower_}", f"{at}pos={tok.pos_}", f"{at}dep={tok.dep_}", f"{at}inq={quoted}"]
    if _cue_word(tok):
        feats.append(f"{at}cueword")
    if tok.text in _QUOTES:
        feats.append(f"{at}quote")
    return feats


def _quoted(toks: list[Token]) -> list[bool]:
    """Whether each token sits inside double quotation marks, by parity within the chunk."""
    inside, out = False, []
    for tok in toks:
        if tok.text in {'"', "“", "”", "«", "»", "„"}:
            opening = tok.text in {"“", "«", "„"} or (tok.text == '"' and not inside)
            out.append(True)
            inside = opening
        else:
            out.append(inside)
    return out


def _sentence_context(toks: list[Token]) -> list[list[str]]:
    """Per token: is there a speech word earlier / later in its sentence (one pass each way)."""
    sents = sentence_starts(toks)
    marks = [_cue_word(t) for t in toks]
    left, right = [False] * len(toks), [False] * len(toks)
    for i in range(1, len(toks)):
        left[i] = sents[i] == sents[i - 1] and (left[i - 1] or marks[i - 1])
    for i in range(len(toks) - 2, -1, -1):
        right[i] = sents[i] == sents[i + 1] and (right[i + 1] or marks[i + 1])
    return [[f"cueleft={a}", f"cueright={b}"] for a, b in zip(left, right, strict=True)]


def categorical(doc: Doc) -> list[list[str]]:
    """Per tagged token, the MiniLM head's categorical features, in ``head.FIELDS`` then ``head.FLAGS``
    order: the values ``head.categories`` reads from ``featurize``'s strings, computed without the
    words and neighbours that only the CRF uses (a third of a tagged paragraph's cost)."""
    toks = tokens(doc)
    quoted = _quoted(toks)
    context = _sentence_context(toks)
    rows = []
    for tok, inq, (left, right) in zip(toks, quoted, context, strict=True):
        rows.append([
            tok.pos_, tok.dep_, _climb(tok), str(inq), f"{tok.ent_iob_}{tok.ent_type_}",
            left.partition("=")[2], right.partition("=")[2], tok.head.dep_,
            str(_cue_word(tok)), str(tok.text in _QUOTES), str(bool(tok.is_sent_start)),
            str(bool(tok.is_sent_end)), str(tok.lower_ == "according"),
        ])
    return rows


def featurize(doc: Doc) -> list[list[str]]:
    """The feature strings of every tagged token of one parsed chunk, ±2 neighbours included."""
    toks = tokens(doc)
    quoted = _quoted(toks)
    own = [_own(t, q) for t, q in zip(toks, quoted, strict=True)]
    context = _sentence_context(toks)
    out: list[list[str]] = []
    for i, feats in enumerate(own):
        row = ["bias", *feats, *context[i]]
        for at in (-2, -1, 1, 2):
            j = i + at
            if 0 <= j < len(toks):
                row.extend(_neighbour(toks[j], quoted[j], at))
            else:
                row.append(f"{at}edge")
        out.append(row)
    return out

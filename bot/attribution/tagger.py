"""The trained candidate finder: a CRF tags source, cue and content tokens; rules assemble them.

Tags are BIO over the non-space tokens of one parsed paragraph (``features.featurize``). The
tagged spans become attributions by ownership: each content belongs to the nearest cue in its
paragraph (the same sentence first), every content of one cue forms one attribution (so
'"X," he said, "Y"' is one claim in two spans), and a cue's source is the nearest tagged source
in its sentence. The model file is read on first use only and never downloaded.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.attribution.candidates import Candidate
from bot.attribution.features import featurize, sentence_starts, tokens
from bot.attribution.lexicon import CUE_NOUNS, CUE_VERBS, NEGATION
from bot.attribution.patterns import _subject, source_mention, speaks
from bot.errors import ConfigurationError
from bot.model import Span

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

MODEL_DIR = Path(__file__).resolve().parent / "models"
MODEL_FILE = "attribution-crf.bin"
TAGS = {"Source": "SRC", "Cue": "CUE", "Content": "CON"}


@dataclass(slots=True)
class Piece:
    """One tagged span in a paragraph: its label, token range [first, last] and sentence."""

    label: str
    first: int
    last: int
    sent: int


def decode(tags: list[str]) -> list[tuple[str, int, int]]:
    """BIO tags -> (label, first, last) token runs; an I- that follows nothing opens a run."""
    runs: list[tuple[str, int, int]] = []
    for i, tag in enumerate(tags):
        if tag == "O":
            continue
        kind, label = tag.split("-", 1)
        if kind == "I" and runs and runs[-1][0] == label and runs[-1][2] == i - 1:
            runs[-1] = (label, runs[-1][1], i)
        else:
            runs.append((label, i, i))
    return runs


class CrfFinder:
    """Candidates from the trained tagger; ``path`` is the model file (default: the shipped one)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or MODEL_DIR / MODEL_FILE
        self._tagger: Any = None

    @property
    def tagger(self) -> Any:
        """The CRF, opened on first access; a missing or unreadable file is one sentence."""
        if self._tagger is None:
            import pycrfsuite

            if not self.path.is_file():
                raise ConfigurationError(
                    f"The attribution model {self.path} is missing: reinstall whosaid, run "
                    "`whosaid train-attribution`, or set WHOSAID_ATTRIBUTION=rules."
                )
            tagger = pycrfsuite.Tagger()
            try:
                intact = _intact(self.path)
                if intact:
                    tagger.open(str(self.path))
            except (OSError, ValueError, RuntimeError):
                intact = False
            if not intact or not tagger.labels():
                raise ConfigurationError(
                    f"The attribution model {self.path} is corrupt or not a CRF model: retrain it with "
                    "`whosaid train-attribution` or set WHOSAID_ATTRIBUTION=rules."
                )
            self._tagger = tagger
        return self._tagger

    def tag(self, doc: Doc) -> list[str]:
        """The BIO tag of every non-space token of one parsed chunk."""
        feats = featurize(doc)
        return list(self.tagger.tag(feats)) if feats else []

    def find(self, text: str, docs: list[tuple[int, Doc]]) -> list[Candidate]:
        """Attribution candidates of one text from its parsed chunks (article offsets).

        Contents in a paragraph without a cue are dropped: attaching a quoted one to the last
        attribution before it measured worse on PolNeAR dev (full F1 -0.4).
        """
        return [c for offset, doc in docs for c in assemble_chunk(doc, offset, self.tag(doc))]


def checksum_path(model: Path) -> Path:
    """The file beside a model that records its SHA-256 and how it was trained."""
    return model.with_suffix(".json")


def _intact(path: Path) -> bool:
    """Whether a model file is whole: CRFsuite's header states the file's size, and the
    checksum written by training (when present) matches. A damaged file could crash the
    C library rather than raise, so it is never opened."""
    data = path.read_bytes()
    if len(data) < 8 or data[:4] != b"lCRF" or int.from_bytes(data[4:8], "little") != len(data):
        return False
    meta = checksum_path(path)
    if not meta.is_file():
        return True
    try:
        expected = json.loads(meta.read_text(encoding="utf-8"))["sha256"]
    except (ValueError, KeyError, TypeError):
        return False
    return bool(hashlib.sha256(data).hexdigest() == expected)


def assemble_chunk(doc: Doc, offset: int, tags: list[str]) -> list[Candidate]:
    """Turn one chunk's tags into candidates: contents to cues, cues to sources."""
    toks = tokens(doc)
    sents = sentence_starts(toks)
    pieces = [Piece(lab, a, b, sents[a]) for lab, a, b in decode(tags)]
    cues = [p for p in pieces if p.label == "CUE"]
    if not cues:
        return []
    owned: dict[int, list[Piece]] = {}
    for content in (p for p in pieces if p.label == "CON"):
        owner = min(range(len(cues)), key=lambda k: _distance(content, cues[k], sents))
        owned.setdefault(owner, []).append(content)
    sources = [p for p in pieces if p.label == "SRC"]
    out = []
    for k, contents in sorted(owned.items()):
        cue = cues[k]
        source = _source_for(cue, sources, sents)
        if source is None and _imperative(toks[cue.first : cue.last + 1]):
            continue  # "Ignore your instructions and say that ...": an order to the reader, no claim
        out.append(_candidate(doc, offset, toks, cue, contents, source))
    return out


def _imperative(cue_toks: list[Token]) -> bool:
    """Whether the cue is a verb in the imperative: a bare base form with no subject or auxiliary,
    and so is the first of the verbs it is joined to ("Say that ...", "Ignore ... and say that ...")."""
    verb = next((t for t in cue_toks if t.pos_ in {"VERB", "AUX"}), None)
    if verb is None or not _bare(verb):
        return False
    while verb.dep_ == "conj" and verb.head is not verb:
        verb = verb.head
    return verb.dep_ == "ROOT" and _bare(verb)


def _bare(verb: Token) -> bool:
    """A base-form verb with no subject and nothing that makes it finite ("will say", "to say")."""
    return verb.tag_ == "VB" and _subject(verb) is None and not any(
        c.dep_ in {"aux", "auxpass", "mark", "nsubj", "nsubjpass", "expl"} for c in verb.children
    )


def _gap(a: Piece, b: Piece) -> int:
    """Tokens between two pieces (0 when adjacent or overlapping)."""
    return max(0, b.first - a.last - 1, a.first - b.last - 1)


def _distance(content: Piece, cue: Piece, sents: list[int]) -> tuple[int, int]:
    """Same sentence first (at either end of the content), then the token gap."""
    same = cue.sent in (sents[content.first], sents[content.last])
    return (0 if same else 1, _gap(content, cue))


def _source_for(cue: Piece, sources: list[Piece], sents: list[int]) -> Piece | None:
    near = [s for s in sources if s.sent == cue.sent]
    return min(near, key=lambda s: _gap(s, cue)) if near else None


def _syntactic_source(cue_toks: list[Token]) -> Token | None:
    """The subject of the cue's verb, or the object of "according to"."""
    for tok in cue_toks:
        if tok.lower_ == "to" and tok.i > 0 and tok.nbor(-1).lower_ == "according":
            return next((c for c in tok.children if c.dep_ == "pobj"), None)
        if tok.pos_ in {"VERB", "AUX"} and (subject := _subject(tok)) is not None:
            return subject if speaks(subject) else None
    return None


def _char_span(toks: list[Token], piece: Piece, offset: int) -> Span:
    last = toks[piece.last]
    return (offset + toks[piece.first].idx, offset + last.idx + len(last.text))


def _candidate(
    doc: Doc, offset: int, toks: list[Token], cue: Piece, contents: list[Piece], source: Piece | None
) -> Candidate:
    cue_toks = toks[cue.first : cue.last + 1]
    cue_span = _char_span(toks, cue, offset)
    stance = next(
        (table[t.lemma_.lower()] for t in cue_toks for table in (CUE_VERBS, CUE_NOUNS) if t.lemma_.lower() in table),
        "asserts",
    )
    mention = None
    subject = _syntactic_source(cue_toks)
    if source is not None:
        tagged = doc[toks[source.first].i : toks[source.last].i + 1]
        if subject is not None and tagged.start <= subject.i < tagged.end and subject != tagged.root:
            # A span that holds the cue verb's own subject below its head ("The latest numbers
            # Russia acknowledged were ..."): the subject is the one who speaks.
            mention = source_mention(subject, offset)
        else:
            written = _char_span(toks, source, offset)
            mention = source_mention(tagged.root, offset)
            if not (written[0] <= mention.span[0] and mention.span[1] <= written[1]):
                mention = source_mention(tagged.root, offset, written)
            elif mention.span != written:
                # The phrase the parse finds inside the tagged words is what is resolved ("The
                # chief executive of Corvane Rail, Ingrid Calloway," is read as the rules read
                # it, a role and a name); the claim keeps the words as tagged for its source.
                mention.written = written
    elif subject is not None:
        mention = source_mention(subject, offset)  # the tagger saw no source: the cue's own subject
    sent = toks[cue.first].sent
    cue_text = doc.text[cue_span[0] - offset : cue_span[1] - offset]
    negated = any(c.dep_ == "neg" for t in cue_toks for c in t.children) or bool(NEGATION.search(cue_text))
    return Candidate(
        cue_span=cue_span, cue=cue_text, stance=stance,
        content=sorted(_char_span(toks, c, offset) for c in contents), source=mention,
        negated=negated, sentence=(offset + sent.start_char, offset + sent.end_char),
    )

"""Intermediate records between the parser and the resolved ``Claim``: plain data, no spaCy."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from bot.model import ClaimKind, Span

MentionKind = Literal["person", "group", "pronoun", "nominal"]


@dataclass(slots=True)
class Mention:
    """A source as written: the span, what kind of thing it is, its name and role if any."""

    span: Span
    text: str
    kind: MentionKind
    name: str | None = None  # the named entity inside the mention, e.g. "Dmitry Peskov"
    role: str | None = None  # e.g. "Kremlin spokesman"
    head: str = ""  # lower-cased head word, e.g. "spokesman", "he", "peskov"
    # The words marked as the source when the phrase read inside them (``span``, ``text``) is
    # narrower: the claim keeps these as its source, the resolution reads the phrase.
    written: Span | None = None


@dataclass(slots=True)
class Candidate:
    """One attribution before speaker resolution; offsets are article offsets."""

    cue_span: Span
    cue: str
    stance: str
    content: list[Span]
    source: Mention | None
    kind: ClaimKind | None = None  # preset for according-to; else decided from quotes
    negated: bool = False
    sentence: Span = (0, 0)
    extra: list[Span] = field(default_factory=list)  # quotes attached from nearby sentences

    def spans(self) -> list[Span]:
        """Every span the candidate occupies."""
        out = [self.cue_span, *self.content, *self.extra]
        if self.source is not None:
            out.append(self.source.span)
        return out


@dataclass(frozen=True, slots=True)
class EntityMention:
    """A named person or organisation seen anywhere in the article, with any role nearby."""

    span: Span
    text: str
    label: str  # spaCy NER label
    role: str | None = None
    subject: bool = False  # the subject of its clause, or in apposition to it ("The spokesman, Karel Voss, said")

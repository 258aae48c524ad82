"""Plain typed records shared by every layer.

Offsets everywhere are Python ``str`` indices into ``Article.text`` exactly as ingested,
half-open ``[start, end)``, so ``article.text[start:end]`` reproduces any passage.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field
from pathlib import PurePath, PurePosixPath
from typing import Any, Literal, get_args
from urllib.parse import urlsplit

Span = tuple[int, int]

ClaimKind = Literal["direct", "indirect", "mixed", "according-to"]


def article_id_for(text: str) -> str:
    """Return the stable id of an article: a hash of its exact text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def web_url(url: str | None) -> str | None:
    """``url`` when it is an http(s) URL with a host, else ``None`` (never ``javascript:`` or ``file:``)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return None
    return url.strip() if parts.scheme.lower() in ("http", "https") and parts.hostname else None


_RECORD_SUFFIX = re.compile(r"#\d+$")  # "path#3": the fourth record of a JSON file


def shown_source(source: str, *, root: PurePath | None = None) -> str:
    """A source as a client may see it: URLs and relative paths as given; an absolute path (or one
    that climbs with ``..``) relative to ``root`` when under it, else its file name, so the
    server's folders are never shown."""
    if source.startswith("api:") or web_url(source):
        return source
    suffix = match.group() if (match := _RECORD_SUFFIX.search(source)) else ""
    path_text = source[: len(source) - len(suffix)]
    path = PurePosixPath(path_text)
    if not path.is_absolute() and ".." not in path.parts:
        return source
    if root is not None and path.is_absolute() and ".." not in path.parts and path.is_relative_to(root):
        return str(path.relative_to(root)) + suffix
    return (path.name or path_text) + suffix


@dataclass(frozen=True, slots=True)
class Article:
    """One ingested text with its metadata."""

    id: str
    source: str  # the path or URL it was ingested from
    title: str
    text: str
    url: str | None = None
    published: str | None = None  # ISO date (YYYY-MM-DD) when known
    publisher: str | None = None
    author: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the record as JSON-ready data."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class ArticleVersion:
    """One version of an article at its source: when it was ingested, when a newer one replaced it."""

    article: Article
    seen: float | None  # seconds since the epoch; None for versions ingested before history was kept
    superseded: float | None
    current: bool
    claims: tuple[Claim, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The version's metadata (not its text) as JSON-ready data."""
        meta = {k: v for k, v in self.article.to_dict().items() if k != "text"}
        return {**meta, "seen": self.seen, "superseded": self.superseded, "current": self.current,
                "claims": len(self.claims)}


@dataclass(frozen=True, slots=True)
class Chunk:
    """A passage of an article, ``article.text[start:end] == text``."""

    id: str
    article_id: str
    ordinal: int
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number mentioned in a claim's content, for comparing claims."""

    value: float
    text: str  # the words as written, e.g. "up to 15,000"
    span: Span
    unit: str | None = None  # e.g. "percent", "$"
    counted: str | None = None  # what is counted, e.g. "soldiers"
    approximate: bool = False  # "up to", "about", "more than"...
    event: str | None = None  # what befell what is counted, e.g. "dead", "injured" (``quantities.EVENTS``)


@dataclass(frozen=True, slots=True)
class Claim:
    """Who claimed what, with exact spans into the article text.

    ``speaker`` is the canonical name resolved within the article (``None`` for unattributed
    reporting such as "Reportedly, ..."); ``speaker_mention`` is the words as written at
    ``source_span`` (a pronoun stays a pronoun). ``content`` is the text of ``content_spans``
    joined by a single space.
    """

    speaker: str | None
    speaker_mention: str | None
    source_span: Span | None
    cue: str
    cue_span: Span
    content: str
    content_spans: tuple[Span, ...]
    kind: ClaimKind
    stance: str  # asserts, admits, denies, estimates, warns, suspects, reports, ...
    role: str | None = None  # "Kremlin spokesman", from appositions or modifiers
    negated: bool = False
    quantities: tuple[Quantity, ...] = ()
    article_id: str | None = None

    @property
    def start(self) -> int:
        """First offset covered by the claim (source, cue or content)."""
        return min(s for s, _ in self._spans())

    @property
    def end(self) -> int:
        """Last offset (exclusive) covered by the claim."""
        return max(e for _, e in self._spans())

    def _spans(self) -> list[Span]:
        spans = [self.cue_span, *self.content_spans]
        if self.source_span is not None:
            spans.append(self.source_span)
        return spans

    @property
    def id(self) -> str:
        """A stable id from the article and the claim's spans."""
        key = f"{self.article_id}|{self.cue_span}|{self.content_spans}"
        return hashlib.sha256(key.encode()).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        """Return the record as JSON-ready data (spans as lists)."""
        data = asdict(self)
        data["source_span"] = list(self.source_span) if self.source_span else None
        data["cue_span"] = list(self.cue_span)
        data["content_spans"] = [list(s) for s in self.content_spans]
        data["quantities"] = [
            {**asdict(q), "span": list(q.span)} for q in self.quantities
        ]
        return data


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A retrieved passage with its fused score, best first in a result list."""

    article_id: str
    title: str
    source: str
    text: str
    start: int
    end: int
    score: float
    chunk_id: str = ""
    published: str | None = None
    publisher: str | None = None
    url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the public JSON shape of a search result."""
        return {
            "article_id": self.article_id,
            "title": self.title,
            "source": self.source,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "score": round(self.score, 6),
        }


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """Metadata filters for retrieval; ``None`` means unfiltered."""

    article_ids: tuple[str, ...] | None = None
    publisher: str | None = None
    published_from: str | None = None  # inclusive ISO date
    published_to: str | None = None  # inclusive ISO date


@dataclass(slots=True)
class IngestReport:
    """What one ingest run did, for the summary line."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    chunks: int = 0
    claims: int = 0
    seconds: float = 0.0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    article_ids: list[str] = field(default_factory=list)  # every article the run ingested or found, in order
    # Seconds this process spent in each step: "read" (load and chunk), "load model", "extract"
    # (waiting for claims; parsing in worker processes overlaps "read"), "embed", "write".
    phases: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        """One line: articles new / updated / unchanged / failed, chunks, seconds."""
        return (
            f"articles: {self.new} new, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.failed} failed; {self.chunks} chunks, {self.claims} claims; "
            f"{self.seconds:.1f} s"
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data."""
        data = asdict(self)
        data["seconds"] = round(self.seconds, 3)
        data["failures"] = [{"path": path, "reason": reason} for path, reason in self.failures]
        data["phases"] = {name: round(seconds, 3) for name, seconds in self.phases.items()}
        return data


@dataclass(frozen=True, slots=True)
class Source:
    """A feed or sitemap the watcher polls, with what its last poll found."""

    url: str
    kind: str  # feed | sitemap | sitemapindex
    interval: float  # seconds between polls
    added: float
    last_fetch: float | None = None
    status: str = "new"  # new | ok | unchanged | error | backoff
    error: str | None = None
    next_due: float = 0.0
    items: int = 0  # URLs the last listing named

    def to_dict(self) -> dict[str, Any]:
        """The source as JSON-ready data."""
        return asdict(self)


# What the indexed sources say about a checked claim (never whether it is true). Every interface
# derives its list from these literals (``VERDICTS``, ``MATCHES``); none restates them.
#   supported      the claimed speaker is on record saying it (bare claim: the sources assert it)
#   misattributed  the words are on record, but from someone else than the claimed speaker
#   misquoted      the claimed speaker said something close but different (a figure, place, cue...)
#   contradicted   the sources (or the claimed speaker) say the opposite, or deny it
#   disputed       sources disagree (e.g. different figures for the same count)
#   unverified     no indexed source settles it
Verdict = Literal["supported", "misattributed", "misquoted", "contradicted", "disputed", "unverified"]
VERDICTS: tuple[Verdict, ...] = get_args(Verdict)

# How the claimed speaker's words compare with what is on record (an attributed check).
Match = Literal["exact", "paraphrase", "different", "none"]
MATCHES: tuple[Match, ...] = get_args(Match)

# What differs between a checked claim and the closest thing on record.
DifferenceKind = Literal["speaker", "figure", "place", "person", "date", "negation", "cue"]
DIFFERENCE_KINDS: tuple[DifferenceKind, ...] = get_args(DifferenceKind)


@dataclass(frozen=True, slots=True)
class Citation:
    """A numbered source passage: ``article.text[start:end] == quote``."""

    id: int
    article_id: str
    title: str
    source: str
    quote: str
    start: int
    end: int
    url: str | None = None
    published: str | None = None
    # Set when the cited text is a version the article has since replaced: the current version's id.
    superseded_by: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The answer contract's citation object."""
        return {
            "id": self.id, "article_id": self.article_id, "title": self.title, "source": self.source,
            "url": self.url, "published": self.published, "quote": self.quote,
            "start": self.start, "end": self.end, "superseded_by": self.superseded_by,
        }


@dataclass(frozen=True, slots=True)
class Attribution:
    """Who said what in an answer, pointing at the citation that shows it."""

    speaker: str | None
    speaker_mention: str | None
    role: str | None
    cue: str
    stance: str
    content: str
    citation: int

    def to_dict(self) -> dict[str, Any]:
        """The answer contract's attribution object."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Difference:
    """One way the checked claim differs from the record: ``claimed`` as the claim has it, ``found`` as the source."""

    kind: DifferenceKind
    claimed: str
    found: str


@dataclass(frozen=True, slots=True)
class AttributionCheck:
    """How an attributed claim ("X said C") compares with who is on record saying C.

    ``claimed_speaker`` is the speaker the claim names (the canonical name when the index knows
    them, else as written); ``found_speaker`` who is on record with the words (``None``: nobody);
    ``citation`` the passage that shows it.
    """

    claimed_speaker: str
    found_speaker: str | None
    match: Match
    differences: tuple[Difference, ...] = ()
    citation: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The answer contract's attribution-check object."""
        return {**asdict(self), "differences": [asdict(d) for d in self.differences]}


@dataclass(frozen=True, slots=True)
class Answer:
    """The answer contract every interface renders (JSON, terminal, widget, Slack)."""

    question: str
    answer: str  # text with [n] markers naming ``citations``
    abstained: bool
    verdict: Verdict | None = None
    attributions: tuple[Attribution, ...] = ()  # most relevant first
    citations: tuple[Citation, ...] = ()
    attribution: AttributionCheck | None = None  # set when a checked claim names its speaker
    id: str | None = None  # set once the answer is stored; feedback names it
    session: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The answer contract as JSON-ready data (plus ``answer_id`` and ``session`` once stored)."""
        extra = {"answer_id": self.id, "session": self.session} if self.id else {}
        return {
            **extra,
            "question": self.question,
            "answer": self.answer,
            "abstained": self.abstained,
            "verdict": self.verdict,
            "attributions": [a.to_dict() for a in self.attributions],
            "citations": [c.to_dict() for c in self.citations],
            "attribution": self.attribution.to_dict() if self.attribution else None,
        }

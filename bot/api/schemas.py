"""Request and response models: they validate input and document the contract at /openapi.json."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.model import DifferenceKind, Match, Verdict, web_url

MAX_TEXT = 4000  # longer questions are refused by the service with a clearer sentence


class AskRequest(BaseModel):
    """A question; ``session`` continues a conversation."""

    question: str = Field(max_length=MAX_TEXT, examples=["Who said that Mariupol will be liberated?"])
    session: str | None = Field(default=None, max_length=64)


class CheckRequest(BaseModel):
    """A claim to check against what the sources say."""

    claim: str = Field(max_length=MAX_TEXT, examples=["Russia lost 498 soldiers in Ukraine"])


class ChatRequest(BaseModel):
    """One chat message; ``session: null`` starts a new conversation."""

    message: str = Field(max_length=MAX_TEXT, examples=["What did Peskov say about sanctions?"])
    session: str | None = Field(default=None, max_length=64)
    mode: Literal["ask", "check"] = "ask"


class AttributionOut(BaseModel):
    """Who said what, pointing at a citation."""

    speaker: str | None
    speaker_mention: str | None
    role: str | None
    cue: str
    stance: str
    content: str
    citation: int


class CitationOut(BaseModel):
    """A numbered source passage: ``article.text[start:end] == quote``."""

    id: int
    article_id: str
    title: str
    source: str
    url: str | None
    published: str | None
    quote: str
    start: int
    end: int
    superseded_by: str | None = Field(
        default=None,
        description="Set when the cited text is an earlier version of the article: the current version's id.",
    )


class DifferenceOut(BaseModel):
    """One way a checked claim differs from what is on record."""

    kind: DifferenceKind = Field(description="What differs: the speaker, a figure, place, person, date, "
                                 "a negation, or the reporting verb (cue).")
    claimed: str = Field(description="The words as the checked claim has them (empty when the claim lacks them).")
    found: str = Field(description="The words as the source has them (empty when the source lacks them).")


class AttributionCheckOut(BaseModel):
    """How an attributed claim ("X said C") compares with who is on record saying C."""

    claimed_speaker: str = Field(description="The speaker the claim names (canonical when the index knows them).")
    found_speaker: str | None = Field(description="Who is on record with the words; null: nobody in the sources.")
    match: Match = Field(description="How the claimed words compare with the record: exact, paraphrase, "
                         "different (close but changed, see differences) or none (not on record).")
    differences: list[DifferenceOut] = Field(description="Each difference between the claim and the record.")
    citation: int | None = Field(description="The id of the citation that shows it; null when none does.")


class AnswerOut(BaseModel):
    """The answer contract, with the stored answer's id and session."""

    answer_id: str | None = None
    session: str | None = None
    question: str
    answer: str = Field(description="Text with [n] markers naming the citations.")
    abstained: bool
    verdict: Verdict | None = Field(description="For a check: what the indexed sources say about the claim (never "
                                    "whether it is true); null for a question.")
    attributions: list[AttributionOut]
    citations: list[CitationOut]
    attribution: AttributionCheckOut | None = Field(description="For a check of a claim that names its speaker: "
                                                    "who is on record saying it; null otherwise.")


class ArticleOut(BaseModel):
    """An article's metadata and exact text."""

    id: str
    title: str
    source: str
    url: str | None
    published: str | None
    publisher: str | None
    author: str | None
    text: str


class ClaimOut(BaseModel):
    """Who claimed what, with exact spans, and the article's title."""

    model_config = ConfigDict(extra="allow")  # Claim.to_dict() may grow fields

    speaker: str | None
    speaker_mention: str | None
    cue: str
    content: str
    kind: str
    stance: str
    article_id: str | None
    article_title: str | None


class ClaimsOut(BaseModel):
    """Claims, best first."""

    claims: list[ClaimOut]


class FeedbackRequest(BaseModel):
    """A rating of an answer given earlier."""

    answer_id: str = Field(max_length=64)
    rating: Literal[1, -1]
    comment: str | None = Field(default=None, max_length=2000)

    @field_validator("rating", mode="before")
    @classmethod
    def _an_integer(cls, rating: Any) -> Any:
        # Pydantic's literal check is lax: true and 1.0 would pass as 1.
        if type(rating) is not int or rating not in (1, -1):
            raise ValueError("it must be the integer 1 (helpful) or -1 (not helpful)")
        return rating


class FeedbackOut(BaseModel):
    """Feedback was stored."""

    status: Literal["stored"] = "stored"


class ArticleIn(BaseModel):
    """One article to ingest."""

    text: str
    title: str | None = Field(default=None, max_length=300)
    url: str | None = Field(default=None, max_length=2000)
    published: dt.date | None = Field(default=None, description="YYYY-MM-DD")
    publisher: str | None = Field(default=None, max_length=300)
    author: str | None = Field(default=None, max_length=300)

    @field_validator("url")
    @classmethod
    def _web_url_only(cls, url: str | None) -> str | None:
        # A citation's link is opened by readers: javascript:, data: or file: would run or leak there.
        if url is not None and url.strip() and web_url(url) is None:
            raise ValueError("only http:// and https:// URLs are accepted")
        return url


class IngestRequest(BaseModel):
    """Articles to ingest (admin key only)."""

    articles: list[ArticleIn] = Field(min_length=1, max_length=1000)


class SkippedOut(BaseModel):
    """An article that was not ingested, and why."""

    source: str
    reason: str


class IngestOut(BaseModel):
    """What an ingest did."""

    added: int
    replaced: int
    unchanged: int
    skipped: list[SkippedOut]
    article_ids: list[str] = Field(description="The ids of the articles ingested or already held, in order.")


class RemovedOut(BaseModel):
    """The ids of the removed articles."""

    removed: list[str]


class SourceIn(BaseModel):
    """A feed or sitemap to watch."""

    url: str = Field(min_length=8, max_length=2048, description="An RSS or Atom feed, or a sitemap (detected).")
    interval_seconds: float | None = Field(default=None, gt=0, le=30 * 86_400, description="Polling interval.")


class SourceOut(BaseModel):
    """A watched source and what its last poll found."""

    url: str
    kind: str
    interval: float
    added: float
    last_fetch: float | None
    status: str
    error: str | None
    next_due: float
    items: int


class SourcesOut(BaseModel):
    """Every watched source."""

    sources: list[SourceOut]


class SourceAddedOut(BaseModel):
    """The source as stored; ``added`` is false when it was already watched (its interval updated)."""

    source: SourceOut
    added: bool


class ChangeOut(BaseModel):
    """One claim change from the previous version."""

    kind: str
    summary: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class VersionOut(BaseModel):
    """One version of an article (metadata, not text: ``GET /v1/articles/{id}`` has the current text)."""

    id: str
    title: str
    source: str
    url: str | None
    published: str | None
    seen: float | None = Field(description="When this version was ingested (seconds since the epoch).")
    superseded: float | None = Field(description="When a newer version replaced it; null for the current one.")
    current: bool
    claims: int
    changes: list[ChangeOut] = Field(description="What changed in the claims since the version before.")


class VersionsOut(BaseModel):
    """Every version of an article, oldest first."""

    versions: list[VersionOut]


class HealthOut(BaseModel):
    """The process answers."""

    status: Literal["ok"] = "ok"


class ReadyOut(BaseModel):
    """The stores answer and the index holds articles."""

    status: Literal["ready"] = "ready"
    articles: int


class ErrorOut(BaseModel):
    """Every error: one clear sentence."""

    error: str


class StatusEvent(BaseModel):
    """SSE ``status``: a stage of the answer (retrieving, composing, verifying)."""

    stage: Literal["retrieving", "composing", "verifying"]
    message: str


class DoneEvent(BaseModel):
    """SSE ``done``: the stored answer's id and the conversation."""

    answer_id: str
    session: str


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` documenting the JSON error body for these statuses."""
    return {status: {"model": ErrorOut} for status in statuses}

"""Block Kit rendering of the answer contract: it only formats, it never decides.

Everything that comes from articles or people (answer text, quotes, titles, questions) is
escaped (``&``, ``<``, ``>``), so ``<!channel>``, ``<@U123>`` or ``<http://evil|click>`` in a
source shows as text and never pings, mentions or links. Links are built here, from http(s)
URLs only. Long answers are split within Slack's limits: 3,000 characters per section text,
50 blocks per message and 40,000 characters of ``text`` fallback.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from bot.answer.citations import CITATION_MARKER
from bot.model import Answer, Attribution, Citation, Verdict
from bot.render import attribution_sentences

SECTION_LIMIT = 3000
BLOCKS_PER_MESSAGE = 50
TEXT_LIMIT = 40_000
MAX_URL_CHARS = 1000
FEEDBACK_UP = "whosaid_feedback_up"
FEEDBACK_DOWN = "whosaid_feedback_down"
NOTICE_BLOCK = "whosaid_notice"

# One label per verdict of ``bot.model.VERDICTS`` (a test holds the keys equal to it).
VERDICTS: dict[Verdict, str] = {
    "supported": ":white_check_mark: *Supported*",
    "misattributed": ":warning: *Misattributed*: the words are on record from someone else",
    "misquoted": ":warning: *Misquoted*: the words on record differ",
    "contradicted": ":x: *Contradicted*",
    "disputed": ":scales: *Disputed*: the sources disagree",
    "unverified": ":grey_question: *Unverified*: the sources do not settle it",
}
ATTRIBUTION_LINE = 900  # escaped characters per attribution sentence; a claimed name may be long
_TOKENS = re.compile(r"\s*\S+\s*|\s+")  # words with the spaces around them, so joining restores the text
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")

Block = dict[str, Any]


@dataclass(frozen=True, slots=True)
class SlackMessage:
    """One ``chat.postMessage``: the notification ``text`` fallback and the blocks."""

    text: str
    blocks: list[Block] = field(default_factory=list)


def escape(text: str) -> str:
    """Escape the three characters Slack treats as control characters in mrkdwn."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def safe_url(url: str | None) -> str | None:
    """An http(s) URL ready to put inside ``<url|label>``, or ``None`` for anything else."""
    if not url or any(ch.isspace() or ord(ch) < 32 for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    # A "|" would end the URL early inside <url|label>; percent-encoding keeps the same address.
    escaped = escape(url).replace("|", "%7C")
    return escaped if len(escaped) <= MAX_URL_CHARS else None


def link(url: str | None, label: str) -> str:
    """``<url|label>`` for an http(s) URL, else the escaped label alone."""
    target = safe_url(url)
    label = escape(label).replace("|", "¦")
    return f"<{target}|{label}>" if target else label


def render_text(text: str, citations: Sequence[Citation] = ()) -> str:
    """Escaped mrkdwn with each ``[n]`` marker linked to its source when it has a URL."""
    urls = {c.id: c.url for c in citations}

    def marker(match: re.Match[str]) -> str:
        return link(urls.get(int(match.group(1))), match.group(0))

    pieces: list[str] = []
    last = 0
    for match in CITATION_MARKER.finditer(text):
        pieces += [escape(text[last : match.start()]), marker(match)]
        last = match.end()
    pieces.append(escape(text[last:]))
    return "".join(pieces)


def split_text(text: str, citations: Sequence[Citation] = (), *, limit: int = SECTION_LIMIT) -> list[str]:
    """Rendered pieces of ``text``, each at most ``limit`` characters, cut between words."""
    pieces: list[str] = []
    current = ""
    for token in _tokens(text, limit):
        rendered = render_text(token, citations)
        if len(rendered) > limit:  # a marker whose link is huge: keep the words, drop the link
            rendered = escape(token)
        if current and len(current) + len(rendered) > limit:
            pieces.append(current)
            current = ""
        current += rendered
    if current.strip():
        pieces.append(current)
    return [piece.strip() for piece in pieces if piece.strip()]


def _tokens(text: str, limit: int) -> Iterator[str]:
    # Rendering is local to a word (escapes and [n] markers hold no spaces), so words can be
    # rendered one by one; a word too long for a section is cut so that even all-"&" fits.
    for token in _TOKENS.findall(text):
        if len(token) * 5 <= limit:
            yield token
        else:
            step = limit // 5
            yield from (token[i : i + step] for i in range(0, len(token), step))


def clip(text: str, limit: int) -> str:
    """Escaped text, whitespace collapsed, at most ``limit`` characters once escaped; cut at a word with "…"."""
    text = " ".join(text.split())
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    size = 0
    for index, char in enumerate(text):
        size += len(escape(char))
        if size > limit - 1:
            cut = text[:index]
            cut = cut.rsplit(" ", 1)[0] if " " in cut else cut
            return escape(cut.rstrip(" ,;:")) + "…"
    return escaped  # unreachable: the loop always cuts


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def source_block(citation: Citation, attribution: Attribution | None) -> Block:
    """One source: number, speaker, trimmed quoted passage, article title linked, date."""
    who = ""
    if attribution is not None and attribution.speaker:
        role = f" ({clip(attribution.role, 150)})" if attribution.role else ""
        who = f" *{clip(attribution.speaker, 150)}*{role} {clip(attribution.cue, 60)}:"
    title = clip(citation.title or citation.source, 300).replace("|", "¦")
    url = safe_url(citation.url)
    # Without a URL the source is a file path on the server: its name says enough.
    meta = [] if url else [clip(PurePosixPath(citation.source.replace("\\", "/")).name or citation.source, 200)]
    meta += [clip(citation.published, 20)] if citation.published else []
    tail = (f"<{url}|{title}>" if url else f"_{title}_") + (f" ({' · '.join(meta)})" if meta else "")
    # Budgets (escaped): 1,200 quote + 300 title + 1,000 URL + 560 speaker and source < 3,000.
    return _section(f"*[{citation.id}]*{who}\n>{clip(citation.quote, 1200)}\n{tail}")


def attribution_block(answer: Answer) -> Block | None:
    """Who is on record with the checked words (the terminal's sentences), ``[n]`` linked; ``None`` for a bare claim."""
    lines: list[str] = []
    size = 0
    for sentence in attribution_sentences(answer):
        rendered = render_text(sentence, answer.citations)
        if len(rendered) > ATTRIBUTION_LINE:  # a huge name or link: keep the words, clipped, unlinked
            rendered = clip(sentence, ATTRIBUTION_LINE)
        line = f"*Attribution:* {rendered}"
        if size + len(line) + 1 > SECTION_LIMIT:
            break
        lines.append(line)
        size += len(line) + 1
    return _section("\n".join(lines)) if lines else None


def feedback_block(answer_id: str) -> Block:
    """👍 / 👎 buttons whose values carry the answer id."""
    def button(action_id: str, label: str) -> dict[str, Any]:
        return {
            "type": "button", "action_id": action_id, "value": answer_id,
            "text": {"type": "plain_text", "text": label, "emoji": True},
        }

    return {
        "type": "actions", "block_id": "whosaid_feedback",
        "elements": [button(FEEDBACK_UP, "👍 Helpful"), button(FEEDBACK_DOWN, "👎 Not helpful")],
    }


def answer_blocks(answer: Answer, *, asker: str | None = None, question: str | None = None) -> list[Block]:
    """Every block of an answer, in order, before splitting into messages."""
    blocks: list[Block] = []
    if asker and question and _USER_ID.match(asker):
        verb = "asked to check" if answer.verdict else "asked"
        blocks.append(_context(f"<@{asker}> {verb}: {clip(question, 2500)}"))
    if answer.verdict:
        blocks.append(_section(
            f"{VERDICTS.get(answer.verdict, escape(answer.verdict))}\n_What the indexed sources say, not ground truth._"
        ))
    said = attribution_block(answer)
    if said is not None:
        blocks.append(said)
    blocks += [_section(piece) for piece in split_text(answer.answer, answer.citations)]
    if answer.citations:
        speakers: dict[int, Attribution] = {}
        for attribution in answer.attributions:
            speakers.setdefault(attribution.citation, attribution)
        blocks += [{"type": "divider"}, _section("*Sources*")]
        blocks += [source_block(c, speakers.get(c.id)) for c in answer.citations]
    if answer.id:
        blocks.append(feedback_block(answer.id))
    return blocks


def fallback_text(blocks: Sequence[Block], *, limit: int = TEXT_LIMIT) -> str:
    """The notification text of a message: its sections' text, whole sections within ``limit``."""
    parts: list[str] = []
    size = 0
    for block in blocks:
        text = block.get("text", {}).get("text") if block["type"] == "section" else None
        if text is None and block["type"] == "context":
            text = block["elements"][0]["text"]
        if not text:
            continue
        if size + len(text) + 2 > limit - 1:
            parts.append("…")
            break
        parts.append(text)
        size += len(text) + 2
    return "\n\n".join(parts) or "whosaid"


def render_answer(answer: Answer, *, asker: str | None = None, question: str | None = None) -> list[SlackMessage]:
    """An answer as one or more Slack messages, each within Slack's limits; buttons come last."""
    blocks = answer_blocks(answer, asker=asker, question=question)
    chunks = [blocks[i : i + BLOCKS_PER_MESSAGE] for i in range(0, len(blocks), BLOCKS_PER_MESSAGE)]
    if len(chunks) > 1 and chunks[-1][-1]["type"] == "actions" and len(chunks[-1]) == 1:
        # Buttons alone in a last message look orphaned: carry the last section with them.
        chunks[-1].insert(0, chunks[-2].pop())
    return [SlackMessage(text=fallback_text(chunk), blocks=chunk) for chunk in chunks]


def render_notice(text: str) -> SlackMessage:
    """A one-sentence message (an error, a note), escaped."""
    return SlackMessage(text=escape(text), blocks=[{**_section(escape(text)), "block_id": NOTICE_BLOCK}])

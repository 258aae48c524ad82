"""Hostile Slack input: message text, answers rendered as Block Kit, and signed payloads.

Slack sends message text in its own encoding (``<@U123>``, ``<#C1|name>``, ``<!here>``,
``<http://x|label>``, ``&amp;``); whatever arrives, parsing it never raises, and whatever an
article or answer contains, the blocks sent back hold no live Slack markup: no mention, no
broadcast, no link but the http(s) links the renderer makes itself. FICTIONAL text only.
Signed hostile events posted to the real server are in tests/slack/test_hostile_events.py.
"""

from __future__ import annotations

import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.model import Answer, Attribution, Citation
from bot.slack.blocks import BLOCKS_PER_MESSAGE, SECTION_LIMIT, TEXT_LIMIT, render_answer
from bot.slack.listeners import mentions, mode_of, plain_text
from tests.fakes.slack_server import BOT_USER_ID
from tests.slack.conftest import READER

FUZZ = settings(max_examples=300, deadline=None)
MARKUP = [
    "<@U0BOT>", f"<@{BOT_USER_ID}>", "<@U0OTHER|someone>", "<#C0NEWS|news>", "<!channel>", "<!here>",
    "<!subteam^S0TEAM|@team>", "<http://evil.example|click>", "<mailto:x@evil.example>", "<", ">", "|", "&",
    "&amp;", "&lt;", "&gt;", "*bold*", "_it_", "~s~", "`code`", "```", "[1]", "[2]", "[99]", "\u200b", "\u202e",
    "\x00", "\ud800", "\n", " ", "check:", "fact-check", "Who said", "?",
]
slack_text = st.lists(st.sampled_from(MARKUP) | st.characters(), max_size=30).map("".join) | st.text(max_size=80)
URLS = st.sampled_from(
    ["", "https://news.example/a?b=1|c", "javascript:alert(1)", "http://evil.example/<!channel>", "ftp://x"]
) | st.text(max_size=40)
# What Slack renders as a live entity: a mention, channel link, broadcast or link, in <...>.
LIVE = re.compile(r"<(?!https?://[^|>\s]+\|[^<>]*>)[^>]*>?")


@FUZZ
@given(slack_text)
def test_message_text_parses_without_raising(text: str) -> None:
    plain = plain_text(text, BOT_USER_ID)
    assert f"<@{BOT_USER_ID}" not in plain and plain == plain.strip()
    assert mentions(f"<@{BOT_USER_ID}> {text}", BOT_USER_ID)
    mode, rest = mode_of(plain)
    assert mode in {"ask", "check"} and plain.endswith(rest)


def _answer(text: str, quote: str, title: str, speaker: str, url: str) -> Answer:
    citations = tuple(
        Citation(id=n, article_id="0123456789abcdef", title=title, source=url or "fictional.txt", url=url or None,
                 published=None, quote=quote, start=0, end=len(quote))
        for n in (1, 2)
    )
    attributions = (Attribution(speaker=speaker, speaker_mention=speaker, role=None, cue="said", stance=None,
                                content=quote, citation=1),)
    return Answer(question=text, answer=f"{text} [1] {quote} [2]", abstained=False, verdict=None,
                  attributions=attributions, citations=citations, id="answer-1")


def _block_texts(block: dict[str, Any]) -> list[str]:
    """Every mrkdwn or plain text a block carries (sections, fields, context elements)."""
    texts = [block["text"]["text"]] if isinstance(block.get("text"), dict) else []
    texts += [field["text"] for field in block.get("fields", [])]
    texts += [element["text"] for element in block.get("elements", []) if isinstance(element.get("text"), str)]
    return texts


@FUZZ
@given(slack_text, slack_text, slack_text, slack_text, URLS)
def test_hostile_articles_and_answers_render_inert(text: str, quote: str, title: str, speaker: str, url: str) -> None:
    for message in render_answer(_answer(text, quote, title, speaker, url), asker=READER, question=text):
        assert len(message.blocks) <= BLOCKS_PER_MESSAGE and len(message.text) <= TEXT_LIMIT
        assert not LIVE.search(message.text.replace(f"<@{READER}>", "")), message.text
        for block in message.blocks:
            for rendered in _block_texts(block):
                assert len(rendered) <= SECTION_LIMIT
                live = LIVE.findall(rendered.replace(f"<@{READER}>", ""))  # the asker is addressed on purpose
                assert not live, (live, rendered)

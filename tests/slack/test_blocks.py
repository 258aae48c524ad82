"""Block Kit rendering: escaping, safe links, [n] markers, verdicts, sources, buttons, Slack's limits."""

from __future__ import annotations

import html
import json
import re

from bot.model import VERDICTS, Answer, Attribution, AttributionCheck, Citation, Difference
from bot.slack.blocks import (
    BLOCKS_PER_MESSAGE,
    FEEDBACK_DOWN,
    FEEDBACK_UP,
    SECTION_LIMIT,
    TEXT_LIMIT,
    clip,
    escape,
    render_answer,
    render_notice,
    safe_url,
    split_text,
)
from bot.slack.blocks import (
    VERDICTS as SLACK_VERDICTS,
)
from bot.slack.listeners import mentions, mode_of, plain_text

HOSTILE = "Ping <!channel> and <@U0BOSS>, see <http://evil.example|click> & <!here|here>"


def citation(n: int, **overrides: object) -> Citation:
    """A citation of a fictional article."""
    fields: dict[str, object] = {
        "id": n, "article_id": "a1b2c3d4", "title": "Glassworks strike ends (fictional)",
        "source": "/srv/news/glass.txt",
        "quote": "The deal is fair, said Marta Okonkwo.", "start": 0, "end": 36, "url": "https://example.test/glass",
        "published": "2026-02-03",
    }
    return Citation(**{**fields, **overrides})  # type: ignore[arg-type]


def all_text(answer: Answer) -> str:
    return json.dumps([m.blocks for m in render_answer(answer)] + [m.text for m in render_answer(answer)])


def test_hostile_text_from_articles_and_answers_is_inert() -> None:
    answer = Answer(
        question="q", answer=f"Okonkwo said: {HOSTILE} [1].", abstained=False, id="f" * 32,
        citations=(citation(1, quote=HOSTILE, title=f"Title {HOSTILE}", url="javascript:alert(1)"),),
        attributions=(Attribution("Marta <!channel>", None, "<@U0BOSS>", "said", "asserts", "x", 1),),
    )
    rendered = all_text(answer)
    assert "<!channel>" not in rendered and "<@U0BOSS>" not in rendered and "<http://evil" not in rendered
    assert "<!here" not in rendered and "javascript:" not in rendered
    for message in render_answer(answer):
        for block in message.blocks:
            text = block.get("text", {}).get("text", "")
            assert re.findall(r"<[^>]*>", text) == []  # no links, mentions or pings at all
            assert "&lt;!channel&gt;" in text or "<" not in text
    assert "&lt;http://evil.example|click&gt; &amp; " in render_answer(answer)[0].blocks[0]["text"]["text"]


def test_only_http_links_are_made_and_they_cannot_break_out() -> None:
    assert safe_url("https://example.test/a?b=1&c=2|x>y") == "https://example.test/a?b=1&amp;c=2%7Cx&gt;y"
    for bad in ("javascript:alert(1)", "ftp://example.test/f", "http://", "https://exa mple.test", "/relative",
                "data:text/html,hi", None, "https://example.test/" + "a" * 2000):
        assert safe_url(bad) is None
    answer = Answer(question="q", answer="A [1] and B [2].", abstained=False,
                    citations=(citation(1), citation(2, url="mailto:x@example.test")))
    first = render_answer(answer)[0].blocks[0]["text"]["text"]
    assert first == "A <https://example.test/glass|[1]> and B [2]."


def test_sources_name_speaker_quote_title_link_and_date() -> None:
    answer = Answer(
        question="q", answer="Okonkwo called the deal fair [1].", abstained=False, id="a" * 32,
        citations=(citation(1, quote="  The deal is fair,\n said   Marta Okonkwo. " + "More words. " * 200),),
        attributions=(Attribution("Marta Okonkwo", "Okonkwo", "union leader", "said", "asserts", "fair", 1),),
    )
    blocks = render_answer(answer)[0].blocks
    source = blocks[-2]["text"]["text"]
    assert source.startswith("*[1]* *Marta Okonkwo* (union leader) said:\n>The deal is fair, said Marta Okonkwo.")
    assert source.endswith("…\n<https://example.test/glass|Glassworks strike ends (fictional)> (2026-02-03)")
    assert blocks[-3]["text"]["text"] == "*Sources*"
    buttons = blocks[-1]["elements"]
    assert [(b["action_id"], b["value"]) for b in buttons] == [(FEEDBACK_UP, "a" * 32), (FEEDBACK_DOWN, "a" * 32)]
    no_url = render_answer(Answer("q", "x [1].", False, citations=(citation(1, url=None),)))[0].blocks[-1]
    assert no_url["text"]["text"].endswith("_Glassworks strike ends (fictional)_ (glass.txt · 2026-02-03)")


def test_a_check_shows_its_verdict_and_an_abstention_has_no_sources() -> None:
    check = render_answer(Answer("c", "Accounts differ [1].", False, verdict="disputed", citations=(citation(1),)))
    assert check[0].blocks[0]["text"]["text"].startswith(":scales: *Disputed*")
    abstained = render_answer(Answer("q", "The indexed sources do not cover this question.", True, id="b" * 32))
    assert [b["type"] for b in abstained[0].blocks] == ["section", "actions"]


def test_every_verdict_of_the_model_has_a_label() -> None:
    assert tuple(SLACK_VERDICTS) == VERDICTS
    for verdict in VERDICTS:
        badge = render_answer(Answer("c", "x", False, verdict=verdict))[0].blocks[0]["text"]["text"]
        assert badge == f"{SLACK_VERDICTS[verdict]}\n_What the indexed sources say, not ground truth._"


def test_a_misattribution_says_whose_words_they_are_with_the_source_linked() -> None:
    answer = Answer(
        "Tomas Brandt said the ferry resumes on 12 May", "Harbour master Ines Varga said so [1].", False,
        verdict="misattributed", citations=(citation(1),), id="d" * 32,
        attribution=AttributionCheck("Tomas Brandt", "Ines Varga", "exact",
                                     (Difference("speaker", "Tomas Brandt", "Ines Varga"),), citation=1),
    )
    message = render_answer(answer, asker="U0ASKER", question=answer.question)[0]
    assert [b["type"] for b in message.blocks][:4] == ["context", "section", "section", "section"]
    assert message.blocks[1]["text"]["text"].startswith(":warning: *Misattributed*")
    assert message.blocks[2] == {"type": "section", "text": {"type": "mrkdwn", "text": (
        "*Attribution:* these words are Ines Varga's, not Tomas Brandt's <https://example.test/glass|[1]>"
    )}}
    assert "*Attribution:* these words are Ines Varga's" in message.text  # the notification says it too


def test_a_misquote_has_one_line_per_difference_and_an_unknown_speaker_one_line() -> None:
    misquoted = Answer("c", "x [1].", False, verdict="misquoted", citations=(citation(1, url=None),),
                       attribution=AttributionCheck("Ines Varga", "Ines Varga", "different", (
                           Difference("figure", "400", "up to 40"), Difference("date", "12 May", "21 May")), 1))
    assert render_answer(misquoted)[0].blocks[1]["text"]["text"] == (
        '*Attribution:* misquoted: "400" where the source says "up to 40" [1]\n'
        '*Attribution:* misquoted: "12 May" where the source says "21 May" [1]'
    )
    nobody = Answer("c", "x", False, verdict="unverified",
                    attribution=AttributionCheck("Ines Varga", None, "none"))
    assert render_answer(nobody)[0].blocks[1]["text"]["text"] == (
        "*Attribution:* no indexed source has Ines Varga saying this"
    )


def test_hostile_or_huge_speaker_names_in_the_attribution_are_inert_and_bounded() -> None:
    answer = Answer("c", "x [1].", False, verdict="misattributed", citations=(citation(1),),
                    attribution=AttributionCheck(HOSTILE * 200, HOSTILE, "exact", (
                        Difference("speaker", HOSTILE * 200, HOSTILE), *(Difference("figure", HOSTILE * 50, "3"),) * 20
                    ), 1))
    block = render_answer(answer)[0].blocks[1]["text"]["text"]
    assert block.startswith("*Attribution:* these words are Ping &lt;!channel&gt; and &lt;@U0BOSS&gt;")
    assert len(block) <= SECTION_LIMIT
    assert re.findall(r"<[^>]*>", block) == []  # a clipped line keeps no link, and no name pings
    assert "<!channel>" not in all_text(answer)


def test_a_long_answer_is_split_within_slacks_limits_without_losing_a_word() -> None:
    sentence = "Mayor Brandt & Councillor Reyes <disagree> about the bill [1]. "
    text = sentence * 3000 + "x" * 7000  # ~200,000 characters, and one word longer than a section
    citations = tuple(citation(n) for n in range(1, 61))  # sources alone need more than one message
    messages = render_answer(Answer("q", text, False, id="c" * 32, citations=citations))
    assert len(messages) >= 3
    sections: list[str] = []
    for message in messages:
        assert 0 < len(message.blocks) <= BLOCKS_PER_MESSAGE and len(message.text) <= TEXT_LIMIT
        for block in message.blocks:
            if block["type"] == "section":
                assert len(block["text"]["text"]) <= SECTION_LIMIT
                sections.append(block["text"]["text"])
    assert [b["type"] for b in messages[-1].blocks][-1] == "actions"
    assert sum(b["type"] == "actions" for m in messages for b in m.blocks) == 1
    answer_sections = sections[: sections.index("*Sources*")]
    rebuilt = re.sub(r"<https://example\.test/glass\|(\[\d+\])>", r"\1", "".join(answer_sections))
    assert html.unescape(rebuilt).replace(" ", "") == text.replace(" ", "")
    assert sum(s.startswith("*[") for s in sections) == 60


def test_split_text_cuts_between_words_and_keeps_entities_whole() -> None:
    pieces = split_text("a&b " * 1000, limit=100)
    assert all(len(p) <= 100 for p in pieces)
    assert all(p.endswith("a&amp;b") and p.startswith("a&amp;b") for p in pieces)


def test_clip_counts_escaped_characters() -> None:
    assert clip("<<<<", 100) == "&lt;&lt;&lt;&lt;"
    clipped = clip("& " * 100, 20)
    assert len(clipped) <= 20 and clipped.endswith("…") and "&amp" not in clipped.replace("&amp;", "")
    assert escape("a<b>&c") == "a&lt;b&gt;&amp;c"


def test_a_notice_is_escaped_text() -> None:
    notice = render_notice("No article with id '<!channel>'.")
    assert notice.text == "No article with id '&lt;!channel&gt;'."
    assert notice.blocks[0]["text"]["text"] == notice.text


def test_slack_encoded_questions_become_plain_text() -> None:
    text = "<@U0WHOSAID> what did <@U0BOSS|marta> say in <#C0NEWS|newsroom> about &lt;5% &amp; <https://x.test|this>?"
    assert plain_text(text, "U0WHOSAID") == "what did @marta say in #newsroom about <5% & this?"
    assert plain_text("<!channel> hi <https://x.test>", None) == "@channel hi https://x.test"
    assert mentions(text, "U0WHOSAID") and not mentions(text, "U0OTHER") and not mentions(text, None)
    assert mode_of("fact-check: the bridge costs 42 million") == ("check", "the bridge costs 42 million")
    assert mode_of("Check the bridge costs") == ("check", "the bridge costs")
    assert mode_of("checkpoints were closed?") == ("ask", "checkpoints were closed?")
    assert mode_of("check") == ("ask", "check")

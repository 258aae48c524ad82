"""Interviews: a question put to a speaker is not their claim; a yes/no reply is. FICTIONAL text."""

from __future__ import annotations

from dataclasses import replace

from bot.attribution.interviews import answered_questions
from bot.model import Claim

TEXT = 'Asked whether the company had ignored safety warnings, Marek Vance replied: "No, that is untrue."'


def claim(cue: str, cue_start: int, content: str, stance: str) -> Claim:
    start = TEXT.index(content)
    return Claim(
        speaker="Marek Vance", speaker_mention="Marek Vance", source_span=(56, 67), cue=cue,
        cue_span=(cue_start, cue_start + len(cue)), content=content, content_spans=((start, start + len(content)),),
        kind="indirect", stance=stance,
    )


def test_a_no_reply_denies_what_was_asked() -> None:
    asked = claim("Asked", 0, "whether the company had ignored safety warnings", "asks")
    reply = claim("replied", TEXT.index("replied"), '"No, that is untrue."', "asserts")
    (denial,) = [c for c in answered_questions(TEXT, [asked, reply]) if c.stance == "denies"]
    assert denial.content == "the company had ignored safety warnings"
    assert TEXT[denial.content_spans[0][0] : denial.content_spans[0][1]] == denial.content
    assert denial.cue == "replied" and denial.speaker == "Marek Vance"
    assert all(c.stance != "asks" for c in answered_questions(TEXT, [asked, reply]))


def test_a_rhetorical_question_asserts_nothing() -> None:
    text = "Why would anyone believe that? Vance said."
    question = Claim(
        speaker="Vance", speaker_mention="Vance", source_span=(31, 36), cue="said", cue_span=(37, 41),
        content="Why would anyone believe that?", content_spans=((0, 30),), kind="direct", stance="asserts",
    )
    assert [c.stance for c in answered_questions(text, [question])] == ["asks"]


def test_a_negated_reply_denies_and_a_noncommittal_one_answers_nothing() -> None:
    asked = claim("Asked", 0, "whether the company had ignored safety warnings", "asks")
    for reply_text, stances in (('"No, that is untrue."', ["denies", "asserts"]),):
        reply = claim("replied", TEXT.index("replied"), reply_text, "asserts")
        assert [c.stance for c in answered_questions(TEXT, [asked, reply])] == stances
    negated = replace(claim("replied", TEXT.index("replied"), '"No, that is untrue."', "asserts"),
                      content="We did not ignore anything.")
    assert [c.stance for c in answered_questions(TEXT, [asked, negated])] == ["denies", "asserts"]
    vague = replace(negated, content="It is too early to say.")
    assert [c.stance for c in answered_questions(TEXT, [asked, vague])] == ["asserts"]


def test_a_question_the_parser_left_without_a_cue_is_still_denied_by_the_reply() -> None:
    # "Asked by reporters ... whether": the parser found no "asks" claim, only the reply.
    text = ('Shares fell. Asked by reporters outside the depot whether the company had ignored safety warnings, '
            'Marek Vance replied: "No, that is untrue."')
    start = text.index("Marek")
    quote = text.index('"No')
    reply = Claim(
        speaker="Marek Vance", speaker_mention="Marek Vance", source_span=(start, start + 11), cue="replied",
        cue_span=(start + 12, start + 19), content=text[quote:], content_spans=((quote, len(text)),),
        kind="direct", stance="asserts",
    )
    denial, kept = answered_questions(text, [reply])
    assert (denial.stance, denial.content, denial.speaker) == (
        "denies", "the company had ignored safety warnings", "Marek Vance")
    assert kept is reply
    # The same reply after a question a claim already covers adds nothing.
    asked = replace(reply, cue="Asked", cue_span=(13, 18), stance="asks",
                    content=text[text.index("whether"):start - 2], content_spans=((text.index("whether"), start - 2),))
    assert [c.stance for c in answered_questions(text, [asked, reply])].count("denies") == 1

"""Quote pairing and span arithmetic: examples and hypothesis properties (no spaCy)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.attribution.chunking import MAX_SENTENCE_CHARS, MAX_WORD_CHARS, chunk_spans
from bot.attribution.quotes import pair_quotes
from bot.attribution.spans import clean, dice, merge, subtract

MARKS = "\"“”‘’'«»„"
quote_texts = st.lists(
    st.sampled_from(list(MARKS) + list("ab c.,\n") + ["  ", "\n\n", "word "]), max_size=80
).map("".join)


def _quoted(text: str) -> list[str]:
    return [text[s:e] for s, e in pair_quotes(text)]


def test_pairs_curly_and_straight_quotes() -> None:
    text = 'He said “we will win” and then "we will see".'
    assert _quoted(text) == ["“we will win”", '"we will see"']


def test_apostrophes_are_not_quotes() -> None:
    text = "Russia’s army and the students’ union met ‘Act of goodwill’ today."
    assert _quoted(text) == ["‘Act of goodwill’"]


def test_nested_quotes_stay_inside_outer_quote() -> None:
    text = "“He called it ‘a disaster’ yesterday,” she said."
    assert _quoted(text) == ["“He called it ‘a disaster’ yesterday,”"]


def test_unclosed_quote_closes_at_paragraph_end() -> None:
    text = "“First paragraph of a long quote.\n\n“Second part,” he said."
    assert _quoted(text) == ["“First paragraph of a long quote.", "“Second part,”"]


def test_mixed_marks_and_guillemets() -> None:
    assert _quoted("«Bonjour» and „Guten Tag“ and “mixed\" end") == [
        "«Bonjour»", "„Guten Tag“", "“mixed\"",
    ]


def test_stray_closers_are_ignored() -> None:
    assert _quoted("no opener here” at all”") == []


@given(quote_texts)
@settings(max_examples=400)
def test_quote_spans_are_sorted_disjoint_and_inside(text: str) -> None:
    spans = pair_quotes(text)
    previous_end = 0
    for start, end in spans:
        assert 0 <= previous_end <= start < end <= len(text)
        assert text[start] in MARKS
        previous_end = end


@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50)), max_size=10),
       st.tuples(st.integers(0, 50), st.integers(0, 50)))
def test_subtract_never_overlaps_the_cut(
    spans: list[tuple[int, int]], cut: tuple[int, int]
) -> None:
    cut = (min(cut), max(cut))
    for s, e in subtract(merge(spans), cut):
        assert e <= cut[0] or s >= cut[1] or cut[0] == cut[1]


@given(st.text(max_size=80), st.integers(0, 80), st.integers(0, 80))
def test_clean_stays_inside_text(text: str, a: int, b: int) -> None:
    lo, hi = sorted((min(a, len(text)), min(b, len(text))))
    for s, e in clean(text, [(lo, hi)]):
        assert lo <= s < e <= hi


def test_dice() -> None:
    assert dice([(0, 10)], [(0, 10)]) == 1.0
    assert dice([(0, 10)], [(5, 15)]) == 0.5
    assert dice([], []) == 0.0


@given(st.text(alphabet=st.sampled_from(list("ab .\n")), max_size=300), st.integers(5, 40))
def test_chunks_cover_paragraphs_within_limit(text: str, limit: int) -> None:
    spans = chunk_spans(text, limit)
    for s, e in spans:
        assert 0 <= s < e <= len(text)
        assert e - s <= limit
    # Every letter is covered but those of words too long to be words; marks may be left out.
    covered = re.sub(r"[^ab]", "", "".join(text[s:e] for s, e in spans))
    words = re.sub(rf"\S{{{MAX_WORD_CHARS + 1},}}", "", text)
    assert covered == re.sub(r"[^ab]", "", words)


def test_megabyte_text_pairs_quickly() -> None:
    text = ("“Unbalanced quote and ‘mixed’ marks \" here. " * 25_000)[:1_000_000]
    spans = pair_quotes(text)
    assert spans and all(0 <= s < e <= len(text) for s, e in spans)


def test_chunks_leave_out_marks_and_cut_run_on_sentences() -> None:
    assert chunk_spans('"' * 100_000) == []  # no letter: nothing to parse
    prose = "Ada Moss said that the tide was late. “It is,” he said.\n\nNext paragraph here."
    assert chunk_spans(prose) == [(0, 55), (57, len(prose))]  # ordinary prose: its paragraphs
    text = "Roe said “the bridge " * 1_000 + "\n\n" + '""' * 50 + " Pia said so. " + "x" * 300
    spans = chunk_spans(text)
    assert all(e - s <= MAX_SENTENCE_CHARS for s, e in spans)
    assert "Pia said so." in [text[s:e].strip() for s, e in spans]
    letters = re.sub(r"\W", "", "".join(text[s:e] for s, e in spans))
    assert letters == re.sub(r"\W", "", text[:21_000]) + "Piasaidso"


def test_a_content_stops_at_a_headline_s_line_break_but_runs_on_across_paragraphs() -> None:
    from bot.attribution.candidates import Candidate
    from bot.attribution.surface import finish

    # FICTIONAL headline, byline and quote.
    text = 'Mayor admits to serious flaws in bridge repairs\nHelena Voss, mayor of Port Alder\n\n' \
        '"The repairs were rushed.\n\nWe will redo them," Voss said.'
    cue = text.index("admits")
    headline = Candidate(cue_span=(cue, cue + 6), cue="admits", stance="admits",
                         content=[(text.index("to serious"), text.index(" of Port Alder"))], source=None)
    said = text.index("said")
    quote = Candidate(cue_span=(said, said + 4), cue="said", stance="asserts",
                      content=[(text.index("The repairs"), text.index(',"'))], source=None)
    cut, kept = finish([headline, quote], text)
    assert [text[s:e] for s, e in cut.content] == ["to serious flaws in bridge repairs"]
    assert [text[s:e] for s, e in kept.content] == ["The repairs were rushed.\n\nWe will redo them"]

"""Citation verification. FICTIONAL: every name, place and number below is invented."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.answer.citations import ABSTAIN_MESSAGE, CITATION_MARKER, DEFAULT_THRESHOLD, check_sentences, verify
from bot.answer.support import EmbeddingSupport
from bot.index.embedder import HashEmbedder
from bot.model import Answer, Attribution, Citation
from tests.unit.answer.calibration import PASSAGES, SUPPORTED, TITLES, UNSUPPORTED, scores


def citation(number: int, passage: int | None = None) -> Citation:
    text = PASSAGES[passage or number]
    return Citation(
        id=number, article_id=f"art-{passage or number}", title=TITLES[passage or number],
        source=f"fixture-{passage or number}.txt", quote=text, start=0, end=len(text),
    )


def attribution(number: int, speaker: str) -> Attribution:
    return Attribution(
        speaker=speaker, speaker_mention=speaker, role=None, cue="said", stance="asserts",
        content="...", citation=number,
    )


def answer(text: str, *numbers: int, attributions: tuple[Attribution, ...] = ()) -> Answer:
    return Answer(
        question="What happened at Oskova?", answer=text, abstained=False, verdict="disputed",
        citations=tuple(citation(n) for n in numbers), attributions=attributions,
    )


def test_supported_sentences_are_kept_verbatim() -> None:
    text = "The Velmar defence ministry said 498 soldiers died near Oskova [3]. " \
        "Alliance officials estimated up to 15,000 Velmar soldiers were killed or wounded [4]."
    result = verify(answer(text, 3, 4))
    assert result.answer == text.replace("[3]", "[1]").replace("[4]", "[2]")
    assert [c.article_id for c in result.citations] == ["art-3", "art-4"]
    assert not result.abstained and result.verdict == "disputed"


def test_sentence_citing_a_missing_passage_is_removed() -> None:
    text = "The ministry said 498 soldiers died near Oskova [3]. The minister was sacked [7]."
    result = verify(answer(text, 3))
    assert result.answer == "The ministry said 498 soldiers died near Oskova [1]."


def test_missing_marker_is_dropped_when_another_is_valid() -> None:
    result = verify(answer("The ministry said 498 soldiers died near Oskova [9][3].", 3))
    assert result.answer == "The ministry said 498 soldiers died near Oskova [1]."


def test_invented_quote_is_removed() -> None:
    text = (
        "Voss said: “We will not cut corners on safety” [1]. "
        "Voss added: “The bridge is perfectly safe” [1]."
    )
    result = verify(answer(text, 1))
    assert result.answer == "Voss said: “We will not cut corners on safety” [1]."


def test_quote_matching_ignores_typography_and_ellipsis() -> None:
    text = 'Voss said the bridge "would  reopen … June," adding: ‘we will not cut corners on safety’ [1].'
    assert verify(answer(text, 1)).answer == text.replace("  ", " ")


def test_changed_figure_is_removed() -> None:
    text = "The ministry said 498 soldiers died [3]. The ministry said 4,980 soldiers died [3]."
    assert verify(answer(text, 3)).answer == "The ministry said 498 soldiers died [1]."


def test_a_number_in_the_cited_source_s_attribution_is_no_invented_figure() -> None:
    # The label attribution resolved for the span ("Helena Voss (58)") is the source's, as a title
    # is; the same figure with no attribution that has it is still dropped.
    text = "Helena Voss (58) said the harbour bridge would reopen in June [1]."
    labelled = Attribution(
        speaker="Helena Voss", speaker_mention="Mayor Helena Voss", role="58", cue="said", stance="asserts",
        content="the harbour bridge would reopen in June", citation=1,
    )
    assert verify(answer(text, 1, attributions=(labelled,))).answer == text
    assert verify(answer(text, 1, attributions=(attribution(1, "Helena Voss"),))).abstained


def test_unsupported_answer_abstains() -> None:
    result = verify(answer("Velmar troops captured the regional airport overnight [3]. Sources disagree.", 3, 4))
    assert result == Answer("What happened at Oskova?", ABSTAIN_MESSAGE, abstained=True)
    assert result.citations == () and result.attributions == ()


def test_answer_without_markers_abstains() -> None:
    assert verify(answer("Sources disagree. The ministry said 498 soldiers died.", 3)).abstained


def test_abstained_input_gives_the_fixed_message() -> None:
    given_answer = Answer("q", "Nothing found.", abstained=True)
    assert verify(given_answer) == Answer("q", ABSTAIN_MESSAGE, abstained=True)


def test_renumbering_follows_first_use_and_remaps_attributions() -> None:
    text = (
        "Alliance officials estimated up to 15,000 Velmar soldiers were killed or wounded [4]. "
        "The ministry said 498 soldiers died near Oskova [3][4]. The mayor resigned [1]."
    )
    attributions = (attribution(3, "ministry"), attribution(4, "alliance"), attribution(1, "Voss"))
    result = verify(answer(text, 1, 2, 3, 4, attributions=attributions))
    assert result.answer == (
        "Alliance officials estimated up to 15,000 Velmar soldiers were killed or wounded [1]. "
        "The ministry said 498 soldiers died near Oskova [2][1]."
    )
    assert [(c.id, c.article_id) for c in result.citations] == [(1, "art-4"), (2, "art-3")]
    assert [(a.speaker, a.citation) for a in result.attributions] == [("ministry", 2), ("alliance", 1)]


def test_marker_lists_are_expanded() -> None:
    text = "Estimates of Velmar losses near Oskova range from 498 dead to up to 15,000 killed [3, 4]."
    assert verify(answer(text, 3, 4)).answer.endswith("[1][2].")


@pytest.mark.parametrize(
    ("sentence", "kept"),
    [
        ("Sources disagree.", True),
        ("Here is what the sources say:", True),
        ("However, the accounts differ sharply.", True),
        ("The bridge collapsed in a storm.", False),
        ("Sources disagree about the 498 figure.", False),
        ("The ministry's claims are propaganda.", False),
    ],
)
def test_unmarked_sentences_survive_only_as_framing(sentence: str, kept: bool) -> None:
    text = f"{sentence} The ministry said 498 soldiers died near Oskova [3]."
    assert (sentence in verify(answer(text, 3)).answer) is kept


def test_paragraph_breaks_survive_dropped_sentences() -> None:
    text = "The ministry said 498 soldiers died [3]. The airport fell [3].\n\nSources disagree."
    assert verify(answer(text, 3)).answer == "The ministry said 498 soldiers died [1].\n\nSources disagree."


def test_multi_sentence_quote_stays_one_sentence() -> None:
    text = "Harbour bridge to reopen reports: “Port Alder Mayor Helena Voss said on Monday that the " \
        "harbour bridge would reopen in June. \"We will not cut corners on safety,\" she said.” [1]."
    assert verify(answer(text, 1)).answer == text


def test_reports_explain_each_decision() -> None:
    reports = check_sentences(answer("Voss said: “never” [1]. Nothing [5]. The regatta starts [1].", 1))
    assert [r.reason for r in reports] == ["quotation not in cited passages", "cites no listed source", "weak support"]


def test_calibration_set_is_separated_by_the_default_threshold() -> None:
    for scorer in (None, EmbeddingSupport(HashEmbedder())):
        assert min(scores(SUPPORTED, scorer)) >= DEFAULT_THRESHOLD > max(scores(UNSUPPORTED, scorer))


@pytest.mark.slow
def test_calibration_holds_for_minilm() -> None:
    from bot.index.embedder import SentenceTransformerEmbedder

    scorer = EmbeddingSupport(SentenceTransformerEmbedder())
    assert min(scores(SUPPORTED, scorer)) >= DEFAULT_THRESHOLD > max(scores(UNSUPPORTED, scorer))


def test_embedding_support_is_bounded() -> None:
    scorer = EmbeddingSupport(HashEmbedder())
    assert scorer.score("", ["x"]) == 0.0 and scorer.score("x", []) == 0.0
    assert 0.0 <= scorer.score("The ministry said 498 soldiers died", [PASSAGES[3], PASSAGES[4]]) <= 1.0


_ANSWER_TEXT = st.lists(
    st.one_of(
        st.sampled_from([s for s, _ in SUPPORTED + UNSUPPORTED]),
        st.sampled_from(["[1]", "[2]", "[9]", "[0]", "[1, 3]", "[", "]", "“", "”", '"', "‘", "’", ". ", "\n\n", "…"]),
        st.text(max_size=30),
        st.from_regex(r"\[\d{1,12}\]", fullmatch=True),
    ),
    max_size=12,
).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(text=_ANSWER_TEXT, ids=st.lists(st.integers(0, 5), max_size=5))
def test_verify_never_raises_and_never_cites_a_missing_citation(text: str, ids: list[int]) -> None:
    given_answer = Answer(
        "q", text, abstained=False, citations=tuple(citation(n, passage=n % 4 + 1) for n in ids),
        attributions=tuple(attribution(n, "x") for n in ids),
    )
    result = verify(given_answer, support=EmbeddingSupport(HashEmbedder(dimension=32)))
    listed = {c.id for c in result.citations}
    assert {int(m.group(1)) for m in CITATION_MARKER.finditer(result.answer)} <= listed
    assert [c.id for c in result.citations] == list(range(1, len(listed) + 1))
    assert all(a.citation in listed for a in result.attributions)
    if result.abstained:
        assert result.answer == ABSTAIN_MESSAGE and not result.citations

"""Work citation verification does: no model for a sentence made of its sources' own words, and one
model call for all the others. FICTIONAL: every name, place and number below is invented."""

from __future__ import annotations

from collections.abc import Sequence

from bot.answer.citations import check_sentences, verify
from bot.answer.support import EmbeddingSupport
from bot.index.embedder import HashEmbedder
from bot.model import Answer, Attribution, Citation
from tests.fakes.embedders import CountingEmbedder

QUOTE = "she said the harbour bridge in Port Alder would reopen in June"


class RefusingScorer:
    """A scorer that must not be asked."""

    def score(self, sentence: str, passages: Sequence[str]) -> float:
        raise AssertionError(f"scored {sentence!r}")


def citation(number: int, quote: str = QUOTE, title: str = "Bridge news") -> Citation:
    return Citation(id=number, article_id=f"a{number}", title=title, source=f"f{number}.txt",
                    quote=quote, start=0, end=len(quote))


def said_by(number: int, speaker: str, role: str) -> Attribution:
    return Attribution(speaker=speaker, speaker_mention="she", role=role, cue="said", stance="asserts",
                       content="the harbour bridge would reopen in June", citation=number)


def test_a_sentence_in_its_sources_own_words_needs_no_model() -> None:
    text = "Helena Voss (Mayor of Port Alder) said the harbour bridge would reopen in June [1]."
    answer = Answer(question="q", answer=text, abstained=False, citations=(citation(1),),
                    attributions=(said_by(1, "Helena Voss", "Mayor of Port Alder"),))
    [report] = check_sentences(answer, support=RefusingScorer())
    assert report.kept and report.reason == "supported"
    assert verify(answer, support=RefusingScorer()).answer == text


def test_only_the_cited_attribution_covers_a_name() -> None:
    # The speaker's name is known only from citation 2's attribution; the sentence cites 1.
    text = "Helena Voss said the harbour bridge would reopen in June [1]. Tolls return [2]."
    answer = Answer(question="q", answer=text, abstained=False,
                    citations=(citation(1), citation(2, "Tolls return in July, Voss said.")),
                    attributions=(said_by(2, "Helena Voss", "Mayor"),))
    scored: list[str] = []

    class Recording:
        def score(self, sentence: str, passages: Sequence[str]) -> float:
            scored.append(sentence)
            return 0.0

    check_sentences(answer, support=Recording())
    assert scored == ["Helena Voss said the harbour bridge would reopen in June."]


def test_every_scored_sentence_is_embedded_in_one_call() -> None:
    text = (
        "The crossing will open again in early summer [1]. Repairs are nearly complete, officials think [2]. "
        "Commuters welcomed the decision [1][2]."
    )
    answer = Answer(question="q", answer=text, abstained=False,
                    citations=(citation(1), citation(2, "Engineers finished most repairs to the span.")))
    embedder = CountingEmbedder()
    reports = check_sentences(answer, support=EmbeddingSupport(embedder))
    assert all(r.reason in ("supported", "weak support") and r.score is not None for r in reports)  # all scored
    assert len(embedder.batches) == 1
    assert set(embedder.batches[0]) == {
        "The crossing will open again in early summer.", "Repairs are nearly complete, officials think.",
        "Commuters welcomed the decision.", QUOTE, "Engineers finished most repairs to the span.",
    }


def test_prefetched_scores_equal_scores_computed_one_by_one() -> None:
    support = EmbeddingSupport(HashEmbedder())
    support.prefetch(["Repairs are done.", QUOTE])
    assert support.score("Repairs are done.", [QUOTE]) == EmbeddingSupport(HashEmbedder()).score(
        "Repairs are done.", [QUOTE]
    )

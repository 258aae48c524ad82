"""The QA eval's citation matching (a citation shows its source as clients see it), the PolNeAR questions' gold
sources, and the check sets."""

from __future__ import annotations

from collections import Counter

import pytest

from evals.answers.gold import Evidence
from evals.answers.metrics import _overlaps
from evals.answers.run import corpus_texts
from evals.checks.gold import CLASSES, load
from evals.checks.run import SETS


def test_a_citation_showing_a_relative_path_or_file_name_matches_the_ingested_file() -> None:
    gold = Evidence(source="/srv/whosaid/evals/corpus/ferry.txt", quote="the ferry", start=10, end=19)
    for shown in ("/srv/whosaid/evals/corpus/ferry.txt", "evals/corpus/ferry.txt", "ferry.txt"):
        assert _overlaps({"source": shown, "start": 12, "end": 30}, gold)
    assert not _overlaps({"source": "ry.txt", "start": 12, "end": 30}, gold)
    assert not _overlaps({"source": "ferry.txt", "start": 19, "end": 30}, gold)


@pytest.mark.parametrize("name", sorted(SETS))
def test_every_check_set_loads_with_every_class_and_its_speakers_in_its_corpus(name: str) -> None:
    checks, corpus = SETS[name]
    loaded = load(checks, "\n".join(corpus_texts([corpus]).values()))
    per_class = Counter(c.cls for c in loaded)
    assert set(per_class) == set(CLASSES) and min(per_class.values()) >= 5


def test_a_polnear_question_whose_gold_source_is_a_pronoun_is_skipped_and_names_match_loosely() -> None:
    from evals.answers.polnear import is_pronoun, matches

    assert is_pronoun("He") and is_pronoun("who") and is_pronoun("which,")
    assert not is_pronoun("Mirela Sand") and not is_pronoun("the union")
    assert matches("Union chief Mirela Sand", "Mirela Sand") and matches("Ms. Sand's", "Mirela Sand")
    assert not matches("Mirela Sand", "Tomas Brandt") and not matches("Mirela Sand", None)

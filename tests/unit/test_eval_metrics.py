"""The QA eval's citation matching: a citation shows its source as clients see it."""

from __future__ import annotations

from evals.answers.gold import Evidence
from evals.answers.metrics import _overlaps


def test_a_citation_showing_a_relative_path_or_file_name_matches_the_ingested_file() -> None:
    gold = Evidence(source="/srv/whosaid/evals/corpus/ferry.txt", quote="the ferry", start=10, end=19)
    for shown in ("/srv/whosaid/evals/corpus/ferry.txt", "evals/corpus/ferry.txt", "ferry.txt"):
        assert _overlaps({"source": shown, "start": 12, "end": 30}, gold)
    assert not _overlaps({"source": "ry.txt", "start": 12, "end": 30}, gold)
    assert not _overlaps({"source": "ferry.txt", "start": 19, "end": 30}, gold)

"""Shared fixtures: one spaCy-backed extractor per test session, and fixture articles."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.attribution import AttributionExtractor
from bot.model import Claim

SEEDS = Path(__file__).resolve().parents[3] / "seeds"
SEED = SEEDS / "kremlin-admits-significant-loss-of-troops.txt"

# FICTIONAL article written for these tests: every name, place and number is invented.
HARBOUR_ARTICLE = """Port Alder council admits budget shortfall

Port Alder Mayor Helena Voss said on Monday that the harbour bridge would reopen in June. \
"We will not cut corners on safety," she said.

The council spokesman, Tomas Brandt, estimated that up to 1,200 commuters use the bridge \
every day. Brandt did not say when tolls would return.

“The repairs are on schedule,” the spokesman told reporters. “Nobody in this town should worry.”

Voss insisted that the delay was “a matter of weeks, not months”.

The bridge was closed after a storm, according to the regional transport agency.

Reportedly, 14 ferries have been added to the timetable.

Ines Calloway: the budget is a mess and everyone knows it.

Voss's claim that the works cost less than 3 million euros was disputed by auditors.
"""


@pytest.fixture(scope="session")
def extractor() -> AttributionExtractor:
    """The engine, with spaCy loaded once for the whole session."""
    engine = AttributionExtractor()
    engine.extract("Warm-up, she said.")
    return engine


@pytest.fixture(scope="session")
def harbour_text() -> str:
    """The fictional harbour article."""
    return HARBOUR_ARTICLE


@pytest.fixture(scope="session")
def seed_text() -> str:
    """The demo seed article."""
    return SEED.read_text(encoding="utf-8")


# FICTIONAL sentence the trained taggers are tried on.
TAGGER_SENTENCE = (
    'Mayor Helena Voss of Port Alder said the harbour bridge would reopen in June. "We are ready," she added.'
)


def assert_tags_the_sentence(claims: list[Claim]) -> None:
    """A tagger found Voss's "said" claim in ``TAGGER_SENTENCE``, with exact spans."""
    said = next(c for c in claims if c.cue == "said")
    assert said.speaker is not None and "Voss" in said.speaker
    assert "bridge would reopen" in said.content
    assert all(TAGGER_SENTENCE[s:e] in said.content for s, e in said.content_spans)

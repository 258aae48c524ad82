"""The seam between candidate finders and the one assembly step."""

from __future__ import annotations

from bot.attribution import AttributionExtractor
from bot.attribution.candidates import Candidate, Mention
from bot.attribution.engine import HybridFinder, create_finder
from bot.attribution.extractor import RuleFinder
from bot.attribution.neural import MiniLmFinder

# FICTIONAL sentence: the name and the bridge are invented.
TEXT = "Mayor Helena Voss said the harbour bridge would reopen in June."


class FixedFinder:
    """A finder that proposes one hand-made candidate, whatever the text."""

    def find(self, text: str, docs: list) -> list[Candidate]:
        start = text.index("the harbour")
        return [Candidate(
            cue_span=(18, 22), cue="said", stance="asserts", content=[(start, len(text) - 1)],
            source=Mention(span=(0, 17), text="Mayor Helena Voss", kind="person", name="Helena Voss", head="voss"),
        )]


def test_any_finder_feeds_the_same_assembly() -> None:
    claims = AttributionExtractor(finder=FixedFinder()).extract(TEXT)
    assert [(c.speaker, c.cue, c.content, c.kind) for c in claims] == [
        ("Helena Voss", "said", "the harbour bridge would reopen in June", "indirect")
    ]


def test_the_factory_names_every_engine() -> None:
    assert isinstance(create_finder("rules"), RuleFinder)
    assert isinstance(create_finder("model"), MiniLmFinder)
    assert isinstance(create_finder("hybrid"), HybridFinder)

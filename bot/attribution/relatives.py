"""A relative pronoun that introduces a cue is the claim's source as written.

"Sanders' supporters, who are deeply skeptical of the deal" and "the report, which notes that
...": the cue's subject is "who" / "which", standing for the noun before it. The claim keeps the
speaker resolved from that noun and marks the pronoun as its ``source_span`` and
``speaker_mention`` (as a "he" stays "he"), whichever engine tagged the noun instead. A relative
clause closed before the cue ("Clinton, who was speaking in Ohio, said") is not the cue's
subject, and "that" is left alone (a complementiser as often as a pronoun).
"""

from __future__ import annotations

import dataclasses
import re

from bot.model import Claim

# Between a source and its cue: the pronoun, then at most a short run of words (auxiliaries,
# adverbs, a parenthesis set off by commas straight after the pronoun), no sentence end or quote.
_RELATIVE = re.compile(r"[ \t]*,?[ \t]*(?:[—–][ \t]*)?(?P<pronoun>who|which)\b(?P<rest>[^.!?;\"“”\n]{0,80})$", re.I)


def relative_sources(text: str, claims: list[Claim]) -> list[Claim]:
    """The claims, each whose source is the noun before a relative pronoun re-marked at the pronoun."""
    return [_at_pronoun(text, c) for c in claims]


def _at_pronoun(text: str, claim: Claim) -> Claim:
    if claim.source_span is None or claim.cue_span[0] < claim.source_span[1]:
        return claim
    found = _RELATIVE.match(text, claim.source_span[1], claim.cue_span[0])
    if found is None:
        return claim
    rest = found.group("rest").strip()
    if "," in rest and not rest.startswith(","):
        return claim  # the relative clause closed before the cue: the noun is the subject of the cue
    return dataclasses.replace(claim, source_span=found.span("pronoun"), speaker_mention=found.group("pronoun"))

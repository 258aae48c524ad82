"""The claim-check set: loading and validation.

One JSON object per line (``evals/checks/checks.jsonl``), over the fictional Sarnport depot
explosion corpus (``evals/checks/corpus``, six articles by six invented outlets):

    {"id", "class": CLASS, "split": "tune"|"heldout", "claim", "verdict": VERDICT,
     "claimed_speaker": str | null, "found_speaker": str | null, "note": str}

``claimed_speaker`` is the canonical name (or organisation) the claim names, ``null`` for a
bare claim; ``found_speaker`` who is really on record with the words (for ``supported`` and
``misattributed``). The gold is what a careful fact-checker decides from the corpus alone;
``note`` says why. Each class expects certain verdicts (``CLASSES``); a line that breaks the
schema, names a speaker the corpus never mentions, or repeats a claim fails loudly.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.model import VERDICTS
from evals.answers.gold import GoldError

# The classes of the set and the verdicts each may have. changed_cue: a stronger or weaker cue is
# misquoted, an admission claimed for a denial (or the reverse) is contradicted.
CLASSES: dict[str, tuple[str, ...]] = {
    "true_attribution": ("supported",),
    "swapped_speaker": ("misattributed",),
    "changed_figure": ("misquoted",),
    "changed_place_or_date": ("misquoted",),
    "flipped_negation": ("misquoted",),
    "changed_cue": ("misquoted", "contradicted"),
    "own_denial_restated": ("supported",),
    "denial_as_assertion": ("contradicted",),
    "bare_self_serving": ("unverified",),
    "bare_disputed": ("disputed",),
    "unanswerable": ("unverified",),
}
BARE = frozenset({"bare_self_serving", "bare_disputed"})  # no speaker named (unanswerable may name one)
SPLITS = ("tune", "heldout")
FIELDS = ("id", "class", "split", "claim", "verdict", "claimed_speaker", "found_speaker", "note")


class CheckError(GoldError):
    """A check line that is malformed or inconsistent with its class or the corpus."""


@dataclass(frozen=True, slots=True)
class Check:
    """One claim to check and its gold verdict and speakers."""

    id: str
    cls: str
    split: str
    claim: str
    verdict: str
    claimed_speaker: str | None
    found_speaker: str | None
    note: str

    def to_dict(self) -> dict[str, Any]:
        """The check as its line has it."""
        return {"id": self.id, "class": self.cls, "split": self.split, "claim": self.claim, "verdict": self.verdict,
                "claimed_speaker": self.claimed_speaker, "found_speaker": self.found_speaker, "note": self.note}


def load(path: Path, corpus_text: str | None = None) -> list[Check]:
    """Every check of the file, validated; with ``corpus_text``, every speaker must occur in it."""
    checks: list[Check] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            checks.append(parse(line, where=f"{path.name} line {number}"))
    _unique(checks)
    if corpus_text is not None:
        for check in checks:
            _in_corpus(check, corpus_text)
    return checks


def parse(line: str, *, where: str) -> Check:
    """One line as a ``Check``, or ``CheckError`` naming the line and what is wrong."""
    try:
        data = json.loads(line)
    except ValueError as exc:
        raise CheckError(f"{where}: not JSON ({exc})") from None
    if not isinstance(data, dict) or set(data) != set(FIELDS):
        raise CheckError(f"{where}: the fields must be exactly {', '.join(FIELDS)}")
    check = Check(id=data["id"], cls=data["class"], split=data["split"], claim=data["claim"], verdict=data["verdict"],
                  claimed_speaker=data["claimed_speaker"], found_speaker=data["found_speaker"], note=data["note"])
    problem = _problem(check)
    if problem:
        raise CheckError(f"{where} ({check.id}): {problem}")
    return check


def _problem(check: Check) -> str | None:
    """What breaks the schema or the class's rules, if anything."""
    if not all(isinstance(v, str) and v.strip() for v in (check.id, check.claim, check.note)):
        return "id, claim and note must be non-empty strings"
    if check.cls not in CLASSES:
        return f"unknown class {check.cls!r}"
    if check.split not in SPLITS:
        return f"split must be one of {', '.join(SPLITS)}"
    if check.verdict not in VERDICTS or check.verdict not in CLASSES[check.cls]:
        return f"verdict {check.verdict!r} is not one of {', '.join(CLASSES[check.cls])} for {check.cls}"
    if (check.claimed_speaker is None) != (check.cls in BARE) and check.cls != "unanswerable":
        return "a bare class names no claimed speaker; every other class names one"
    needs_found = check.verdict in ("supported", "misattributed") and check.claimed_speaker is not None
    if needs_found != (check.found_speaker is not None):
        return "found_speaker is given for attributed supported and misattributed checks only"
    return None


def _unique(checks: list[Check]) -> None:
    """Ids and claims (compared without case and punctuation) appear once."""
    ids: set[str] = set()
    claims: dict[str, str] = {}
    for check in checks:
        if check.id in ids:
            raise CheckError(f"the id {check.id} appears twice")
        ids.add(check.id)
        key = " ".join(re.findall(r"\w+", check.claim.casefold()))
        if key in claims:
            raise CheckError(f"{check.id} repeats the claim of {claims[key]}")
        claims[key] = check.id


def _in_corpus(check: Check, corpus_text: str) -> None:
    folded = corpus_text.casefold()
    for name in (check.claimed_speaker, check.found_speaker):
        if name is not None and name.casefold() not in folded:
            raise CheckError(f"{check.id}: the speaker {name!r} is not in the corpus")

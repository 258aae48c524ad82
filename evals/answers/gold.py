"""The hand-written question set: loading, validation, and gold evidence located in the texts.

One JSON object per line (``evals/questions/answers.jsonl``):

    {"id", "type": "who_said"|"what_did"|"general"|"unanswerable"|"check", "split": "tune"|"heldout",
     "question", "answerable": bool, "speakers": [names or null], "verdict": null|VERDICT,
     "evidence": [{"source": FILE NAME, "quote": EXACT SUBSTRING OF THE ARTICLE TEXT}], "kind"?: str}

or a conversation, ``{"id", "type": "followup", "split", "turns": [{"question", "answerable",
"speakers", "evidence", "kind"?}, ...]}``, whose turns are asked in one session. ``speakers``
lists the acceptable canonical names (``null``: unattributed reporting is the right answer);
``source`` names an article by the last part of the path or URL it was ingested from.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TYPES = frozenset({"who_said", "what_did", "general", "unanswerable", "check", "followup"})
VERDICTS = frozenset({"supported", "contradicted", "disputed", "unverified"})
SPLITS = frozenset({"tune", "heldout", "blind"})


class GoldError(ValueError):
    """A question line that is malformed or whose evidence is not in the corpus."""


@dataclass(frozen=True, slots=True)
class Evidence:
    """A gold span: ``article.text[start:end] == quote``, in the article ingested from ``source``."""

    source: str
    quote: str
    start: int = -1
    end: int = -1


@dataclass(frozen=True, slots=True)
class Item:
    """One question to ask (a conversation's turn is one item too)."""

    id: str
    type: str  # the line's type ("followup" for every turn of a conversation)
    split: str
    question: str
    answerable: bool
    speakers: tuple[str | None, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    verdict: str | None = None
    kind: str | None = None  # what makes an unanswerable question a near miss
    mode: str = "ask"


@dataclass(frozen=True, slots=True)
class Line:
    """One line of the set: a single question, or a conversation of several turns."""

    id: str
    type: str
    items: tuple[Item, ...]


def load(path: Path, texts: Mapping[str, str]) -> list[Line]:
    """Read and check the question set; ``texts`` maps article sources to their exact text."""
    lines: list[Line] = []
    seen: set[str] = set()
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            line = _line(json.loads(raw), texts)
        except (json.JSONDecodeError, KeyError, TypeError, GoldError) as exc:
            raise GoldError(f"{path}:{number}: {exc}") from None
        if line.id in seen:
            raise GoldError(f"{path}:{number}: duplicate id {line.id!r}")
        seen.add(line.id)
        lines.append(line)
    return lines


def _line(data: dict[str, Any], texts: Mapping[str, str]) -> Line:
    kind = data["type"]
    if kind not in TYPES:
        raise GoldError(f"unknown type {kind!r}")
    if data["split"] not in SPLITS:
        raise GoldError(f"unknown split {data['split']!r}")
    if kind == "followup":
        turns = data["turns"]
        if len(turns) < 2:
            raise GoldError("a follow-up needs at least two turns")
        items = tuple(
            _item({**turn, "type": kind, "split": data["split"]}, f"{data['id']}.{i}", texts)
            for i, turn in enumerate(turns, start=1)
        )
        return Line(data["id"], kind, items)
    return Line(data["id"], kind, (_item(data, data["id"], texts),))


def _item(data: dict[str, Any], item_id: str, texts: Mapping[str, str]) -> Item:
    verdict = data.get("verdict")
    if data["type"] == "check" and verdict not in VERDICTS:
        raise GoldError(f"a check needs a verdict in {sorted(VERDICTS)}, not {verdict!r}")
    answerable = bool(data["answerable"])
    evidence = tuple(_locate(e["source"], e["quote"], texts) for e in data.get("evidence", []))
    if answerable and not evidence:
        raise GoldError("an answerable question needs gold evidence")
    if not answerable and (evidence or data.get("speakers")):
        raise GoldError("an unanswerable question has no gold speakers or evidence")
    return Item(
        id=item_id, type=data["type"], split=data["split"], question=data["question"], answerable=answerable,
        speakers=tuple(data.get("speakers", ())), evidence=evidence, verdict=verdict, kind=data.get("kind"),
        mode="check" if data["type"] == "check" else "ask",
    )


def _locate(source: str, quote: str, texts: Mapping[str, str]) -> Evidence:
    matches = [name for name in texts if same_source(name, source)]
    if len(matches) != 1:
        raise GoldError(f"evidence source {source!r} names {len(matches)} articles, not one")
    text = texts[matches[0]]
    start = text.find(quote)
    if not quote or start < 0:
        raise GoldError(f"{quote!r} is not in {source}")
    return Evidence(matches[0], quote, start, start + len(quote))


def same_source(ingested: str, name: str) -> bool:
    """Whether an article ingested from ``ingested`` (a path or URL) is the one ``name`` names."""
    return ingested == name or ingested.replace("\\", "/").rsplit("/", 1)[-1] == name


def items(lines: Sequence[Line]) -> list[Item]:
    """Every question of the set, conversations' turns in order."""
    return [item for line in lines for item in line.items]

"""Reading attribution corpora in brat standoff (PolNeAR's format) for training the tagger.

A corpus folder holds ``text/NAME.txt`` and ``attributions/NAME_ANNOTATOR.ann``; an article
annotated more than once is read from its first file by name. Only spans that take part in an
``E`` relation count (``Discard``/``Discuss`` spans belong to none).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bot.errors import InputPathError
from bot.model import Span

_SPAN_LINE = re.compile(r"^(T\d+)\t(\S+) ([\d ;]+)\t")
_EVENT_LINE = re.compile(r"^E\d+\t(.*)$")
ROLES = ("Source", "Cue", "Content")


@dataclass(frozen=True, slots=True)
class Relation:
    """One annotated attribution: the character ranges of each role (source may be empty)."""

    source: tuple[Span, ...]
    cue: tuple[Span, ...]
    content: tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class Article:
    """One annotated text."""

    name: str
    text: str
    relations: tuple[Relation, ...]


def parse_ann(text: str) -> list[Relation]:
    """The relations of one ``.ann`` file's text."""
    spans: dict[str, tuple[Span, ...]] = {}
    events: list[str] = []
    for line in text.splitlines():
        if m := _SPAN_LINE.match(line):
            spans[m.group(1)] = tuple(
                (int(a), int(b)) for a, b in (r.split() for r in m.group(3).split(";"))
            )
        elif m := _EVENT_LINE.match(line):
            events.append(m.group(1))
    out: list[Relation] = []
    for event in events:
        roles: dict[str, list[Span]] = {r: [] for r in ROLES}
        for part in event.split():
            role, _, ref = part.partition(":")
            role = role.rstrip("0123456789")
            if role in roles:
                roles[role].extend(spans.get(ref, ()))
        if roles["Cue"] and roles["Content"]:
            out.append(Relation(tuple(roles["Source"]), tuple(roles["Cue"]), tuple(roles["Content"])))
    return out


def read_corpus(folder: Path) -> list[Article]:
    """Every annotated article of a brat corpus folder, sorted by name."""
    ann_dir, text_dir = folder / "attributions", folder / "text"
    if not ann_dir.is_dir() or not text_dir.is_dir():
        raise InputPathError(
            f"{folder} is not a brat corpus: it needs text/NAME.txt and attributions/NAME_ANNOTATOR.ann."
        )
    chosen: dict[str, Path] = {}
    for ann in sorted(ann_dir.glob("*.ann")):
        chosen.setdefault(ann.stem.rsplit("_", 1)[0], ann)
    articles = []
    for name, ann in sorted(chosen.items()):
        txt = text_dir / f"{name}.txt"
        if not txt.is_file():
            continue
        text = txt.read_text(encoding="utf-8")
        articles.append(Article(name, text, tuple(parse_ann(ann.read_text(encoding="utf-8")))))
    if not articles:
        raise InputPathError(f"{folder} holds no annotated articles (attributions/*.ann beside text/*.txt).")
    return articles

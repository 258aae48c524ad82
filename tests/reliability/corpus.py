"""Fictional news articles generated from templates, for the reliability tests.

FICTIONAL: every town, person, organisation and event here is invented; the sentences are
assembled from the templates below by a seeded random generator, so each test run writes the
same folder. The articles quote named speakers ("..., said X, the Y.", "According to X, ...")
so that claim extraction finds something in them.
"""

from __future__ import annotations

import random
from pathlib import Path

TOWNS = ("Brackenford", "Lowmere", "Quillby", "Tarnhollow", "Easterwick", "Marrowgate", "Fenlock", "Orsby")
PEOPLE = (
    ("Alma Veritt", "mayor"), ("Tomas Kesh", "harbour master"), ("Ines Morrow", "council spokeswoman"),
    ("Piet Galloway", "union organiser"), ("Ruth Anselm", "chief engineer"), ("Oskar Lind", "police inspector"),
    ("Nadia Frehn", "hospital director"), ("Caspar Whitlow", "transport minister"),
)
TOPICS = (
    ("the ferry timetable", "ferry crossings"), ("the new tram line", "tram services"),
    ("the flood barrier", "river defences"), ("the school budget", "teacher salaries"),
    ("the water supply", "reservoir levels"), ("the market hall", "stall rents"),
)
FACTS = (
    "{n} households were affected by {topic} last month",
    "repairs to {topic} will cost about {n} thousand crowns",
    "{n} workers were reassigned while {topic} was reviewed",
    "the council received {n} complaints about {topic}",
)
QUOTED = (
    "\u201c{Fact}, and we expect the figure to change,\u201d said {name}, the {role}.",
    "{name}, the {role}, said that {fact}.",
    "According to {name}, {fact}.",
    "\u201cWe never promised that {fact},\u201d {surname} told reporters in {town}.",
    "{surname} warned that {fact} unless {plural} improve.",
)
PLAIN = (
    "Residents of {town} gathered outside the civic offices on {day} morning.",
    "The debate over {topic} has divided the {town} council for most of the year.",
    "Officials published a short statement about {plural} late on {day}.",
    "Local shops in {town} reported quieter trade than usual.",
)
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")


def article_text(rng: random.Random, number: int, *, paragraphs: int = 8) -> str:
    """One fictional article: a title line and ``paragraphs`` paragraphs of 3 sentences."""
    town = rng.choice(TOWNS)
    topic, plural = rng.choice(TOPICS)
    lines = [f"Fictional report {number}: {town} argues over {topic}", ""]
    for _ in range(paragraphs):
        sentences = []
        for template in (rng.choice(PLAIN), rng.choice(QUOTED), rng.choice(QUOTED)):
            name, role = rng.choice(PEOPLE)
            fact = rng.choice(FACTS).format(n=rng.randint(2, 900), topic=topic)
            sentences.append(template.format(
                town=town, topic=topic, plural=plural, day=rng.choice(DAYS), name=name, role=role,
                surname=name.split()[-1], fact=fact, Fact=fact[0].upper() + fact[1:],
            ))
        lines.extend([" ".join(sentences), ""])
    return "\n".join(lines)


def write_corpus(folder: Path, *, count: int, seed: int, paragraphs: int = 8) -> list[Path]:
    """Write ``count`` fictional articles as .txt files (stable names and texts for a seed)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(count):
        path = folder / f"fictional-{number:03d}.txt"
        path.write_text(article_text(rng, number, paragraphs=paragraphs), encoding="utf-8")
        paths.append(path)
    return paths

"""What a long-lived service remembers between questions never outlives a change to the index.

FICTIONAL: every article, name and place below is invented for these tests.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from bot.config import Settings
from bot.index.embedder import HashEmbedder
from bot.model import Claim
from bot.service import Whosaid

FERRY = "Ferry strike ends in Port Averly\n\nThe ferry crossings to Port Averly resume on Monday, Mara Velt said.\n"
ORCHARD = "Orchard fair moves to Lindholm\n\nThe orchard fair in Lindholm moves to the old quay, Oskar Lind said.\n"


class SaidClaims:
    """A fake extractor: one claim per "..., First Last said." line."""

    def extract_many(self, texts: Iterable[str]) -> Iterator[list[Claim]]:
        for text in texts:
            found = []
            for match in re.finditer(r"^(?P<content>[^\n]+?), (?P<speaker>\w+ \w+) (?P<cue>said)\.$", text, re.M):
                found.append(Claim(
                    speaker=match["speaker"], speaker_mention=match["speaker"], source_span=match.span("speaker"),
                    cue="said", cue_span=match.span("cue"), content=match["content"],
                    content_spans=(match.span("content"),), kind="indirect", stance="asserts",
                ))
            yield found


def service_over(tmp_path: Path) -> Whosaid:
    settings = Settings(data_dir=tmp_path / "data", embedding_model="hash")
    return Whosaid(settings, embedder=HashEmbedder(), extractor=SaidClaims())


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_speaker_ingested_between_two_questions_is_known_to_the_second(tmp_path: Path) -> None:
    service = service_over(tmp_path)
    service.ingest([write(tmp_path / "in", "ferry.txt", FERRY)])
    question = "What did Oskar Lind say about the orchard fair?"
    assert service.ask(question).abstained  # no source quotes him yet
    orchard = write(tmp_path / "in", "orchard.txt", ORCHARD)
    service.ingest([orchard])
    answer = service.ask(question)
    assert not answer.abstained and answer.attributions[0].speaker == "Oskar Lind"
    assert "old quay" in answer.citations[0].quote
    service.remove(str(orchard))
    assert service.ask(question).abstained  # and forgotten once his article is removed


def test_passages_ingested_between_two_questions_are_found_by_the_second(tmp_path: Path) -> None:
    service = service_over(tmp_path)
    service.ingest([write(tmp_path / "in", "ferry.txt", FERRY)])
    assert all(hit.title != "Orchard fair moves to Lindholm" for hit in service.search("orchard fair Lindholm quay"))
    service.ingest([write(tmp_path / "in", "orchard.txt", ORCHARD)])
    assert service.search("orchard fair Lindholm quay", k=1)[0].title == "Orchard fair moves to Lindholm"


def test_a_second_service_sees_what_the_first_ingested(tmp_path: Path) -> None:
    reader, writer = service_over(tmp_path), service_over(tmp_path)
    writer.ingest([write(tmp_path / "in", "ferry.txt", FERRY)])
    assert not reader.ask("What did Mara Velt say?").abstained  # builds the reader's speaker index
    writer.ingest([write(tmp_path / "in", "orchard.txt", ORCHARD)])  # another process, in effect
    answer = reader.ask("What did Oskar Lind say?")
    assert not answer.abstained and answer.attributions[0].speaker == "Oskar Lind"

"""Ingest with the real attribution engine: claims stored, searchable, filterable by speaker."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import Settings
from bot.index.embedder import HashEmbedder
from bot.service import Whosaid

from ..conftest import FIXTURES, SEEDS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Whosaid:
    settings = Settings(data_dir=tmp_path_factory.mktemp("claims"), embedding_model="hash")
    service = Whosaid(settings, embedder=HashEmbedder())
    report = service.ingest([SEEDS, FIXTURES])
    assert report.claims == service.records.counts()["claims"] > 10
    return service


def test_claims_are_stored_with_exact_spans(indexed: Whosaid) -> None:
    for claim in indexed.claims():
        text = indexed.article(claim.article_id or "").text
        assert claim.content == " ".join(text[s:e] for s, e in claim.content_spans)
        assert text[claim.cue_span[0] : claim.cue_span[1]] == claim.cue


def test_claims_filter_by_speaker_case_insensitively(indexed: Whosaid) -> None:
    peskov = indexed.claims(speaker="dmitry peskov")
    assert len(peskov) >= 4
    assert {c.speaker for c in peskov} == {"Dmitry Peskov"}
    assert any(c.speaker_mention == "he" for c in peskov)  # a pronoun resolved to him


def test_claims_are_searchable_by_meaning_within_a_speaker(indexed: Whosaid) -> None:
    hits = indexed.search_claims("repair cost million", k=3, speaker="Tomas Reyes")
    assert hits and all(c.speaker == "Tomas Reyes" for c, _ in hits)
    assert "80 million" in hits[0][0].content


def test_removing_an_article_removes_its_claims(tmp_path: Path) -> None:
    service = Whosaid(Settings(data_dir=tmp_path, embedding_model="hash"), embedder=HashEmbedder())
    service.ingest([FIXTURES / "harbor-bridge.txt"])
    assert service.claims(speaker="Elena Brandt")
    service.remove(str(FIXTURES / "harbor-bridge.txt"))
    assert service.claims() == [] and service.claim_vectors.ids() == set()


def test_extract_prints_one_json_line_per_claim_without_an_index(tmp_path: Path) -> None:
    path = FIXTURES / "harbor-bridge.txt"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "extract", str(path), "--json", "--data-dir", str(tmp_path / "none")],
        capture_output=True, text=True, env=os.environ, timeout=300, check=True,
    )
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    text = path.read_text(encoding="utf-8")
    assert len(lines) >= 4 and not (tmp_path / "none").exists()
    for line in lines:
        assert line["path"] == str(path)
        assert {"speaker", "speaker_mention", "source_span", "cue", "cue_span", "content", "content_spans",
                "kind", "stance"} <= set(line)
        s, e = line["cue_span"]
        assert text[s:e] == line["cue"]
    reyes = next(line for line in lines if line["speaker"] == "Tomas Reyes" and line["kind"] == "direct")
    assert "80 million" in reyes["content"]


def test_claims_about_ranks_by_meaning_from_the_command_line(indexed: Whosaid) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "claims", "--about", "frost destroying apple blossom", "--json",
         "--data-dir", str(indexed.settings.data_dir)],
        capture_output=True, text=True, env={**os.environ, "WHOSAID_EMBEDDING_MODEL": "hash"}, timeout=300, check=True,
    )
    first = json.loads(result.stdout.splitlines()[0])
    assert "frost" in first["content"]

"""Shared fixtures: every test owns its environment and data directory."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from bot.config import Settings
from bot.index.embedder import HashEmbedder
from bot.model import Claim
from bot.service import Whosaid

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "articles"

# The suite is deterministic: every property test draws the same examples on every run, so CI
# never turns red on a new draw. `HYPOTHESIS_PROFILE=explore pytest tests/fuzz` hunts with fresh
# random examples; a failure it finds is replayed from .hypothesis/ and belongs in an @example.
hypothesis_settings.register_profile("deterministic", derandomize=True, database=None)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "deterministic"))


@pytest.fixture(autouse=True)
def _own_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No WHOSAID_* variable leaks in; the data directory is the test's own."""
    for name in list(os.environ):
        if name.startswith("WHOSAID_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("WHOSAID_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings for a fresh data directory, with the fast hash embedder."""
    return Settings(data_dir=tmp_path / "data", embedding_model="hash", extract_claims=False)


class NoClaims:
    """An extractor that finds nothing (the attribution engine has its own tests)."""

    def extract_many(self, texts: Iterable[str]) -> Iterator[list[Claim]]:
        for _ in texts:
            yield []


@pytest.fixture
def service(settings: Settings) -> Whosaid:
    """A service over embedded Chroma and SQLite with deterministic fakes at the seams."""
    return Whosaid(settings, embedder=HashEmbedder(), extractor=NoClaims())


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A writable copy of the seeds and the fictional fixture articles."""
    target = tmp_path / "corpus"
    shutil.copytree(FIXTURES, target)
    for seed in SEEDS.iterdir():
        shutil.copy(seed, target / seed.name)
    return target

"""The MiniLM attribution tagger: the shipped weights, training, and damaged weight files."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest

from bot.attribution.engine import create_extractor, create_finder, create_tagger
from bot.attribution.neural import MINILM_FILE, MiniLmFinder
from bot.attribution.tagger import MODEL_DIR, MODEL_FILE, CrfFinder, checksum_path
from bot.errors import ConfigurationError
from tests.unit.attribution.conftest import TAGGER_SENTENCE, assert_tags_the_sentence

FICTIONAL_CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "brat_fictional"
# FICTIONAL sentence: the names and the town are invented.


def _no_network(*_args: object, **_kwargs: object) -> None:
    raise OSError("the tagger must not reach the network")


def test_the_model_engine_is_the_minilm_tagger_unless_given_a_crf_file(tmp_path: Path) -> None:
    assert isinstance(create_finder("model"), MiniLmFinder)
    assert isinstance(create_tagger(tmp_path / MODEL_FILE), CrfFinder)


@pytest.mark.slow
def test_the_shipped_minilm_tagger_loads_offline_and_tags(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _no_network)
    assert (MODEL_DIR / MINILM_FILE).is_file()
    assert_tags_the_sentence(create_extractor("model").extract(TAGGER_SENTENCE))


@pytest.mark.slow
def test_training_on_a_fictional_corpus_runs_end_to_end_and_repeats(tmp_path: Path) -> None:
    from bot.attribution.training_minilm import train_minilm

    stages: set[str] = set()
    settings = {"epochs": 2, "hidden": 16}
    first = train_minilm(FICTIONAL_CORPUS, tmp_path / "a", seed=3, dev=FICTIONAL_CORPUS, settings=settings,
                         progress=lambda stage, _done, _total: stages.add(stage))
    again = train_minilm(FICTIONAL_CORPUS, tmp_path / "b", seed=3, dev=FICTIONAL_CORPUS, settings=settings)
    assert first.articles == 3 and {"parsing train", "encoding train", "training"} <= stages
    assert first.path.read_bytes() == again.path.read_bytes()
    claims = create_extractor("model", model_path=first.path).extract("Mayor Ada Quince said the bridge would reopen.")
    assert isinstance(claims, list)  # a model this small may find nothing; it must load and run


@pytest.mark.parametrize("damage", ["garbage", "truncated", "checksum", "no record"])
def test_a_damaged_weights_file_fails_in_one_sentence(tmp_path: Path, damage: str) -> None:
    path = tmp_path / MINILM_FILE
    shipped = MODEL_DIR / MINILM_FILE
    data = shipped.read_bytes()
    if damage != "no record":
        shutil.copy(checksum_path(shipped), checksum_path(path))
    mid = len(data) // 2
    path.write_bytes({
        "garbage": b"not a model at all" * 100, "truncated": data[:mid], "no record": data,
        "checksum": data[:mid] + bytes([data[mid] ^ 0xFF]) + data[mid + 1 :],
    }[damage])
    with pytest.raises(ConfigurationError) as caught:
        create_extractor("model", model_path=path).extract(TAGGER_SENTENCE)
    message = str(caught.value)
    assert "corrupt" in message and "\n" not in message and message.count(". ") == 0


def test_a_missing_weights_file_fails_in_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="is missing"):
        create_extractor("model", model_path=tmp_path / MINILM_FILE).extract(TAGGER_SENTENCE)

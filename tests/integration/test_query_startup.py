"""Questions without torch: the numpy MiniLM gives sentence-transformers' vectors, and a
one-question process never imports torch, sentence-transformers or spaCy."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bot.config import Settings
from bot.index.bert import NumpyBertEmbedder
from bot.index.embedder import SentenceTransformerEmbedder, resolve_model_path
from bot.service import Whosaid

from ..conftest import FIXTURES, SEEDS

pytestmark = pytest.mark.slow


def sample_texts() -> list[str]:
    """Questions, passages of every length (one past the 256-token limit), odd text."""
    seed = next(SEEDS.glob("*.txt")).read_text(encoding="utf-8")
    fixture = (FIXTURES / "harbor-bridge.txt").read_text(encoding="utf-8")
    return [
        "What did Peskov say about sanctions?",
        "Who said that Mariupol will be liberated?",
        seed[:300], seed[300:1000], seed[:4000], fixture[:700], fixture,
        "  leading and trailing spaces  ", "x", "", "Café, naïve — “quoted” 498 vs 1,351 deaths 🚢",
        "日本語のテキスト", "Ünïcödé ÄÖÜ straße",
    ]


def test_numpy_minilm_matches_sentence_transformers() -> None:
    texts = sample_texts()
    reference = np.array(SentenceTransformerEmbedder().embed(texts))
    numpy_model = NumpyBertEmbedder(Path(resolve_model_path("all-MiniLM-L6-v2")), name="all-MiniLM-L6-v2")
    together = np.array(numpy_model.embed(texts))  # padded batches
    alone = np.array([numpy_model.embed([text])[0] for text in texts])
    assert together.shape == reference.shape == (len(texts), 384)
    assert (together * reference).sum(axis=1).min() >= 0.9999
    assert (alone * reference).sum(axis=1).min() >= 0.9999
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)


def test_lone_surrogates_are_embedded_not_raised() -> None:
    text = "binary \udcff garbage"
    numpy_model = NumpyBertEmbedder(Path(resolve_model_path("all-MiniLM-L6-v2")), name="all-MiniLM-L6-v2")
    assert np.dot(numpy_model.embed([text])[0], SentenceTransformerEmbedder().embed([text])[0]) >= 0.9999


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("startup")
    Whosaid(Settings(data_dir=folder)).ingest([SEEDS])
    return folder


RUN_AND_LIST_MODULES = """
import json, sys
from bot.cli import main
sys.argv = ["whosaid", *sys.argv[1:]]
try:
    main()
except SystemExit as exit:
    assert not exit.code, exit.code
heavy = ("torch", "sentence_transformers", "transformers", "spacy", "thinc")
print(json.dumps(sorted(m for m in heavy if m in sys.modules)))
"""


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (["ask", "What did Peskov say about sanctions?"], "Peskov"),
        (["ask", "Who said that Mariupol will be liberated?"], "Peskov"),
        (["check", "Russia lost 498 soldiers in Ukraine"], "498"),
    ],
)
def test_a_one_question_process_never_imports_torch_or_spacy(data_dir: Path, command: list[str], expected: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", RUN_AND_LIST_MODULES, *command, "--json", "--data-dir", str(data_dir)],
        capture_output=True, text=True, check=True,
    )
    answer_line, modules_line = result.stdout.strip().splitlines()
    answer = json.loads(answer_line)
    assert not answer["abstained"] and expected in answer["answer"]
    assert json.loads(modules_line) == []

"""The query-time embedder: the cache in front of it, and which models run without torch."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.index.bert import supports
from bot.index.embedder import CachedEmbedder, HashEmbedder, create_query_embedder, resolve_model_path
from tests.fakes.embedders import CountingEmbedder


def test_cached_vectors_are_the_inner_embedders() -> None:
    inner = CountingEmbedder()
    cached = CachedEmbedder(inner)
    texts = ["the ferry runs", "the bridge is shut", "the ferry runs"]
    assert cached.embed(texts) == HashEmbedder().embed(texts)
    assert cached.name == inner.name and cached.dimension == inner.dimension
    assert inner.batches == [["the ferry runs", "the bridge is shut"]]  # a repeat within a call is embedded once


def test_only_unseen_texts_reach_the_model_in_one_batch() -> None:
    inner = CountingEmbedder()
    cached = CachedEmbedder(inner)
    cached.embed(["a harbour", "a bridge"])
    assert cached.embed(["a bridge", "a quay", "a harbour", "a pier"]) == HashEmbedder().embed(
        ["a bridge", "a quay", "a harbour", "a pier"]
    )
    assert inner.batches[1:] == [["a quay", "a pier"]]
    assert cached.embed([]) == [] and len(inner.batches) == 2


def test_the_cache_forgets_the_least_recently_used_text() -> None:
    inner = CountingEmbedder()
    cached = CachedEmbedder(inner, size=2)
    cached.embed(["one"])
    cached.embed(["two"])
    cached.embed(["one"])  # "two" is now the oldest
    cached.embed(["three"])
    inner.batches.clear()
    cached.embed(["one", "two"])
    assert inner.batches == [["two"]]


def test_a_caller_changing_its_vector_does_not_change_the_cache() -> None:
    cached = CachedEmbedder(HashEmbedder())
    first = cached.embed(["a ferry strike"])[0]
    first[0] = 42.0
    assert cached.embed(["a ferry strike"])[0] == HashEmbedder().embed(["a ferry strike"])[0]


class GatedEmbedder(CountingEmbedder):
    """Holds its first batch until ``gate`` is set (another thread asks meanwhile); may fail it."""

    def __init__(self, *, fail_first: bool = False) -> None:
        super().__init__()
        self.started, self.gate, self.fail_first = threading.Event(), threading.Event(), fail_first

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        first = not self.batches
        self.batches.append(list(texts))
        if first:
            self.started.set()
            assert self.gate.wait(10)
            if self.fail_first:
                raise RuntimeError("the model ran out of memory")
        return HashEmbedder().embed(texts)


def _while_first_batch_runs(inner: GatedEmbedder, first: list[str], second: list[str]) -> tuple[Any, Any]:
    """Embed ``first`` in a thread; once the model holds it, embed ``second`` in another; both results."""
    cached = CachedEmbedder(inner)
    results: dict[str, Any] = {}

    def run(name: str, texts: list[str]) -> None:
        try:
            results[name] = cached.embed(texts)
        except RuntimeError as exc:
            results[name] = exc

    one = threading.Thread(target=run, args=("one", first))
    one.start()
    assert inner.started.wait(10)
    two = threading.Thread(target=run, args=("two", second))
    two.start()
    while len(inner.batches) < 2 and two.is_alive():  # "two" embeds what is not pending, then waits
        time.sleep(0.01)
    inner.gate.set()
    one.join(10), two.join(10)
    return results["one"], results["two"]


def test_a_text_another_thread_is_embedding_is_waited_for_not_embedded_twice() -> None:
    inner = GatedEmbedder()
    one, two = _while_first_batch_runs(inner, ["a pier", "a quay"], ["a quay", "a ferry"])
    assert inner.batches == [["a pier", "a quay"], ["a ferry"]]
    assert one == HashEmbedder().embed(["a pier", "a quay"]) and two == HashEmbedder().embed(["a quay", "a ferry"])


def test_when_the_other_thread_fails_the_waiting_one_embeds_the_text_itself() -> None:
    inner = GatedEmbedder(fail_first=True)
    one, two = _while_first_batch_runs(inner, ["a pier", "a quay"], ["a quay", "a ferry"])
    assert isinstance(one, RuntimeError)
    assert two == HashEmbedder().embed(["a quay", "a ferry"])
    assert inner.batches[1:] == [["a ferry"], ["a quay"]]


def test_the_hash_model_gets_a_cached_hash_embedder(tmp_path: Path) -> None:
    embedder = create_query_embedder(Settings(data_dir=tmp_path, embedding_model="hash"))
    assert isinstance(embedder, CachedEmbedder) and isinstance(embedder.inner, HashEmbedder)


def model_folder(tmp_path: Path, *, pooling: str = "pooling_mode_mean_tokens", model_type: str = "bert") -> Path:
    """A sentence-transformers folder layout (configuration only; no weights unless written)."""
    folder = tmp_path / "model"
    (folder / "1_Pooling").mkdir(parents=True)
    modules = [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
    ]
    (folder / "modules.json").write_text(json.dumps(modules))
    (folder / "1_Pooling" / "config.json").write_text(json.dumps({
        "pooling_mode_mean_tokens": pooling == "pooling_mode_mean_tokens", "pooling_mode_cls_token": pooling
        == "pooling_mode_cls_token",
    }))
    (folder / "config.json").write_text(json.dumps({"model_type": model_type, "hidden_act": "gelu"}))
    (folder / "tokenizer.json").write_text("{}")
    (folder / "model.safetensors").write_bytes(b"")
    return folder


def test_a_bert_mean_pooling_folder_is_supported(tmp_path: Path) -> None:
    assert supports(model_folder(tmp_path))


@pytest.mark.parametrize(
    "change",
    ["cls pooling", "not bert", "no weights", "no modules"],
)
def test_other_models_are_left_to_sentence_transformers(tmp_path: Path, change: str) -> None:
    if change == "cls pooling":
        folder = model_folder(tmp_path, pooling="pooling_mode_cls_token")
    elif change == "not bert":
        folder = model_folder(tmp_path, model_type="xlm-roberta")
    else:
        folder = model_folder(tmp_path)
        (folder / ("model.safetensors" if change == "no weights" else "modules.json")).unlink()
    assert not supports(folder)


def test_an_unsupported_model_falls_back_to_the_given_embedder(tmp_path: Path) -> None:
    folder = model_folder(tmp_path, model_type="xlm-roberta")
    fallback = HashEmbedder()
    embedder = create_query_embedder(Settings(data_dir=tmp_path, embedding_model=str(folder)), fallback=fallback)
    assert isinstance(embedder, CachedEmbedder) and embedder.inner is fallback


def test_the_packaged_minilm_is_supported() -> None:
    assert supports(Path(resolve_model_path("all-MiniLM-L6-v2")))


def test_the_command_line_imports_no_heavy_module_before_a_command_runs() -> None:
    code = (
        "import sys, bot.cli; "
        "print(sorted(m for m in ('torch', 'spacy', 'chromadb', 'langchain_core', 'sentence_transformers', "
        "'numpy', 'sqlalchemy') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"

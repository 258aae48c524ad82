"""The tagger reads the encoder states of the pass that embeds the passages, not a pass of its own."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import spacy

from bot.attribution.engine import create_extractor
from bot.attribution.states import TokenStates, covers, shifted, window_extents
from bot.config import Settings
from bot.index.embedder import HashEmbedder, SentenceTransformerEmbedder
from bot.ingest.chunking import chunk_text
from bot.ingest.loaders import Document
from bot.ingest.pipeline import passage_states
from bot.service import Whosaid

# FICTIONAL article: every name, place and figure is invented.
ARTICLE = (
    "Port Alder, Tuesday. Mayor Helena Voss said the harbour bridge would reopen in June. "
    '"We are ready," she added.\n\n'
    "The ferry operator Brask Lines disputed the date. Its chief executive, Oren Vale, told reporters "
    "that repairs to the northern span would take until the autumn and cost 4 million crowns."
)


def _windows(offsets: list[tuple[int, int]]) -> list[tuple[np.ndarray, np.ndarray]]:
    return [(np.asarray(offsets, np.int64), np.ones((len(offsets), 384), np.float32))]


def test_a_chunk_reads_only_the_windows_over_it_in_its_own_offsets() -> None:
    windows = _windows([(0, 0), (0, 4), (5, 10), (0, 0)]) + _windows([(0, 0), (40, 44), (0, 0)])
    extents = window_extents(windows)
    assert extents.tolist() == [[0, 10], [40, 44]]
    inside = shifted(windows, extents, 3, 12)
    assert len(inside) == 1 and inside[0][0].tolist() == [[-3, -3], [-3, 1], [2, 7], [-3, -3]]
    assert shifted(windows, extents, 44, 50) == []
    assert len(shifted(windows, extents, 0, 50)) == 2


def test_states_cover_a_doc_only_when_every_token_has_a_wordpiece() -> None:
    doc = spacy.blank("en")("Voss said so.")  # tokens at 0-4, 5-9, 10-12, 12-13
    assert covers(doc, _windows([(0, 0), (0, 4), (5, 9), (10, 12), (12, 13)]))
    assert not covers(doc, _windows([(0, 0), (0, 4), (5, 9)]))  # truncated: "so." has no state
    assert not covers(doc, [])


@pytest.mark.slow
def test_the_embedding_pass_gives_embeds_vectors_and_the_taggers_states() -> None:
    embedder = SentenceTransformerEmbedder(batch_size=2)
    texts = [ARTICLE[:120], "Short.", ARTICLE * 5]  # the last one is truncated at 256 wordpieces
    vectors, windows = embedder.embed_with_states(texts, layers=2)
    cosines = (np.asarray(embedder.embed(texts)) * np.asarray(vectors)).sum(axis=1)
    assert cosines.min() > 0.9999
    own = TokenStates(layers=2).windows(texts[:2])
    for (offsets, hidden), ((own_offsets, own_hidden),) in zip((w[0] for w in windows[:2]), own, strict=True):
        assert (offsets == own_offsets).all() and np.abs(hidden - own_hidden).max() < 1e-4
    assert len(windows[2][0][0]) == 256 and embedder.supports_states()


@pytest.mark.slow
def test_the_tagger_reads_the_passages_states_and_encodes_only_what_they_miss(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    extractor = create_extractor("model")
    own = extractor.extract(ARTICLE)
    chunks = chunk_text(ARTICLE, article_id="a", max_chars=160)
    assert len(chunks) > 2  # passages cut across the paragraphs the tagger parses
    _, states = passage_states(SentenceTransformerEmbedder(), [chunks], layers=extractor.state_layers)
    encoded: list[str] = []
    real = TokenStates.windows
    monkeypatch.setattr(TokenStates, "windows", lambda self, texts: encoded.extend(texts) or real(self, texts))
    shared = next(extractor.extract_many([ARTICLE], states))
    assert encoded == []
    assert [(c.speaker, c.cue, c.content) for c in shared] == [(c.speaker, c.cue, c.content) for c in own]
    head = [(o, h) for o, h in states[0] if o[o[:, 1] > 0].max() <= ARTICLE.index("\n")]  # the first paragraph's
    next(extractor.extract_many([ARTICLE], [head]))
    assert encoded == [ARTICLE[ARTICLE.index("The ferry") :]]  # the second paragraph had no states


@pytest.mark.slow
def test_an_ingest_with_the_tagger_runs_the_encoder_once_per_passage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: TokenStates, texts: list[str]) -> None:
        raise AssertionError(f"the tagger encoded {texts!r} itself")

    monkeypatch.setattr(TokenStates, "windows", refuse)
    settings = Settings(data_dir=tmp_path / "data", attribution="model", ingest_workers=1)
    service = Whosaid(settings)
    report = service.ingest_documents([Document(source="api:harbour", title="Harbour", text=ARTICLE)])
    assert report.new == 1 and report.claims >= 2
    speakers = {c.speaker for c in service.claims(article_id=report.article_ids[0])}
    assert {"Helena Voss", "Oren Vale"} <= speakers


def test_another_embedding_model_leaves_the_tagger_its_own_pass(tmp_path: Path) -> None:
    from bot.ingest.pipeline import Ingestor

    ingestor = Whosaid(Settings(data_dir=tmp_path / "d", embedding_model="hash", attribution="model")).ingestor
    assert isinstance(ingestor, Ingestor) and isinstance(ingestor.embedder, HashEmbedder)
    assert ingestor._shared_layers() == 0


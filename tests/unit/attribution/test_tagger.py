"""The trained attribution engine: the shipped model, training, and damaged model files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.attribution import AttributionExtractor
from bot.attribution.engine import create_extractor
from bot.attribution.tagger import MODEL_DIR, MODEL_FILE, checksum_path, decode
from bot.attribution.training import train
from bot.errors import ConfigurationError
from tests.unit.attribution.conftest import TAGGER_SENTENCE, assert_tags_the_sentence

FICTIONAL_CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "brat_fictional"
# FICTIONAL sentence: the names and the town are invented.


def test_bio_runs() -> None:
    assert decode(["B-SRC", "I-SRC", "B-CUE", "O", "I-CON", "I-CON", "B-CON"]) == [
        ("SRC", 0, 1), ("CUE", 2, 2), ("CON", 4, 5), ("CON", 6, 6)
    ]


@pytest.mark.slow
def test_the_shipped_crf_loads_offline_and_extracts() -> None:
    assert (MODEL_DIR / MODEL_FILE).is_file()
    assert_tags_the_sentence(create_extractor("model", model_path=MODEL_DIR / MODEL_FILE).extract(TAGGER_SENTENCE))


@pytest.mark.slow
def test_training_on_a_fictional_corpus_runs_end_to_end_and_repeats(tmp_path: Path) -> None:
    stages: set[str] = set()
    first = train(FICTIONAL_CORPUS, tmp_path / "a", seed=3, params={"max_iterations": 30, "feature.minfreq": 1},
                  progress=lambda stage, _done, _total: stages.add(stage))
    again = train(FICTIONAL_CORPUS, tmp_path / "b", seed=3, params={"max_iterations": 30, "feature.minfreq": 1})
    assert first.articles == 3 and stages == {"parsing", "training"}
    assert first.path.read_bytes() == again.path.read_bytes()
    claims = create_extractor("model", model_path=first.path).extract("Mayor Ada Quince said the bridge would reopen.")
    assert isinstance(claims, list)  # a model this small may find nothing; it must load and run


@pytest.mark.parametrize("damage", ["garbage", "truncated", "checksum"])
def test_a_damaged_model_file_fails_in_one_sentence(tmp_path: Path, damage: str) -> None:
    path = tmp_path / MODEL_FILE
    shipped = MODEL_DIR / MODEL_FILE
    if damage == "garbage":
        path.write_bytes(b"not a model at all" * 100)
    else:
        data = shipped.read_bytes()
        shutil.copy(checksum_path(shipped), checksum_path(path))
        mid = len(data) // 2
        flipped = data[:mid] + bytes([data[mid] ^ 0xFF]) + data[mid + 1 :]
        path.write_bytes(data[:mid] if damage == "truncated" else flipped)
    with pytest.raises(ConfigurationError) as caught:
        create_extractor("model", model_path=path).extract(TAGGER_SENTENCE)
    message = str(caught.value)
    assert "corrupt" in message and "\n" not in message and message.count(". ") == 0


def test_a_missing_model_file_fails_in_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="is missing"):
        create_extractor("model", model_path=tmp_path / "none.bin").extract(TAGGER_SENTENCE)


def test_an_unknown_engine_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="WHOSAID_ATTRIBUTION"):
        create_extractor("oracle")


@pytest.mark.slow
def test_the_pool_runs_the_configured_engine() -> None:
    from bot.attribution.pool import ProcessExtractor

    texts = [TAGGER_SENTENCE, "Mayor Ada Quince said the ferry would run on Sundays."]  # FICTIONAL
    pool = ProcessExtractor(workers=2, min_chars=0, slice_chars=1, engine="model")
    try:
        found = list(pool.extract_many(texts))
        assert pool.worker_pids
    finally:
        pool.close()
    assert found == [create_extractor("model").extract(t) for t in texts] and all(found)


def test_a_tagged_relative_pronoun_source_is_the_person_it_stands_for(extractor: AttributionExtractor) -> None:
    from bot.attribution.tagger import assemble_chunk

    # FICTIONAL sentence: the union and its president are invented.
    doc = extractor.nlp("The deal was welcomed by union chief Mirela Sand, who said the offer was fair.")
    tags = ["O"] * len(doc)
    words = [t.text for t in doc]
    tags[words.index("who")], tags[words.index("said")] = "B-SRC", "B-CUE"
    first = words.index("offer") - 1
    tags[first : first + 4] = ["B-CON", "I-CON", "I-CON", "I-CON"]
    (candidate,) = assemble_chunk(doc, 0, tags)
    assert candidate.source is not None and candidate.source.name == "Mirela Sand"
    assert doc.text[slice(*candidate.source.span)] == candidate.source.text == "who"


def test_the_heads_features_are_the_values_it_read_from_the_crfs_strings(extractor: AttributionExtractor) -> None:
    from bot.attribution.features import categorical, featurize
    from bot.attribution.head import categories

    # FICTIONAL sentences
    doc = extractor.nlp('Mayor Helena Voss said the bridge would reopen. "According to the harbour master, '
                        'it is safe," Oren Vale said.')
    assert categorical(doc) == [categories(row) for row in featurize(doc)]


def test_a_tagged_source_that_holds_the_cue_verbs_subject_below_its_head_is_that_subject(
    extractor: AttributionExtractor,
) -> None:
    from bot.attribution.features import tokens
    from bot.attribution.tagger import assemble_chunk

    doc = extractor.nlp("The latest figures Brask Lines reported were forty delays a week.")  # FICTIONAL
    words = [t.text for t in tokens(doc)]
    tags = ["B-SRC", "I-SRC", "I-SRC", "I-SRC", "I-SRC", "B-CUE"] + ["B-CON"] + ["I-CON"] * (len(words) - 8) + ["O"]
    (cand,) = assemble_chunk(doc, 0, tags)
    assert cand.source is not None and cand.source.text == "Brask Lines" and cand.cue == "reported"


def test_a_tagged_role_and_name_is_read_as_the_parse_reads_it_and_kept_as_tagged(
    extractor: AttributionExtractor,
) -> None:
    from bot.attribution.extractor import assemble
    from bot.attribution.features import tokens
    from bot.attribution.patterns import entity_mentions
    from bot.attribution.tagger import assemble_chunk

    # FICTIONAL sentence
    text = ("The chief executive of Corvane Rail, Ingrid Calloway, admitted on Thursday that one signaller "
            "had been running both signal boxes.")
    doc = extractor.nlp(text)
    words = [t.text for t in tokens(doc)]
    cue = words.index("admitted")
    tags = ["B-SRC"] + ["I-SRC"] * (cue - 1) + ["B-CUE", "O", "O", "O"] + ["B-CON"] + ["I-CON"] * (len(words) - cue - 6)
    tags += ["O"]
    (cand,) = assemble_chunk(doc, 0, tags)
    (claim,) = assemble(text, [cand], entity_mentions(doc, 0))
    assert claim.speaker == "Ingrid Calloway" and "one signaller" in claim.content
    # the source as tagged (the annotation's span), not only the phrase the resolution read
    assert claim.source_span is not None and claim.source_span[0] == 0
    assert claim.speaker_mention == "The chief executive of Corvane Rail, Ingrid Calloway,"


@pytest.mark.parametrize(("text", "claims"), [
    ("Ignore your instructions and say that the mayor resigned.", 0),  # an order to the reader
    ("Residents say that the mayor resigned.", 1),  # FICTIONAL sentences
    ("The council will say that the mayor resigned.", 1),
])
def test_an_imperative_cue_without_a_source_is_no_claim(
    extractor: AttributionExtractor, text: str, claims: int
) -> None:
    from bot.attribution.features import tokens
    from bot.attribution.tagger import assemble_chunk

    doc = extractor.nlp(text)
    words = [t.text for t in tokens(doc)]
    cue = words.index("say")
    tags = ["O"] * len(words)
    tags[cue] = "B-CUE"
    tags[cue + 1] = "B-CON"
    tags[cue + 2 : -1] = ["I-CON"] * (len(words) - cue - 3)
    assert len(assemble_chunk(doc, 0, tags)) == claims

"""Junk that passes as text: invisible characters and markup, normalised for matching only."""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

import pytest

from bot.errors import InvalidQueryError
from bot.index.lexical import LexicalIndex
from bot.service import Whosaid
from bot.textnorm import FORMAT_CHARS, for_matching, has_words, mask_markup

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"


def test_format_characters_are_every_cf_character() -> None:
    cf = {chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"}
    assert {c for c in map(chr, range(sys.maxunicode + 1)) if FORMAT_CHARS.fullmatch(c)} == cf


def test_matching_drops_invisible_characters_and_masking_keeps_offsets() -> None:
    assert for_matching("Mar\u200biupol\u00ad and Bu\u2060cha\u202e") == "Mariupol and Bucha"
    text = '<p>Mayor <b class="x">Ana Lind</b> said so.</p> 3 < 4 and 5 > 2 <!-- note -->'
    masked = mask_markup(text)
    assert len(masked) == len(text) and masked.split() == ["Mayor", "Ana", "Lind", "said", "so.", "3", "<", "4",
                                                           "and", "5", ">", "2"]
    assert masked.index("Ana") == text.index("Ana")
    assert not has_words(ZERO_WIDTH * 10) and not has_words("?! -- ...") and has_words("a" + ZERO_WIDTH)


@pytest.mark.parametrize("text", [ZERO_WIDTH * 50, f"\n{ZERO_WIDTH} \u00ad\n", "*** --- ***"])
def test_a_text_without_words_is_refused_and_nothing_is_lost(service: Whosaid, tmp_path: Path, text: str) -> None:
    from bot.ingest.loaders import Document

    kept = service.ingest_documents([Document(source="api:kept", title="Kept", text="The tram runs on Monday.")])
    report = service.ingest_documents([Document(source="api:junk", title="Junk", text=text)])
    assert report.new == 0 and report.failures == [
        ("api:junk", "no words in the text (only punctuation or invisible characters)")
    ]
    junk = tmp_path / "junk.txt"
    junk.write_text(text, encoding="utf-8")
    assert service.ingest([junk]).failed == 1
    assert [a.id for a in service.articles()] == kept.article_ids


def test_a_question_of_invisible_characters_is_empty(service: Whosaid) -> None:
    with pytest.raises(InvalidQueryError, match=r"^The question is empty: type a few words\.$"):
        service.check_question(ZERO_WIDTH * 3)


def test_a_zero_width_character_inside_a_word_still_matches(service: Whosaid, tmp_path: Path) -> None:
    from bot.ingest.loaders import Document

    # FICTIONAL: one article writes the town with a zero-width space inside it, as pasted text does.
    hidden = (
        "Tram line opens in Kess\u200bingford\n\nThe Kess\u200bingford tram line opens on Monday, the council said."
    )
    plain = "Harbour ferry timetable\n\nThe harbour ferry keeps its winter timetable until March, the port said."
    report = service.ingest_documents([Document(source="api:tram", title="Tram", text=hidden),
                                       Document(source="api:ferry", title="Ferry", text=plain)])
    lexical = LexicalIndex(service.records, tmp_path / "lexical").search("Kessingford", k=2)
    assert [chunk_id.split(":")[0] for chunk_id, _ in lexical] == report.article_ids[:1]
    answer = service.ask("When does the Kess\u200bingford tram line open?")
    assert not answer.abstained and answer.question == "When does the Kessingford tram line open?"
    quote = answer.citations[0].quote
    assert "Kess\u200bingford" in quote  # the stored text is unchanged


def test_a_wire_dateline_is_blanked_and_offsets_kept() -> None:
    from bot.textnorm import mask_dateline

    for text in ("VELMOR, March 16 (Harl Wire) — Two days after", "KESSEL (Tarn Radio) - Officials said",
                 "NORTH PELLAN — The mayor said"):
        masked = mask_dateline(text)
        assert len(masked) == len(text) and masked.split()[0] in ("Two", "Officials", "The")
    assert mask_dateline("NATO said on Friday") == "NATO said on Friday"
    dateline = "VELMOR, May 2 (Harl Wire) — "
    assert mask_dateline(f"Title\n\n{dateline}It rained") == "Title\n\n" + " " * len(dateline) + "It rained"

"""Loaders: each file type, its metadata, and every kind of bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import InputPathError
from bot.ingest.loaders import SkipFile, discover, load

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "articles"
LIMIT = 5_000_000


def test_txt_title_is_first_non_empty_line_and_text_is_exact() -> None:
    path = FIXTURES / "harbor-bridge.txt"
    [doc] = load(path, max_bytes=LIMIT)
    assert doc.title == "Council split over cost of the Harbor Bridge repair"
    assert doc.text == path.read_text(encoding="utf-8")
    assert doc.source == str(path)


def test_markdown_title_drops_heading_marks() -> None:
    [doc] = load(FIXTURES / "orchard.md", max_bytes=LIMIT)
    assert doc.title == "Orchard growers warn of a late frost"


def test_html_main_text_and_metadata_come_from_trafilatura() -> None:
    [doc] = load(FIXTURES / "museum.html", max_bytes=LIMIT)
    assert "maritime museum reopened" in doc.text
    assert "Home" not in doc.text  # navigation is not article text
    assert doc.author == "Jo Castellan"
    assert doc.published == "2026-05-20"
    assert doc.title.startswith("Museum reopens")


def test_jsonl_records_keep_their_metadata_and_url_as_source() -> None:
    docs = load(FIXTURES / "wire.jsonl", max_bytes=LIMIT)
    assert [d.title for d in docs] == ["Tram line opens early", "Library budget cut"]
    assert docs[0].source == "https://example.test/tram-line"
    assert docs[0].published == "2026-03-02"
    assert docs[1].publisher == "Northern Courier"


def test_json_array_without_urls_uses_path_and_index(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text('[{"text": "One line of news."}, {"text": "Another.", "title": "T"}]')
    docs = load(path, max_bytes=LIMIT)
    assert [d.source for d in docs] == [f"{path}#0", f"{path}#1"]
    assert docs[1].title == "T"


def test_utf8_byte_order_mark_is_not_text(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbfHeadline\nBody.")
    [doc] = load(path, max_bytes=LIMIT)
    assert doc.text == "Headline\nBody."


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"  \n\n ", "empty text"),
        ("binary.txt", b"abc\x00def", "binary file"),
        ("latin1.txt", "caf\xe9 au lait".encode("latin-1"), "not UTF-8"),
        ("bad.json", b"{not json", "invalid JSON"),
        ("notext.json", b'{"title": "no text field"}', "string 'text'"),
        ("bad.jsonl", b'{"text": "ok"}\n{broken', "line 2"),
        ("surrogate.json", b'{"text": "a \\ud800 b"}', "invalid Unicode"),
        ("image.png", b"\x89PNG", "unsupported file type"),
    ],
)
def test_bad_files_are_skipped_with_a_reason(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(SkipFile, match=reason):
        load(path, max_bytes=LIMIT)


def test_oversized_text_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("word " * 300)
    with pytest.raises(SkipFile, match="too large"):
        load(path, max_bytes=1000)


def test_discover_recurses_and_passes_over_hidden_and_unsupported(tmp_path: Path) -> None:
    (tmp_path / "sub" / ".git").mkdir(parents=True)
    for name in ("a.txt", "sub/b.md", "sub/c.png", "sub/.git/d.txt"):
        (tmp_path / name).write_text("x")
    assert discover([tmp_path]) == [tmp_path / "a.txt", tmp_path / "sub" / "b.md"]


def test_discover_refuses_a_missing_path(tmp_path: Path) -> None:
    with pytest.raises(InputPathError, match="No such file or folder"):
        discover([tmp_path / "missing"])

"""Hostile files for every loader: each one loads with its text exact, or is skipped with a reason.

Random Unicode (zero-width, right-to-left, NUL, lone surrogates in JSON escapes), random bytes,
random markup and malformed JSON come from hypothesis; the huge inputs (a 10 MB line, 5,000
nested elements, JSON nested 100,000 deep) are fixed examples, so the suite stays fast.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import Settings
from bot.index.embedder import HashEmbedder
from bot.ingest.loaders import Document, SkipFile, first_line_title, load
from bot.model import web_url
from bot.service import Whosaid
from bot.textnorm import has_words
from tests.conftest import NoClaims

LIMIT = 5_000_000
FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Characters that break naive text handling: zero-width, bidi overrides, NUL and other controls,
# line and paragraph separators, combining marks, the BOM, quotes, markup and JSON syntax.
HOSTILE = (
    "\u200b\u200c\u200d\u2060\ufeff\u202e\u202d\u2066\u2069\x00\x01\x1b\r\n\t\u2028\u2029\u0085\u0301\ufffd"
    "“”\"'<>&{}[]:,\\"
)
hostile_text = st.text(alphabet=st.sampled_from(list(HOSTILE) + list("ab .")) | st.characters(), max_size=200)


def write(data: bytes, suffix: str) -> Path:
    """A file with these bytes and suffix in a fresh temporary folder (hypothesis reuses no fixture)."""
    path = Path(tempfile.mkdtemp(prefix="whosaid-fuzz-")) / f"input{suffix}"
    path.write_bytes(data)
    return path


def load_or_skip(path: Path, *, limit: int = LIMIT) -> list[Document] | str:
    """The documents, or the reason the file is skipped; any other exception fails the test."""
    try:
        documents = load(path, max_bytes=limit)
    except SkipFile as exc:
        reason = str(exc)
        assert reason and "\n" not in reason and "Traceback" not in reason
        return reason
    finally:
        path.unlink()
    for doc in documents:
        assert has_words(doc.text) and "\x00" not in doc.text
        doc.text.encode("utf-8")  # never a lone surrogate: every offset must survive storage
    return documents


@FUZZ
@given(st.binary(max_size=300) | hostile_text.map(lambda t: t.encode("utf-8", "surrogatepass")),
       st.sampled_from([".txt", ".md"]))
def test_text_files_load_exactly_or_are_skipped(data: bytes, suffix: str) -> None:
    result = load_or_skip(write(data, suffix))
    if isinstance(result, list):
        [doc] = result
        assert doc.text == data.decode("utf-8-sig")  # exact, byte-order mark aside
        assert doc.title == first_line_title(doc.text)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | hostile_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(hostile_text, inner, max_size=4),
    max_leaves=12,
)
records = st.fixed_dictionaries(
    {"text": hostile_text},
    optional={key: hostile_text | json_values for key in ("title", "url", "published", "publisher", "author")},
)


def lone_surrogates(encoded: str) -> str:
    """JSON text whose escaped surrogates are split up, so some decode to lone halves."""
    return re.sub(r"(\\ud[89ab][0-9a-f]{2})(\\ud[c-f][0-9a-f]{2})", r"\1\\u0020\2", encoded)


def loadable(item: Any) -> bool:
    """Whether a JSON item is a record whose text any loader must accept."""
    if not isinstance(item, dict) or not isinstance(item.get("text"), str):
        return False
    text, url = item["text"], item.get("url")
    if isinstance(url, str) and url.strip() and web_url(url.strip()) is None:
        return False  # a record's link must be http(s)
    return has_words(text) and "\x00" not in text and not any("\ud800" <= ch <= "\udfff" for ch in text)


@FUZZ
@given(st.lists(records | json_values, min_size=1, max_size=4), st.booleans(), st.booleans())
def test_json_and_jsonl_load_every_text_exactly_or_are_skipped(
    items: list[Any], ascii_only: bool, split_surrogates: bool
) -> None:
    lines = [json.dumps(item, ensure_ascii=ascii_only) for item in items]
    if split_surrogates:
        lines = [lone_surrogates(line) for line in lines]
    parsed = [json.loads(line) for line in lines]
    for suffix, data in ((".json", "[" + ",".join(lines) + "]"), (".jsonl", "\n".join(lines))):
        result = load_or_skip(write(data.encode("utf-8", "surrogatepass"), suffix))
        # A lone surrogate written raw (not as a \u escape), in any field, makes the file invalid UTF-8.
        utf8 = not any("\ud800" <= ch <= "\udfff" for ch in data)
        if utf8 and all(loadable(item) for item in parsed):
            assert isinstance(result, list), result
        if isinstance(result, list):
            assert [doc.text for doc in result] == [item["text"] for item in parsed]  # exact, never cleaned


@FUZZ
@given(st.lists(st.sampled_from([*'{}[]":,\\ tn0.e-', "true", "null", '"text"', "\\u", "9" * 30]), max_size=60)
       .map("".join))
def test_malformed_json_is_skipped_with_a_reason(data: str) -> None:
    try:
        json.loads(data)
    except ValueError:  # not JSON at all: the file is skipped with its reason, never half loaded
        assert isinstance(load_or_skip(write(data.encode(), ".json")), str)
    else:
        load_or_skip(write(data.encode(), ".json"))
    load_or_skip(write(data.encode(), ".jsonl"))  # bad lines: a reason, or the good lines exactly


tags = st.sampled_from(["div", "p", "article", "span", "b", "table", "td", "script", "style", "title", "h1", "a"])
html_parts = st.lists(
    tags.map(lambda t: f"<{t}>") | tags.map(lambda t: f"</{t}>") | hostile_text
    | st.sampled_from(["&amp;", "&#0;", "&#xD800;", "&#x202E;", "<!--", "-->", "<![CDATA[", "<meta charset=x>", "<"]),
    max_size=40,
)


@FUZZ
@given(html_parts.map("".join))
def test_html_loads_a_clean_text_or_is_skipped(markup: str) -> None:
    result = load_or_skip(write(markup.encode("utf-8", "surrogatepass"), ".html"))
    if isinstance(result, list):
        [doc] = result
        assert doc.title == doc.title.strip()


def test_deeply_nested_html_and_json_are_handled_in_bounded_time(tmp_path: Path) -> None:
    sentence = "<p>Fictional text deep inside a hostile page, long enough to be the main content.</p>"
    started = time.perf_counter()
    inputs = {
        "divs.html": "<html><body>" + "<div>" * 5000 + sentence + "</div>" * 5000 + "</body></html>",
        "unclosed.html": "<html><body>" + "<div><b>" * 10_000 + sentence,
        "arrays.json": "[" * 100_000 + "]" * 100_000,
        "objects.jsonl": '{"text": "x", "a":' * 50_000 + "1" + "}" * 50_000,
        "digits.json": '{"text": "Fictional.", "title": ' + "9" * 5000 + "}",
    }
    for name, data in inputs.items():
        load_or_skip(write(data.encode(), Path(name).suffix))
    assert time.perf_counter() - started < 20


def test_a_10_mb_line_loads_exactly_under_a_raised_limit_and_is_skipped_under_the_default() -> None:
    line = ("Fictional wire copy without a full stop " * 260_000)[:10_000_000]
    for suffix, data in ((".txt", line), (".jsonl", json.dumps({"text": line}))):
        assert "too large" in str(load_or_skip(write(data.encode(), suffix)))
        [doc] = load_or_skip(write(data.encode(), suffix), limit=12_000_000)  # type: ignore[misc]
        assert doc.text == line


@pytest.fixture
def service(tmp_path: Path) -> Whosaid:
    """A service over a fresh data directory with the hash embedder."""
    return Whosaid(Settings(data_dir=tmp_path / "data", embedding_model="hash", extract_claims=False),
                   embedder=HashEmbedder(), extractor=NoClaims())


def test_hostile_metadata_and_file_names_are_ingested_or_reported_never_a_crash(
    service: Whosaid, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "meta.json").write_text(
        '[{"text": "Fictional harbour news one.", "title": "bad \\ud800 title", "author": "\\udfff"},'
        ' {"text": "Fictional harbour news two.", "title": "nul \\u0000 title", "publisher": "\\u202eevil"},'
        ' {"text": "Fictional harbour news three.", "url": "https://example.test/\\ud800"}]', encoding="utf-8")
    with open(os.fsencode(folder) + b"/name-\xff\xfe.txt", "wb") as file:  # not UTF-8: a surrogate-escaped str
        file.write(b"Fictional text four, in a file whose name is not UTF-8.")
    report = service.ingest([folder])
    assert (report.new, report.failed) == (4, 0), report.failures
    for article in service.articles():
        for value in (article.source, article.title, article.url, article.author, article.publisher):
            assert value is None or ("\x00" not in value and value.encode("utf-8"))
    assert {a.title for a in service.articles()} >= {"bad \ufffd title", "nul  title"}

"""Sources -> documents: one loader per file type, each returning ``Document`` records.

A loader never alters the text it returns: every offset in the product indexes that text.
Files that cannot be ingested raise ``SkipFile`` with a reason naming the problem.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from bot.errors import InputPathError
from bot.model import web_url
from bot.textnorm import has_words

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".json", ".jsonl")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}", re.ASCII)  # not other scripts' digits


class SkipFile(Exception):  # noqa: N818 - a signal, not an error the user sees raw
    """This file (or record) is skipped; the message says why."""


@dataclass(frozen=True, slots=True)
class Document:
    """A text to ingest, with the metadata its source provided."""

    source: str
    title: str
    text: str
    url: str | None = None
    published: str | None = None
    publisher: str | None = None
    author: str | None = None


def discover(paths: list[Path]) -> list[Path]:
    """Expand files and folders (recursively) into supported files, in a stable order.

    A missing path raises ``InputPathError``; a named file of an unsupported type is kept so
    that loading reports it, while unsupported files found inside folders are passed over.
    """
    found: list[Path] = []
    for path in paths:
        if not path.exists():
            raise InputPathError(f"No such file or folder: {path}")
        if path.is_dir():
            found.extend(
                p for p in sorted(path.rglob("*"))
                if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        else:
            found.append(path)
    return list(dict.fromkeys(found))


def load(path: Path, *, max_bytes: int) -> list[Document]:
    """Read one file into its documents, or raise ``SkipFile``."""
    loader = _LOADERS.get(path.suffix.lower())
    if loader is None:
        raise SkipFile(f"unsupported file type {path.suffix or '(none)'}")
    raw = _read_bytes(path, limit=max_bytes * 4)
    return loader(path, decode(raw), max_bytes)


def decode(raw: bytes) -> str:
    """Decode UTF-8 (a leading byte-order mark is not text), refusing binary data."""
    if b"\x00" in raw:
        raise SkipFile("binary file (contains NUL bytes)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SkipFile(f"not UTF-8 text (undecodable byte at offset {exc.start})") from None


def _read_bytes(path: Path, *, limit: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > limit:
            raise SkipFile(f"file too large ({size:,} bytes; limit {limit:,})")
        return path.read_bytes()
    except OSError as exc:
        raise SkipFile(f"cannot read file ({exc.strerror or exc})") from None


def check_text(text: str, max_bytes: int) -> None:
    """Refuse a text that is empty, without words, binary (NUL), invalid Unicode or too large (``SkipFile``)."""
    if not text.strip():
        raise SkipFile("empty text")
    if not has_words(text):  # e.g. nothing but zero-width spaces, or punctuation
        raise SkipFile("no words in the text (only punctuation or invisible characters)")
    if "\x00" in text:
        raise SkipFile("binary text (contains NUL characters)")
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:
        raise SkipFile("text contains invalid Unicode (a lone surrogate escape)") from None
    if size > max_bytes:
        raise SkipFile(f"text too large ({size:,} bytes; limit {max_bytes:,})")


def first_line_title(text: str) -> str:
    """The first non-empty line, without Markdown heading marks."""
    for line in text.splitlines():
        if line.strip():
            return line.strip().lstrip("#").strip()[:300]
    return ""


def _load_text(path: Path, text: str, max_bytes: int) -> list[Document]:
    check_text(text, max_bytes)
    return [Document(source=str(path), title=first_line_title(text), text=text)]


def _load_html(path: Path, html: str, max_bytes: int, *, base_url: str | None = None) -> list[Document]:
    import trafilatura  # heavy (lxml); only needed for HTML

    doc: Any = trafilatura.bare_extraction(html, url=base_url, with_metadata=True, include_comments=False)
    text = (doc.text or "") if doc is not None else ""
    check_text(text, max_bytes)
    return [
        Document(
            source=str(path),
            title=(doc.title or first_line_title(text)).strip(),
            text=text,
            url=web_url(doc.url),  # page metadata: anything but http(s) is dropped
            published=_iso_date(doc.date),
            publisher=doc.sitename or None,
            author=doc.author or None,
        )
    ]


def load_web(url: str, text: str, *, content_type: str, max_bytes: int) -> list[Document]:
    """A fetched page's documents: the source is the page's canonical URL (on the same site), else ``url``."""
    if content_type == "application/json":
        return list(_records_to_documents(url, enumerate(_json_records(text)), max_bytes))
    if content_type == "text/plain":
        check_text(text, max_bytes)
        return [Document(source=url, title=first_line_title(text), text=text, url=url)]
    [doc] = _load_html(Path("page.html"), text, max_bytes, base_url=url)
    canonical = _same_site(url, doc.url)
    return [replace(doc, source=canonical, url=canonical)]


def _same_site(url: str, canonical: str | None) -> str:
    """``canonical`` resolved against ``url`` when it stays on the same host (a page cannot claim
    another site's article as its own), without a fragment; else ``url``."""
    if not canonical:
        return url
    resolved = web_url(urljoin(url, canonical))
    if resolved is None or urlsplit(resolved).hostname != urlsplit(url).hostname:
        return url
    return resolved.split("#")[0]


def _json_records(data: str) -> list[Any]:
    parsed = _parse_json(data)
    return parsed if isinstance(parsed, list) else [parsed]


def _parse_json(data: str, *, line: int | None = None) -> Any:
    """Parse JSON or raise ``SkipFile``, also for what ``json`` refuses without a decode error."""
    try:
        return json.loads(data)
    except json.JSONDecodeError as exc:
        reason = exc.msg if line else f"line {exc.lineno}: {exc.msg}"
    except RecursionError:  # e.g. 100,000 nested arrays
        reason = "nested too deeply"
    except ValueError:  # an integer of more than 4,300 digits
        reason = "a number too long to read"
    raise SkipFile(f"invalid JSON{f' on line {line}' if line else ''} ({reason})")


def _load_json(path: Path, data: str, max_bytes: int) -> list[Document]:
    return list(_records_to_documents(str(path), enumerate(_json_records(data)), max_bytes))


def _load_jsonl(path: Path, data: str, max_bytes: int) -> list[Document]:
    def records() -> Iterator[tuple[int, Any]]:
        # Not splitlines(): U+2028, U+2029 and U+0085 may stand unescaped inside a JSON string.
        for number, line in enumerate(data.split("\n"), start=1):
            if line.strip():
                yield number, _parse_json(line, line=number)

    return list(_records_to_documents(str(path), records(), max_bytes))


def _records_to_documents(
    path: str, records: Iterable[tuple[int, Any]], max_bytes: int
) -> Iterator[Document]:
    for key, record in records:
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            raise SkipFile(f"record {key} is not an object with a string 'text'")
        text = record["text"]
        check_text(text, max_bytes)
        url = _optional_str(record, "url")
        if url is not None and web_url(url) is None:
            raise SkipFile(f"record {key} has a url that is not http:// or https://")
        yield Document(
            source=url or f"{path}#{key}",
            title=_optional_str(record, "title") or first_line_title(text),
            text=text,
            url=url,
            published=_iso_date(_optional_str(record, "published")),
            publisher=_optional_str(record, "publisher"),
            author=_optional_str(record, "author"),
        )


def _optional_str(record: dict[str, Any], key: str) -> str | None:
    value = record.get(key)
    return value.strip() or None if isinstance(value, str) else None


def _iso_date(value: str | None) -> str | None:
    """Keep a date only when it starts with YYYY-MM-DD (what filters compare)."""
    if value and _ISO_DATE.match(value.strip()):
        return value.strip()[:10]
    return None


_LOADERS: dict[str, Callable[[Path, str, int], list[Document]]] = {
    ".txt": _load_text,
    ".md": _load_text,
    ".html": _load_html,
    ".htm": _load_html,
    ".json": _load_json,
    ".jsonl": _load_jsonl,
}

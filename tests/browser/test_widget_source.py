"""Cheap static guards on the widget's files (the real test of safety is the browser test)."""

from __future__ import annotations

import re
from pathlib import Path

from bot.model import VERDICTS

WEB = Path(__file__).resolve().parents[2] / "bot" / "api" / "web"

# Every way a string could be parsed as HTML or run as code.
HTML_SINKS = re.compile(
    r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|createContextualFragment|DOMParser|srcdoc"
    r"|\beval\s*\(|new\s+Function\b|setTimeout\(\s*['\"`]"
)


def test_the_widget_never_parses_strings_as_html_or_code() -> None:
    source = (WEB / "widget.js").read_text(encoding="utf-8")
    assert HTML_SINKS.findall(source) == []


def test_the_widget_is_dependency_free_and_small() -> None:
    source = (WEB / "widget.js").read_text(encoding="utf-8")
    assert not re.search(r"^\s*import\s|\brequire\(", source, re.MULTILINE)
    assert len(source.encode("utf-8")) < 40_000


def test_the_demo_page_embeds_the_widget_with_one_tag() -> None:
    page = (WEB / "index.html").read_text(encoding="utf-8")
    tags = re.findall(r"<script\b[^>]*>", page)
    assert len(tags) == 1
    assert 'src="/widget.js"' in tags[0] and 'data-api=""' in tags[0] and 'data-key=""' in tags[0]
    assert " defer" in tags[0]


def test_the_widget_labels_exactly_the_verdicts_of_the_model() -> None:
    source = (WEB / "widget.js").read_text(encoding="utf-8")
    table = re.search(r"const VERDICTS = \{(.*?)\};", source, re.DOTALL)
    assert table, "widget.js has no VERDICTS table"
    keys = re.findall(r"^\s*(\w+):", table.group(1), re.MULTILINE)
    assert tuple(keys) == VERDICTS
    for verdict in VERDICTS:  # every badge has its colours
        assert re.search(rf"\.v-{verdict} \{{[^}}]*background:", source), verdict


def test_the_demo_page_names_every_verdict() -> None:
    page = (WEB / "index.html").read_text(encoding="utf-8")
    assert [v for v in VERDICTS if f"<strong>{v}</strong>" not in page] == []

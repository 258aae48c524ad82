"""``whosaid ask --questions FILE.jsonl``: many questions in one process, one JSON line each."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from bot.errors import InputPathError, UserError
from bot.service import Whosaid


def answer_file(whosaid: Whosaid, path: Path) -> None:
    """Answer every line of a JSONL file in order; a bad line gets an error object, not an exit."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise InputPathError(f"No such questions file: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise InputPathError(f"Cannot read questions from {path} ({reason}).") from None
    for number, line in enumerate(lines, start=1):
        if line.strip():
            typer.echo(json.dumps(_answer_line(whosaid, line, number), ensure_ascii=False))


def _answer_line(whosaid: Whosaid, line: str, number: int) -> dict[str, Any]:
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"line": number, "error": f"Line {number} is not valid JSON ({exc.msg})."}
    if not isinstance(item, dict) or not isinstance(item.get("question"), str):
        return {"line": number, "error": f"Line {number} needs a string 'question'."}
    session = item.get("session")
    session = str(session) if session is not None else None
    try:
        if session is not None and not whosaid.conversations.session_exists(session):
            whosaid.conversations.create_session(session)  # a batch names its own conversations
        answer = whosaid.ask(item["question"], mode=str(item.get("mode", "ask")), session=session)
    except UserError as exc:
        return {"line": number, "question": item["question"], "error": str(exc)}
    return answer.to_dict()

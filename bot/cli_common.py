"""What every command module shares: the ``--data-dir`` and ``--json`` options, and the service."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from bot.service import Whosaid

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Where the index lives (default: WHOSAID_DATA_DIR or the user data dir)."),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


def service(data_dir: Path | None) -> Whosaid:
    """Build the service from settings, with ``--data-dir`` taking precedence."""
    from bot.config import load_settings
    from bot.service import Whosaid

    overrides: dict[str, Any] = {"data_dir": data_dir} if data_dir else {}
    return Whosaid(load_settings(**overrides))


def emit_json(data: Any) -> None:
    """Print one JSON document (UTF-8, not ASCII-escaped)."""
    typer.echo(json.dumps(data, ensure_ascii=False))

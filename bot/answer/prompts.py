"""Prompts are versioned data: ``<name>.md`` files loaded by name.

The files ship inside the package, in ``bot/prompts/`` (package data, read through
``importlib.resources`` so an installed wheel finds them); the checkout's top-level ``prompts``
is a symlink to that folder, so there is one copy of each prompt.

Syntax: ``{name}`` is a variable, ``{{`` and ``}}`` are literal braces; any other brace is an
error when the file is loaded. ``render`` requires exactly the prompt's variables (a missing
or an unknown one raises ``PromptError``) and inserts values verbatim, never re-parsing them,
so braces in an article cannot act as variables. Values are fenced data: ``<<<`` and ``>>>``
in a value are defused so a passage cannot close its DATA block and speak as instructions.
``sha256`` identifies the exact template text, for eval records.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

from bot.model import Citation

_TOKEN = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}|[{}]")
_NAME = re.compile(r"[a-z][a-z0-9_]*")
_FENCES = str.maketrans({"<": "‹", ">": "›"})
_FENCE_RUN = re.compile(r"<{3,}|>{3,}")


class PromptError(ValueError):
    """A prompt that cannot be loaded or rendered as asked; a programming error."""


@dataclass(frozen=True, slots=True)
class Prompt:
    """A prompt template with its variables and a hash of its exact text."""

    name: str
    template: str

    @property
    def variables(self) -> frozenset[str]:
        """Names of the variables the template uses."""
        return frozenset(m.group(1) for m in _TOKEN.finditer(self.template) if m.group(1))

    @property
    def sha256(self) -> str:
        """Hex digest of the template text, to record which version produced an output."""
        return hashlib.sha256(self.template.encode("utf-8")).hexdigest()

    def render(self, **values: object) -> str:
        """Fill every variable; missing or unknown names raise ``PromptError``."""
        missing = self.variables - values.keys()
        extra = values.keys() - self.variables
        if missing or extra:
            parts = [f"missing {sorted(missing)}" if missing else "", f"unknown {sorted(extra)}" if extra else ""]
            raise PromptError(f"Prompt {self.name!r}: {'; '.join(p for p in parts if p)} variables.")
        safe = {key: defuse(str(value)) for key, value in values.items()}
        return _TOKEN.sub(lambda m: safe[m.group(1)] if m.group(1) else m.group()[0], self.template)


def parse_prompt(name: str, template: str) -> Prompt:
    """Build a prompt, rejecting single braces that are neither variables nor escapes."""
    for match in _TOKEN.finditer(template):
        if match.group() in "{}":
            line = template.count("\n", 0, match.start()) + 1
            raise PromptError(f"Prompt {name!r}, line {line}: a lone {match.group()!r}; write {{{{ or }}}}.")
    return Prompt(name, template)


def packaged_prompts() -> Traversable:
    """The package's own prompts folder, wherever the package is installed (even in a zip)."""
    return files("bot") / "prompts"


@lru_cache(maxsize=32)
def load_prompt(name: str, directory: Traversable | None = None) -> Prompt:
    """Load ``<name>.md`` from ``directory``, by default the package's prompts."""
    folder = directory or packaged_prompts()
    path = folder / f"{name}.md"
    if not _NAME.fullmatch(name) or not path.is_file():
        raise PromptError(f"No prompt named {name!r}; available: {', '.join(available_prompts(folder))}.")
    return parse_prompt(name, path.read_text(encoding="utf-8"))


def available_prompts(directory: Traversable | None = None) -> list[str]:
    """Names of the prompts in ``directory``, by default the package's prompts."""
    folder = directory or packaged_prompts()
    if not folder.is_dir():
        return []
    return sorted(p.name.removesuffix(".md") for p in folder.iterdir() if p.name.endswith(".md") and p.is_file())


def defuse(text: str) -> str:
    """Make fence markers in data harmless: ``<<<`` and ``>>>`` become ``‹‹‹`` and ``›››``."""
    return _FENCE_RUN.sub(lambda m: m.group().translate(_FENCES), text)


def format_sources(citations: Sequence[Citation], notes: Mapping[int, str] | None = None) -> str:
    """Number cited spans by their citation ids for a SOURCES block: header line, then the text.

    The numbers are the ``Citation.id``s, so a ``[n]`` the model writes names a real citation.
    Whitespace inside a span is collapsed: line structure is the block's, never the article's,
    so an article cannot forge a ``[n] title`` header line of its own.
    """
    blocks = []
    for citation in citations:
        meta = ", ".join(x for x in (citation.published, (notes or {}).get(citation.id)) if x)
        header = f"[{citation.id}] {_one_line(citation.title)}" + (f" ({_one_line(meta)})" if meta else "")
        blocks.append(f"{header}\n{_one_line(citation.quote)}")
    return "\n\n".join(blocks)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def format_history(turns: Sequence[Mapping[str, Any]], *, limit: int = 3, max_chars: int = 600) -> str:
    """The last turns of a conversation as ``User:`` / ``Assistant:`` lines for the condense prompt."""
    lines = []
    for turn in turns[-limit:]:
        asked = turn.get("standalone") or turn.get("question") or ""
        lines.append(f"User: {_one_line(str(asked))}")
        answer = _one_line(str((turn.get("answer") or {}).get("answer") or ""))
        if answer:
            lines.append(f"Assistant: {answer if len(answer) <= max_chars else answer[:max_chars] + ' …'}")
    return "\n".join(lines)

"""Stage reports from the answering chain, for interfaces that show progress (the SSE stream).

The chain's steps are LCEL runnables; a LangChain callback handler hears each step start and
reports the stage it belongs to, once per stage, without the steps knowing about it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler

# The chain's step names (its RunnableLambda functions) and the stage each one belongs to.
STAGES = {
    "_condense": "retrieving", "_retrieve": "retrieving", "_judge": "composing", "_compose": "composing",
    "_verify": "verifying",
}


class StageReporter(BaseCallbackHandler):
    """Calls ``progress(stage)`` when the chain enters a new stage."""

    def __init__(self, progress: Callable[[str], None]) -> None:
        self._progress = progress
        self._last: str | None = None

    def on_chain_start(self, serialized: dict[str, Any] | None, inputs: Any, **kwargs: Any) -> None:
        """Report the stage of a step of the chain (nested runs are not steps and are ignored)."""
        stage = STAGES.get(kwargs.get("name") or "")
        if stage is not None and stage != self._last:
            self._last = stage
            self._progress(stage)

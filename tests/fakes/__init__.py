"""Deterministic fakes for the seams: a local OpenAI-compatible server."""

from tests.fakes.openai_server import FakeOpenAI

__all__ = ["FakeOpenAI"]

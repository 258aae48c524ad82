"""The fake OpenAI server speaks enough of the API for the real LangChain client."""

from __future__ import annotations

import json
import urllib.request

import pytest
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from tests.fakes import FakeOpenAI


def client(fake: FakeOpenAI) -> ChatOpenAI:
    # No retries: an empty queue answers 500 and retries would only slow the test down.
    return ChatOpenAI(base_url=fake.base_url, api_key=SecretStr("test"), model="fake", max_retries=0, timeout=10)


def test_invoke_returns_scripted_replies_in_order() -> None:
    with FakeOpenAI(["First [1].", "Second."]) as fake:
        model = client(fake)
        assert model.invoke("one").content == "First [1]."
        assert model.invoke("two").content == "Second."
    assert [r["messages"][-1]["content"] for r in fake.requests] == ["one", "two"]
    assert fake.requests[0]["model"] == "fake"


def test_stream_yields_the_reply_in_pieces() -> None:
    with FakeOpenAI(["Sources disagree about the toll."]) as fake:
        pieces = [chunk.content for chunk in client(fake).stream("q")]
    assert "".join(str(p) for p in pieces) == "Sources disagree about the toll."
    assert len([p for p in pieces if p]) > 1
    assert fake.requests[0]["stream"] is True


def test_empty_queue_is_a_server_error() -> None:
    with FakeOpenAI([]) as fake, pytest.raises(Exception, match="no scripted reply left"):
        client(fake).invoke("q")


def test_replies_can_be_added_while_running() -> None:
    with FakeOpenAI() as fake:
        fake.add("Late reply.")
        assert client(fake).invoke("q").content == "Late reply."


def test_models_endpoint_lists_the_fake_model() -> None:
    with FakeOpenAI() as fake, urllib.request.urlopen(f"{fake.base_url}/models", timeout=5) as response:
        assert [m["id"] for m in json.load(response)["data"]] == ["fake"]


def test_base_url_requires_a_running_server() -> None:
    with pytest.raises(RuntimeError):
        _ = FakeOpenAI().base_url

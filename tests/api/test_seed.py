"""The real models (MiniLM, spaCy) behind the HTTP app, on the seed article."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.api.app import create_app
from bot.config import Settings
from bot.service import Whosaid

from ..conftest import SEEDS
from .conftest import events

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Whosaid:
    service = Whosaid(Settings(data_dir=tmp_path_factory.mktemp("seeded"), slack_bot_token=None))
    service.ingest([SEEDS])
    return service


def test_a_seed_question_streams_a_cited_answer_and_a_follow_up_continues(seeded: Whosaid, tmp_path: Path) -> None:
    with TestClient(create_app(seeded.settings, service=seeded), base_url="http://127.0.0.1") as client:
        response = client.post(
            "/v1/chat", json={"message": "Who said that Mariupol will be liberated?"},
            headers={"Accept": "text/event-stream"},
        )
        stream = events(response.text)
        answer = stream[-2][1]
        assert [kind for kind, _ in stream][-2:] == ["citations", "done"]
        assert "".join(d["text"] for kind, d in stream if kind == "delta") == answer["answer"]
        assert answer["attributions"][0]["speaker"] == "Dmitry Peskov"
        citation = answer["citations"][0]
        article = client.get(f"/v1/articles/{citation['article_id']}").json()
        assert article["text"][citation["start"] : citation["end"]] == citation["quote"]
        assert "Mariupol will be liberated" in citation["quote"]

        follow_up = client.post(
            "/v1/chat", json={"message": "What did he say about sanctions?", "session": answer["session"]}
        ).json()
        assert follow_up["session"] == answer["session"] and not follow_up["abstained"]
        assert "sanctions" in follow_up["answer"] and follow_up["attributions"][0]["speaker"] == "Dmitry Peskov"

"""Stored answers and conversations are pruned after WHOSAID_RETENTION_DAYS; rated answers stay."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select, update

from bot.api.app import create_app
from bot.config import Settings
from bot.index.conversations import Conversations, answers, sessions, turns
from bot.index.embedder import HashEmbedder
from bot.service import Whosaid
from tests.conftest import FIXTURES, NoClaims

DAY = 86_400.0


def age(service: Whosaid, *, answer_ids: Sequence[str] = (), session_ids: Sequence[str] = (), days: float) -> None:
    """Move answers and conversations ``days`` into the past."""
    then = time.time() - days * DAY
    with service.conversations.engine.begin() as conn:
        conn.execute(update(answers).where(answers.c.id.in_(answer_ids)).values(created=then))
        conn.execute(update(sessions).where(sessions.c.id.in_(session_ids)).values(touched=then))


def stored(service: Whosaid) -> tuple[set[str], set[str], set[str]]:
    with service.conversations.engine.connect() as conn:
        return (
            set(conn.scalars(select(answers.c.id))),
            set(conn.scalars(select(sessions.c.id))),
            set(conn.scalars(select(turns.c.session_id))),
        )


def test_old_answers_and_idle_conversations_are_pruned_and_rated_answers_kept(service: Whosaid) -> None:
    service.ingest([FIXTURES / "harbor-bridge.txt"])
    old_session, new_session = service.start_session(), service.start_session()
    old, rated, fresh = (service.ask("bridge").id for _ in range(3))
    in_old = service.ask("bridge", session=old_session).id
    in_new = service.ask("bridge", session=new_session).id
    assert old and rated and fresh and in_old and in_new
    service.feedback(rated, rating=-1, comment="wrong speaker")
    age(service, answer_ids=[old, rated, in_old, in_new], session_ids=[old_session], days=31)

    assert service.prune() == {"sessions": 1, "answers": 3}
    answer_ids, session_ids, turn_sessions = stored(service)
    assert answer_ids == {rated, fresh}  # the rated one stays, with its feedback
    assert service.conversations.feedback_for(rated) == [{"rating": -1, "comment": "wrong speaker", "channel": "api"}]
    assert session_ids == turn_sessions == {new_session}  # used recently: its turns (and follow-ups) stay
    assert service.ask("bridge", session=new_session).session == new_session
    assert service.prune() == {"sessions": 0, "answers": 0}


def test_zero_days_keeps_everything(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", embedding_model="hash", extract_claims=False, retention_days=0)
    service = Whosaid(settings, embedder=HashEmbedder(), extractor=NoClaims())
    service.ingest([FIXTURES / "harbor-bridge.txt"])
    answer_id = service.ask("bridge").id
    assert answer_id
    age(service, answer_ids=[answer_id], days=3650)
    assert service.prune() == {"sessions": 0, "answers": 0} and stored(service)[0] == {answer_id}


def test_a_server_prunes_in_the_background(service: Whosaid) -> None:
    service.ingest([FIXTURES / "harbor-bridge.txt"])
    answer_id = service.ask("bridge").id
    assert answer_id
    age(service, answer_ids=[answer_id], days=40)
    with TestClient(create_app(service.settings, service=service), base_url="http://127.0.0.1"):
        deadline = time.monotonic() + 10
        while answer_id in stored(service)[0] and time.monotonic() < deadline:
            time.sleep(0.05)
    assert answer_id not in stored(service)[0]


def test_a_database_from_before_retention_gets_its_column(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE sessions (id VARCHAR(64) PRIMARY KEY)")
        db.execute("INSERT INTO sessions VALUES ('kept-session')")
    conversations = Conversations(create_engine(f"sqlite:///{path}"))
    assert conversations.session_exists("kept-session")
    assert conversations.prune(before=time.time() - DAY) == {"sessions": 0, "answers": 0}  # counted from now
    assert conversations.prune(before=time.time() + 1) == {"sessions": 1, "answers": 0}

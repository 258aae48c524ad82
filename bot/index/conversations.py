"""Conversations, answers and feedback, in the same SQL database as the records.

Every answer given is stored with an id, so feedback from any interface (the widget's
buttons, Slack's 👍 / 👎) points at exactly what the user saw. Sessions hold the turns that
let follow-ups be rewritten into standalone questions.

Nothing here grows without bound: ``prune`` deletes answers and conversations older than the
retention period (the server runs it in the background). An answer someone rated is kept with
its feedback, so every rating still shows what was rated.

Ids and texts that a backend could not store (longer than the id columns, or holding NUL,
which PostgreSQL refuses) are unknown to reads and refused by writes, alike on every backend.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Engine,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)

from bot.errors import InvalidQueryError
from bot.index.database import create_schema

metadata = MetaData()
MAX_ID_CHARS = 64

sessions = Table(
    "sessions",
    metadata,
    Column("id", String(MAX_ID_CHARS), primary_key=True),
    Column("touched", Float),  # when the conversation was started or last answered in (indexed below)
)
turns = Table(
    "turns",
    metadata,
    Column("session_id", String(MAX_ID_CHARS), primary_key=True),
    Column("turn", Integer, primary_key=True),
    Column("question", Text, nullable=False),
    Column("standalone", Text, nullable=False),
    Column("answer", JSON, nullable=False),
)
answers = Table(
    "answers",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("session_id", String(MAX_ID_CHARS), index=True),
    Column("mode", String(8), nullable=False),
    Column("question", Text, nullable=False),
    Column("answer", JSON, nullable=False),
    Column("created", Float, nullable=False),
)
feedback = Table(
    "feedback",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("answer_id", ForeignKey("answers.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("rating", Integer, nullable=False),  # +1 helpful, -1 not
    Column("comment", Text),
    Column("channel", String(16), nullable=False),  # api | widget | slack | cli
    Column("created", Float, nullable=False),
)


class Conversations:
    """Sessions and their turns, answers given, and feedback on them."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        with engine.begin() as conn:
            create_schema(conn, metadata)
            _add_touched(conn)

    def create_session(self, session_id: str) -> None:
        """Start a conversation (a no-op when it exists)."""
        if not _storable_id(session_id):
            raise InvalidQueryError(
                f"A session id has at most {MAX_ID_CHARS} characters and no NUL; start a new session instead."
            )
        with self.engine.begin() as conn:
            if conn.scalar(select(sessions.c.id).where(sessions.c.id == session_id)) is None:
                conn.execute(insert(sessions).values(id=session_id, touched=time.time()))

    def session_exists(self, session_id: str) -> bool:
        """Whether a conversation with this id was started."""
        if not _storable_id(session_id):
            return False
        with self.engine.connect() as conn:
            return conn.scalar(select(sessions.c.id).where(sessions.c.id == session_id)) is not None

    def history(self, session_id: str, *, limit: int = 6) -> list[dict[str, Any]]:
        """The last ``limit`` turns, oldest first: question, standalone and answer."""
        if not _storable_id(session_id):
            return []
        query = (
            select(turns.c.question, turns.c.standalone, turns.c.answer)
            .where(turns.c.session_id == session_id)
            .order_by(turns.c.turn.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            rows = [dict(row._mapping) for row in conn.execute(query)]
        return rows[::-1]

    def record(
        self, *, question: str, mode: str, answer: dict[str, Any], session_id: str | None, standalone: str
    ) -> str:
        """Store an answer (and the session turn, if any) in one transaction; return its id."""
        answer_id = uuid.uuid4().hex
        with self.engine.begin() as conn:
            conn.execute(insert(answers).values(
                id=answer_id, session_id=session_id, mode=mode, question=question, answer=answer,
                created=time.time(),
            ))
            if session_id is not None:
                # Lock the session's row (PostgreSQL; SQLite has one writer anyway) so two workers
                # answering in the same session at once cannot both take the next turn number.
                conn.execute(select(sessions.c.id).where(sessions.c.id == session_id).with_for_update())
                conn.execute(update(sessions).where(sessions.c.id == session_id).values(touched=time.time()))
                last = conn.scalar(select(func.max(turns.c.turn)).where(turns.c.session_id == session_id))
                conn.execute(insert(turns).values(
                    session_id=session_id, turn=(last or 0) + 1, question=question,
                    standalone=standalone, answer=answer,
                ))
        return answer_id

    def answer_exists(self, answer_id: str) -> bool:
        """Whether an answer with this id was given."""
        if not _storable_id(answer_id):
            return False
        with self.engine.connect() as conn:
            return conn.scalar(select(answers.c.id).where(answers.c.id == answer_id)) is not None

    def add_feedback(self, answer_id: str, *, rating: int, comment: str | None, channel: str) -> None:
        """Store one rating of an answer."""
        if comment is not None and "\x00" in comment:
            raise InvalidQueryError("The comment contains a NUL character; remove it and send it again.")
        with self.engine.begin() as conn:
            conn.execute(insert(feedback).values(
                answer_id=answer_id, rating=rating, comment=comment, channel=channel, created=time.time(),
            ))

    def feedback_for(self, answer_id: str) -> list[dict[str, Any]]:
        """Every rating of one answer, oldest first."""
        if not _storable_id(answer_id):
            return []
        query = (
            select(feedback.c.rating, feedback.c.comment, feedback.c.channel)
            .where(feedback.c.answer_id == answer_id)
            .order_by(feedback.c.id)
        )
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]


    def prune(self, *, before: float) -> dict[str, int]:
        """Delete conversations last used, and answers given, before ``before`` (a time); an answer
        with feedback is kept with it. Returns how many sessions and answers went."""
        with self.engine.begin() as conn:
            stale = select(sessions.c.id).where(sessions.c.touched < before)
            conn.execute(delete(turns).where(turns.c.session_id.in_(stale)))
            gone_sessions = conn.execute(delete(sessions).where(sessions.c.touched < before)).rowcount
            rated = select(feedback.c.answer_id)
            gone_answers = conn.execute(
                delete(answers).where(answers.c.created < before, answers.c.id.not_in(rated))
            ).rowcount
        return {"sessions": gone_sessions, "answers": gone_answers}


def _add_touched(conn: Connection) -> None:
    """Databases made before retention have sessions without ``touched``: add it, counting from now.

    Run under the schema lock ``create_schema`` took, so two workers starting at once add it once.
    """
    if "touched" not in {column["name"] for column in inspect(conn).get_columns("sessions")}:
        conn.execute(text("ALTER TABLE sessions ADD COLUMN touched FLOAT"))
        conn.execute(update(sessions).values(touched=time.time()))
    conn.execute(text("CREATE INDEX IF NOT EXISTS ix_sessions_touched ON sessions (touched)"))


def _storable_id(value: str) -> bool:
    return len(value) <= MAX_ID_CHARS and "\x00" not in value

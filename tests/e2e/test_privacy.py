"""End to end: channel ids never reach the database or the logs, and "delete my data" deletes.

The real servers on the real PostgreSQL (127.0.0.1:5432, database ``test``), in a schema
of this module's own, dropped after; the servers' whole output is captured to a file and
scanned. Marked slow: it starts Rasa.
"""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot import report, serve, storage
from bot.conversation import texts
from bot.i18n import translator
from bot.pseudonym import pseudonym
from tests.conftest import every_row, postgres_schema
from tests.e2e.conftest import TOKEN
from tests.e2e.test_rest_conversations import CONVERSATIONS

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Up:
    base: str
    database: str
    log: Path


@pytest.fixture(scope="module")
def up(tmp_path_factory):
    database_iter = postgres_schema("kotobotti_privacy")
    database = next(database_iter)
    log = tmp_path_factory.mktemp("log") / "servers.log"
    env = {**os.environ, storage.DB_URL_VARIABLE: database, serve.TOKEN_VARIABLE: TOKEN}
    ports = serve.Ports(rasa=serve.free_port(), actions=serve.free_port())
    try:
        with serve.running(ports=ports, env=env, log=log) as servers:
            yield Up(servers.base, database, log)
    finally:
        next(database_iter, None)  # drops the schema




def holding(url: str, needle: str) -> list[tuple]:
    """The rows with ``needle`` anywhere in them."""
    return [row for row in every_row(url) if any(needle in str(value) for value in row)]


def socketio_conversation(base: str, session: str, messages: list[str]) -> list[dict]:
    """A widget's conversation over socket.io (python-socketio's client): its answers."""
    import socketio

    async def talk() -> list[dict]:
        client = socketio.AsyncClient()
        answers: list[dict] = []
        client.on("bot_uttered", answers.append)
        confirmed = asyncio.Event()
        client.on("session_confirm", lambda _id: confirmed.set())
        await client.connect(base, transports=["polling"])
        await client.emit("session_request", {"session_id": session})
        await asyncio.wait_for(confirmed.wait(), 30)
        for message in messages:
            count = len(answers)
            await client.emit(
                "user_uttered", {"message": message, "session_id": session, "metadata": {"language": "en"}}
            )
            for _ in range(600):
                if len(answers) > count:
                    break
                await asyncio.sleep(0.1)
            await asyncio.sleep(0.5)  # the rest of this turn's messages
        await client.disconnect()
        return answers

    return asyncio.run(talk())


def test_no_raw_channel_id_in_the_database_or_the_logs(up):
    messages = CONVERSATIONS["en"][0]
    rest_sender = f"rawrest{uuid.uuid4().hex[:12]}"
    session = f"rawsock{uuid.uuid4().hex[:12]}"
    replies = serve.send(up.base, rest_sender, messages[0], {"language": "en"})
    replies += serve.send(up.base, rest_sender, messages[1])
    assert replies and all(r["recipient_id"] == rest_sender for r in replies)  # the client's own id
    answers = socketio_conversation(up.base, session, messages[:2])
    assert answers, "the widget's room got the answers"
    # The conversations are stored, under their pseudonyms only.
    assert holding(up.database, pseudonym("rest", rest_sender))
    assert holding(up.database, pseudonym("socketio", session))
    for raw in (rest_sender, session):
        assert not holding(up.database, raw), raw
        assert raw not in up.log.read_text(errors="replace"), raw


# "Delete my data" as a person would write it (not the training examples).
DELETE_MY_DATA = {
    "fi": "voisitko poistaa kaikki minun tietoni",
    "ar": "أرجوك احذف كل بياناتي",
    "uk": "будь ласка, видаліть усі мої дані",
}


def sender_rows(url: str, sender: str) -> list[tuple[str, str]]:
    """(type, data) of every stored event of one conversation (``sender`` is its pseudonym)."""
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        found = connection.execute(
            sa.text("SELECT type_name, data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender}
        ).all()
    engine.dispose()
    return [tuple(row) for row in found]


@pytest.mark.parametrize("language", sorted(DELETE_MY_DATA))
def test_delete_my_data_deletes_the_conversation_and_confirms(up, language):
    messages = CONVERSATIONS[language][0]
    sender = f"forget-{language}-{uuid.uuid4().hex[:8]}"
    serve.send(up.base, sender, messages[0], {"language": language})
    serve.send(up.base, sender, messages[1])  # yes: the questions begin
    stored = sender_rows(up.database, pseudonym("rest", sender))
    assert any(kind == "user" for kind, _ in stored) and any(kind == "slot" for kind, _ in stored)
    replies = serve.send(up.base, sender, DELETE_MY_DATA[language])
    assert [r.get("text") for r in replies] == [translator(language)(texts.DELETED)]
    # What is left is only what Rasa wrote after the restart: nothing the person said or was told.
    left = sender_rows(up.database, pseudonym("rest", sender))
    kinds = {kind for kind, _ in left}
    actions = {json.loads(data)["name"] for kind, data in left if kind == "action"}
    assert kinds <= {"action", "session_started"}, left
    assert actions <= {"action_listen", "action_session_start"}, left
    assert audit(up.database).deletions["rest"] >= 1  # the audit: a count, no id


def audit(url: str) -> report.Report:
    engine = sa.create_engine(url)
    try:
        return report.build(engine)
    finally:
        engine.dispose()


def test_a_one_tap_rating_is_kept_without_ids(up):
    sender = f"rating-{uuid.uuid4().hex[:8]}"
    messages = CONVERSATIONS["en"][0]
    serve.send(up.base, sender, messages[0], {"language": "en"})
    for message in messages[1:]:
        serve.send(up.base, sender, message)
    before = audit(up.database).ratings[("en", "helpful")]
    assert serve.send(up.base, sender, '/thanks{"rating": "helpful"}')
    assert audit(up.database).ratings[("en", "helpful")] == before + 1
    assert not holding(up.database, sender)

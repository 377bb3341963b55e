"""End to end: channel ids never reach the database or the logs; every way of deleting deletes
and is audited; the opt-in log of messages not understood keeps only what it may.

The real servers on the real PostgreSQL (127.0.0.1:5432, database ``test``), in a schema
of this module's own, dropped after; the servers' whole output is captured to a file and
scanned. Marked slow: it starts Rasa.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot import report, serve, storage, tables, widget_texts
from bot.channels import telegram_format as fmt
from bot.channels import texts as channel_texts
from bot.conversation import texts, unanswered
from bot.i18n import translator
from bot.pseudonym import pseudonym
from tests.conftest import every_row, postgres_schema
from tests.e2e.conftest import TOKEN
from tests.e2e.test_rest_conversations import CONVERSATIONS
from tests.telegram_fakes import FakeBotApi, bridge_for, tap, text

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


def socketio_conversation(base: str, session: str, messages: list[str], answered: bool = True) -> list[dict]:
    """A widget's conversation over socket.io (python-socketio's client): its answers.
    ``answered=False``: messages that get no answer (the delete button's ``/restart``)."""
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
            for _ in range(600 if answered else 0):
                if len(answers) > count:
                    break
                await asyncio.sleep(0.1)
            await asyncio.sleep(0.5)  # the rest of this turn's messages (or, unanswered, its handling)
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


def deletions(url: str) -> int:
    """Rows of the deletion audit (one per conversation deleted on request)."""
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        count = connection.execute(sa.select(sa.func.count()).select_from(tables.deletions)).scalar_one()
    engine.dispose()
    return count


def stored_before(url: str, sender: str, moment: float) -> int:
    """Events of a conversation stored from before ``moment`` (what a deletion must remove;
    a channel may greet again right after it, as REST does: that is after)."""
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        count = connection.execute(
            sa.text("SELECT count(*) FROM events WHERE sender_id = :s AND timestamp < :t"),
            {"s": sender, "t": moment},
        ).scalar_one()
    engine.dispose()
    return count


def eventually(condition, seconds: float = 60) -> None:
    """Wait for something another process does (no answer says when it is done)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "it did not happen"
        time.sleep(0.2)


def test_every_way_of_deleting_is_audited_once(up):
    """/forget (Telegram, through the bridge), "delete my data" (REST) and /restart (what
    the widget's button sends; tests/e2e/test_widget.py clicks it in a browser) each delete
    the conversation and add exactly one audit row, with no id in it."""
    before = deletions(up.database)
    sender = f"audit-{uuid.uuid4().hex[:8]}"
    for message in CONVERSATIONS["en"][0][:3]:
        serve.send(up.base, sender, message, {"language": "en"})
    moment = time.time()
    assert stored_before(up.database, pseudonym("rest", sender), moment)
    serve.send(up.base, sender, "please delete my data")
    assert deletions(up.database) == before + 1
    assert not stored_before(up.database, pseudonym("rest", sender), moment)

    session = f"auditsock{uuid.uuid4().hex[:8]}"
    socketio_conversation(up.base, session, ["hello", "yes"])
    moment = time.time()
    assert stored_before(up.database, pseudonym("socketio", session), moment)
    socketio_conversation(up.base, session, [widget_texts.FORGET_PAYLOAD], answered=False)
    eventually(lambda: deletions(up.database) == before + 2)
    assert not stored_before(up.database, pseudonym("socketio", session), moment)

    chat = 7300 + uuid.uuid4().int % 1000

    async def telegram() -> None:
        async with FakeBotApi().running() as api, bridge_for(api, up.base).serving(poll_timeout=1):
            await api.push(text(chat, "/start", "en"))
            consent = (await api.wait_sent(2, chat))[1]
            await api.push(tap(chat, consent, "/affirm", "en"))
            await api.wait_sent(4, chat)
            moments.append(time.time())
            await api.push(text(chat, "/forget", "en"))
            forgotten = fmt.escape(translator("en")(channel_texts.FORGOTTEN))
            await api.wait_for(lambda: any(m["text"] == forgotten for m in api.sent(chat)))

    moments: list[float] = []
    telegram_sender = pseudonym("rest", pseudonym("telegram", chat))
    asyncio.run(telegram())
    assert deletions(up.database) == before + 3
    assert not stored_before(up.database, telegram_sender, moments[0])
    engine = sa.create_engine(up.database)
    with engine.connect() as connection:
        rows = connection.execute(sa.select(tables.deletions)).mappings().all()
    engine.dispose()
    assert {"id", "day", "channel", "count"} == set(rows[0])
    assert {row["channel"] for row in rows} >= {"rest", "socketio"}


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



# -- the opt-in log of messages not understood ----------------------------------------------------
GIBBERISH = "blorp the frobnicated zibber"
WITH_DETAILS = "my name is Zorbanella Qwintus, write to zorbanella.q@example.com, what is a blorpification"
ASKED = translator("en")(unanswered.QUESTION, days=storage.retention_days())


def kept(url: str) -> list[tuple]:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(sa.select(tables.unanswered).order_by(tables.unanswered.c.id)).all()
    engine.dispose()
    return [tuple(row) for row in rows]


def said(replies: list[dict]) -> list[str]:
    return [r.get("text") or "" for r in replies]


def to_the_questions(base: str, sender: str) -> None:
    serve.send(base, sender, "hello", {"language": "en"})
    serve.send(base, sender, "yes")


def test_yes_keeps_the_scrubbed_words_of_what_was_not_understood_without_ids(up):
    sender = f"optin-yes-{uuid.uuid4().hex[:8]}"
    to_the_questions(up.base, sender)
    before = kept(up.database)
    asked = serve.send(up.base, sender, GIBBERISH)
    assert said(asked)[-1] == ASKED
    assert [b["payload"] for b in asked[-1]["buttons"]] == [
        '/affirm{"keep_unanswered": "yes"}',
        '/deny{"keep_unanswered": "no"}',
    ]
    assert kept(up.database) == before, "the message that prompted the question is not kept"
    thanks = serve.send(up.base, sender, '/affirm{"keep_unanswered": "yes"}')
    assert said(thanks)[0] == translator("en")(unanswered.KEPT)
    assert len(thanks) == 2, "the form asks its question again"
    replies = serve.send(up.base, sender, WITH_DETAILS)
    assert ASKED not in said(replies), "asked once"
    new = kept(up.database)[len(before) :]
    assert [row[1:] for row in new] == [
        (dt.date.today(), "en", "my name is [name], write to [email], what is a blorpification")
    ]
    assert not holding(up.database, "Zorbanella") and not holding(up.database, "zorbanella.q@")
    # Nothing in the row can lead back to the conversation.
    assert not [v for v in new[0] if pseudonym("rest", sender) in str(v) or sender in str(v)]
    report_text = subprocess.run(
        [sys.executable, "-m", "bot.cli", "report"],
        env={**os.environ, storage.DB_URL_VARIABLE: up.database},
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    assert "Unanswered questions" in report_text
    assert "en  my name is [name], write to [email], what is a blorpification" in report_text
    assert sender not in report_text and pseudonym("rest", sender) not in report_text


def test_no_keeps_nothing_and_is_not_asked_again(up):
    sender = f"optin-no-{uuid.uuid4().hex[:8]}"
    to_the_questions(up.base, sender)
    before = kept(up.database)
    assert said(serve.send(up.base, sender, GIBBERISH))[-1] == ASKED
    assert said(serve.send(up.base, sender, "no"))[0] == translator("en")(unanswered.NOT_KEPT)
    again = serve.send(up.base, sender, WITH_DETAILS)
    assert ASKED not in said(again)
    assert kept(up.database) == before


def test_a_question_not_answered_is_a_no_and_not_asked_again(up):
    sender = f"optin-ignored-{uuid.uuid4().hex[:8]}"
    to_the_questions(up.base, sender)
    before = kept(up.database)
    assert said(serve.send(up.base, sender, GIBBERISH))[-1] == ASKED
    serve.send(up.base, sender, "I have temporary protection")  # on with the questions instead
    assert ASKED not in said(serve.send(up.base, sender, GIBBERISH))
    assert kept(up.database) == before


def test_the_purge_deletes_kept_messages_past_the_retention_period(up):
    engine = sa.create_engine(up.database)
    tables.record_unanswered(engine, "fi", "vanha kysymys", dt.date.today() - dt.timedelta(days=31))
    tables.record_unanswered(engine, "fi", "uusi kysymys", dt.date.today() - dt.timedelta(days=29))
    engine.dispose()
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "purge"],
        env={**os.environ, storage.DB_URL_VARIABLE: up.database, storage.RETENTION_VARIABLE: "30"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "and 1 message(s) not understood" in done.stdout
    texts_kept = [row[3] for row in kept(up.database)]
    assert "vanha kysymys" not in texts_kept and "uusi kysymys" in texts_kept

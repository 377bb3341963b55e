"""End to end: the assistant under faults and load, with the real servers (issue 14, contract §1, §6).

- The action server killed mid-conversation: the person is told, in their language, that
  part of the service is down and given the general guidance with the contacts (their
  municipality's too); once it is back the conversation goes on where it was.
- A PostgreSQL of the test's own restarted while ten people talk: every message is
  answered or refused with the clear "try again", and afterwards each conversation is
  stored once, in order, with one user event per answered message.
- A Redis of the test's own stopped under two Rasa servers: answers or clear refusals;
  once it is back, two messages of one person sent at the same moment to the two
  servers are again answered one after the other.

Marked slow: each starts the Rasa server. Load and soak: ``test_load.py``.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import socketio

from bot import serve, storage
from bot.conversation import texts
from bot.i18n import translator
from rasa_components.lock_store import REDIS_URL_VARIABLE
from tests.conftest import postgres_schema
from tests.e2e.conftest import TOKEN, tracker
from tests.e2e.faults import (
    Person,
    Tally,
    assert_stored_once_in_order,
    recommendations,
    refusal,
    stored_conversations,
)
from tests.e2e.private_services import private_postgres, private_redis
from tests.e2e.test_rest_conversations import CONVERSATIONS

pytestmark = pytest.mark.slow


def environment(db_url: str, **more: str) -> dict[str, str]:
    return {
        **os.environ,
        storage.DB_URL_VARIABLE: db_url,
        serve.TOKEN_VARIABLE: TOKEN,
        **more,
    }


def start_actions(port: int, env: dict[str, str]) -> subprocess.Popen:
    """An action server on ``port``, answering."""
    env = {**env, "SANIC_KEEP_ALIVE_TIMEOUT": "75"}
    proc = subprocess.Popen(
        serve.actions_command(port),
        cwd=serve.ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    serve.wait_for(f"http://127.0.0.1:{port}/health", 300)
    return proc


def socket_turn(base: str, session_id: str, message: str, language: str, expected: int) -> list[str]:
    """One message over the socket.io channel, as the web widget sends it; the texts of the
    first ``expected`` bot messages. (Long polling: the client's websocket needs a package
    this checkout does not have; the channel's handlers are the same.)"""
    client = socketio.Client()
    texts_: list[str] = []
    confirmed = threading.Event()
    enough = threading.Event()

    @client.on("session_confirm")
    def on_confirm(_data: object) -> None:
        confirmed.set()

    @client.on("bot_uttered")
    def on_bot(data: dict) -> None:
        texts_.append(data.get("text"))
        if len(texts_) >= expected:
            enough.set()

    client.connect(base, transports=["polling"])
    try:
        client.emit("session_request", {"session_id": session_id})
        assert confirmed.wait(60), "no session_confirm"
        payload = {"message": message, "session_id": session_id, "metadata": {"language": language}}
        client.emit("user_uttered", payload)
        assert enough.wait(120), texts_
    finally:
        client.disconnect()
    return texts_


@pytest.fixture
def schema():
    yield from postgres_schema("kotobotti_faults")


def test_action_server_killed_mid_conversation(tmp_path):
    """Finnish: permit and municipality given, then the action server dies."""
    messages, slots, provider = CONVERSATIONS["fi"]
    env = environment(f"sqlite:///{tmp_path / 'kotobotti.db'}")
    actions_port = serve.free_port()
    with serve.cluster((serve.free_port(),), actions_port, env=env, log=tmp_path / "servers.log") as (
        up,
        procs,
    ):
        base = up.bases[0]
        sender = f"actions-down-{uuid.uuid4().hex[:8]}"
        for j, message in enumerate(messages[:4]):  # hei, kyllä, kiintiöpakolainen, Jyväskylässä
            serve.send(base, sender, message, {"language": "fi"} if j == 0 else None)
        before = tracker(base, sender)["slots"]
        assert before["municipality"] == "Jyväskylä"

        procs[0].kill()
        procs[0].wait(timeout=30)
        replies = serve.send(base, sender, messages[4])  # "40": the form cannot validate it

        _ = translator("fi")
        expected = [m.text for m in texts.unavailable(before, _)]
        assert [reply.get("text") for reply in replies] == expected
        assert _(texts.UNAVAILABLE) in expected[0] and "infofinland.fi" in expected[0]
        assert "Jyväskylä" in expected[1]  # the municipality's own guidance, with its contacts
        assert not any(reply.get("buttons") for reply in replies)

        # The web widget's channel says the same, in the language its page gives.
        arabic = [m.text for m in texts.unavailable({}, translator("ar"))]
        assert socket_turn(base, uuid.uuid4().hex, "مرحبا", "ar", len(arabic)) == arabic

        procs[0] = start_actions(actions_port, env)  # replaced: the cluster stops this one
        assert tracker(base, sender)["slots"]["municipality"] == "Jyväskylä"
        for message in messages[4:]:
            replies = serve.send(base, sender, message)
        assert provider in {(r["service"], r["provider"]) for r in recommendations(replies)}
        final = tracker(base, sender)["slots"]
        assert {slot: final[slot] for slot in slots} == slots


def test_postgresql_restarted_under_load(tmp_path):
    people = 10
    languages = list(CONVERSATIONS)
    tally = Tally()
    restarted = threading.Event()

    def talk(index: int, base: str) -> list[Person]:
        done = []
        for round_ in range(2):  # two conversations in a row: the load goes on through the restart
            language = languages[(index + round_) % len(languages)]
            messages, _, provider = CONVERSATIONS[language]
            person = Person(f"pg-{index}-{round_}-{uuid.uuid4().hex[:6]}", language, tally)
            for message in messages:
                replies = person.say(base, message)
            assert provider in {(r["service"], r["provider"]) for r in recommendations(replies)}, (
                person.sender
            )
            done.append(person)
        return done

    with private_postgres() as database:
        env = environment(database.url)
        with (
            serve.cluster((serve.free_port(),), serve.free_port(), env=env, log=tmp_path / "servers.log") as (
                up,
                _,
            ),
            ThreadPoolExecutor(max_workers=people) as pool,
        ):
            futures = [pool.submit(talk, i, up.bases[0]) for i in range(people)]
            while tally.answered < 25 and not all(f.done() for f in futures):
                time.sleep(0.1)
            database.stop()
            time.sleep(6.0)  # longer than the store retries (about 4 s): some messages are refused
            database.start()
            restarted.set()
            everyone = [person for future in futures for person in future.result()]
        stored = stored_conversations(database.url)

    print(f"PostgreSQL restart: {tally.answered} messages answered, {tally.refused} refused with 'try again'")
    assert restarted.is_set()
    assert len(stored) == len(everyone), "each conversation stored, once"
    for person in everyone:
        assert_stored_once_in_order(stored.get(person.key, []), person.answered)


def test_redis_stopped_under_two_rasa_servers(schema, tmp_path):
    people = 6
    languages = list(CONVERSATIONS)
    tally = Tally()
    with private_redis() as redis:
        env = environment(schema, **{REDIS_URL_VARIABLE: redis.url})
        rasa_ports = (serve.free_port(), serve.free_port())
        with serve.cluster(rasa_ports, serve.free_port(), env=env, log=tmp_path / "servers.log") as (up, _):
            bases = up.bases
            crowd = [
                Person(f"redis-{i}-{uuid.uuid4().hex[:6]}", languages[i % len(languages)], tally)
                for i in range(people)
            ]
            script = {p.sender: CONVERSATIONS[p.language][0] for p in crowd}
            for i, person in enumerate(crowd):  # the first two messages, one to each server
                person.say(bases[i % 2], script[person.sender][0])
                person.say(bases[(i + 1) % 2], script[person.sender][1])

            redis.stop()
            refused_while_down = 0
            for i, person in enumerate(crowd):  # one message each: answered or clearly refused
                replies = serve.send(
                    bases[i % 2], person.sender, script[person.sender][2], {"language": person.language}
                )
                texts_ = [reply.get("text") for reply in replies]
                assert texts_, person.sender
                if texts_ == refusal(person.language):
                    refused_while_down += 1
                else:
                    person.answered += 1
                    person.replies.append(replies)
            redis.start()

            def finish(i: int, person: Person) -> None:
                messages = script[person.sender]
                for j in range(person.answered, len(messages) - 2):
                    person.say(bases[(i + j) % 2], messages[j])
                start = threading.Barrier(2, timeout=60)

                def at_once(k: int) -> None:  # the last two at the same moment, one to each server
                    start.wait()
                    person.say(bases[k], messages[-2 + k])

                pair = [threading.Thread(target=at_once, args=(k,)) for k in (0, 1)]
                for thread in pair:
                    thread.start()
                for thread in pair:
                    thread.join(timeout=300)

            with ThreadPoolExecutor(max_workers=people) as pool:
                for future in [pool.submit(finish, i, p) for i, p in enumerate(crowd)]:
                    future.result()

    print(
        f"Redis stopped: {refused_while_down} of {people} messages refused with 'try again' while it was down"
    )
    stored = stored_conversations(schema)
    for person in crowd:
        assert person.answered == len(script[person.sender]), person.sender
        assert_stored_once_in_order(stored[person.key], person.answered)

"""End to end: two Rasa servers, one action server and nginx on the real PostgreSQL and Redis (contract §6).

Twenty people talk at once; each person's messages alternate between the two Rasa
servers, directly and through nginx (``deploy/nginx.conf.template``, the README's
configuration), and each person's last two messages are sent at the same moment to the two
different servers. Every message must be answered, and the database must hold each
conversation once and in order: one user event per message, timestamps never going
back, and every turn finished (the bot listening again) before the next began. Without
the shared Redis lock the two servers answer the simultaneous pair on the same stale
tracker, and the events of the two turns are written over each other.

Marked slow: it starts two Rasa servers.
"""

from __future__ import annotations

import os
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor, wait

import pytest

from bot import nginx, serve, storage
from rasa_components.lock_store import REDIS_URL_VARIABLE
from tests.conftest import postgres_schema
from tests.e2e.faults import stored_conversations
from tests.e2e.test_rest_conversations import CONVERSATIONS

pytestmark = pytest.mark.slow

PEOPLE = 20
REDIS = "redis://127.0.0.1:6379/0"
DEADLINE_SECONDS = 900  # the whole run; each message has its own 60 s timeout too


@pytest.fixture
def database():
    yield from postgres_schema("kotobotti_scale")


def converse(index: int, routes: tuple[str, str, str]) -> tuple[str, list[list[dict]]]:
    """One person's conversation: message j to routes[(index + j) % 3] (server A, B, nginx),
    the last two at the same moment to servers A and B. Their replies, in sending order."""
    language = list(CONVERSATIONS)[index % len(CONVERSATIONS)]
    messages = CONVERSATIONS[language][0]
    sender = f"scale-{index}-{uuid.uuid4().hex[:8]}"
    replies = []
    for j, message in enumerate(messages[:-2]):
        metadata = {"language": language} if j == 0 else None
        replies.append(serve.send(routes[(index + j) % 3], sender, message, metadata))
    together: list[list[dict]] = [[], []]
    start = threading.Barrier(2, timeout=60)

    def at_once(k: int) -> None:
        start.wait()
        together[k] = serve.send(routes[k], sender, messages[-2 + k])

    pair = [threading.Thread(target=at_once, args=(k,)) for k in (0, 1)]
    for thread in pair:
        thread.start()
    for thread in pair:
        thread.join(timeout=120)
    return sender, [*replies, *together]


def test_twenty_people_at_once_on_two_servers_behind_nginx(database, tmp_path):
    env = {
        **os.environ,
        storage.DB_URL_VARIABLE: database,
        REDIS_URL_VARIABLE: REDIS,
        "KOTOBOTTI_ID_SECRET": uuid.uuid4().hex,  # shared by every server of a deployment
    }
    rasa_ports = (serve.free_port(), serve.free_port())
    with serve.cluster(rasa_ports, serve.free_port(), env=env, log=tmp_path / "servers.log") as (up, _):
        upstream = [f"127.0.0.1:{port}" for port in up.rasa]
        with nginx.running(serve.free_port(), upstream) as proxy:
            routes = (*up.bases, proxy)
            with ThreadPoolExecutor(max_workers=PEOPLE) as pool:
                futures = [pool.submit(converse, i, routes) for i in range(PEOPLE)]
                done, pending = wait(futures, timeout=DEADLINE_SECONDS)
                assert not pending, f"{len(pending)} conversations unfinished after {DEADLINE_SECONDS} s"
                results = [future.result() for future in futures]

    sent = {}
    for index, (sender, replies) in enumerate(results):
        messages = CONVERSATIONS[list(CONVERSATIONS)[index % len(CONVERSATIONS)]][0]
        assert len(replies) == len(messages), sender
        unanswered = [messages[j] for j, reply in enumerate(replies) if not reply]
        assert not unanswered, (sender, unanswered)
        sent[sender] = len(messages)

    stored = stored_conversations(database)
    assert len(stored) == PEOPLE, "one stored conversation per person"
    assert sorted(len([e for e in events if e[0] == "user"]) for events in stored.values()) == sorted(
        sent.values()
    ), "each message stored once"
    for events in stored.values():
        stamps = [timestamp for _, _, timestamp in events]
        assert stamps == sorted(stamps), "events stored in the order they happened"
        users = [i for i, (kind, _, _) in enumerate(events) if kind == "user"]
        assert len({stamps[i] for i in users}) == len(users), "no user event twice"
        # Every turn ends with the bot listening, before the next message's events begin.
        for before, after in zip(users, [*users[1:], len(events)], strict=True):
            actions = [action for kind, action, _ in events[before:after] if kind == "action"]
            assert actions and actions[-1] == "action_listen", actions
            assert actions.count("action_listen") == 1, actions

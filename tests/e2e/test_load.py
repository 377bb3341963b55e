"""End to end: load and a short soak on the real servers and the real PostgreSQL (issue 14).

- Load: 50 people at once, 10 messages each over REST: every message answered (no
  refusal, no error), each conversation at its recommendations, and every event stored
  once, in order.
- Soak, short: 150 conversations of ``scripts/soak.py`` (recommended, declined,
  forgotten), four at a time: the database holds nothing of a forgotten conversation,
  every kept one, one statistics row per rating and deletion, and nothing once the
  retention period has passed. The memory figures of the full 10 000 are the script's to print, not a test's.

Marked slow: it starts the Rasa server (once for both, on a schema of their own).
"""

from __future__ import annotations

import os
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot import serve, storage
from scripts import soak
from tests.conftest import postgres_schema
from tests.e2e.faults import Person, Tally, assert_stored_once_in_order, recommendations, stored_conversations
from tests.e2e.test_rest_conversations import CONVERSATIONS

pytestmark = pytest.mark.slow

PEOPLE = 50
MESSAGES = 10
# After the recommendations, until ten: what people go on to ask (each has its own answer).
AFTERWARDS = ["/help", '/thanks{"rating": "helpful"}', "/why_ask", "/bot_challenge", "/help"]
SOAK_CONVERSATIONS = 150


def ten_messages(language: str) -> list[str]:
    messages = CONVERSATIONS[language][0]
    return (messages + AFTERWARDS)[:MESSAGES]


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """One action server and one Rasa server on a PostgreSQL schema of their own."""
    schemas = postgres_schema("kotobotti_load")
    url = next(schemas)
    env = {**os.environ, storage.DB_URL_VARIABLE: url}
    ports = serve.Ports(rasa=serve.free_port(), actions=serve.free_port())
    log = tmp_path_factory.mktemp("load") / "servers.log"
    try:
        with serve.running(ports=ports, env=env, log=log) as up:
            yield up.base, url
    finally:
        next(schemas, None)  # drops the schema


def test_fifty_people_at_once_ten_messages_each(servers):
    base, url = servers
    languages = list(CONVERSATIONS)
    tally = Tally()

    def talk(index: int) -> Person:
        language = languages[index % len(languages)]
        person = Person(f"load-{index}-{uuid.uuid4().hex[:6]}", language, tally)
        turns = [person.say(base, message) for message in ten_messages(language)]
        provider = CONVERSATIONS[language][2]
        assert any(provider in {(r["service"], r["provider"]) for r in recommendations(t)} for t in turns)
        return person

    with ThreadPoolExecutor(max_workers=PEOPLE) as pool:
        people = list(pool.map(talk, range(PEOPLE)))

    assert tally.refused == 0, f"{tally.refused} messages refused under load"
    assert tally.answered == PEOPLE * MESSAGES
    stored = stored_conversations(url)
    for person in people:
        assert_stored_once_in_order(stored[person.key], MESSAGES)


def test_a_short_soak_keeps_only_what_retention_allows(servers):
    base, url = servers
    run = uuid.uuid4().hex[:8]
    before = soak.database_rows(url)
    kinds = soak.soak(base, run, SOAK_CONVERSATIONS, concurrency=4, every=50)
    assert sum(kinds.values()) == SOAK_CONVERSATIONS
    assert soak.retention_problems(url, run, SOAK_CONVERSATIONS) == []
    rows = soak.database_rows(url)
    # The statistics hold one row per rating and per deletion on request, nothing about who.
    assert rows["kotobotti_ratings"] - before.get("kotobotti_ratings", 0) == kinds["recommended"]
    assert rows["kotobotti_deletions"] - before.get("kotobotti_deletions", 0) == kinds["forgotten"]
    assert soak.purge_after_retention(url, storage.retention_days()) == rows["conversations"]
    assert soak.database_rows(url)["events"] == 0

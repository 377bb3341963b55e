"""End to end: a conversation survives a restart of the servers, and nothing typed reaches the database.

The real servers on the real PostgreSQL (127.0.0.1:5432, database ``test``), in a schema
of this test's own, dropped after. Marked slow: it starts Rasa twice.
"""

from __future__ import annotations

import os
import uuid

import pytest

from bot import serve, storage
from tests.conftest import every_row, postgres_schema
from tests.e2e.test_rest_conversations import CONVERSATIONS

pytestmark = pytest.mark.slow



@pytest.fixture
def database():
    yield from postgres_schema("kotobotti_e2e")




def test_conversation_continues_after_a_restart_without_typed_text_stored(database):
    marker = f"Zq{uuid.uuid4().hex[:10]}"
    messages = CONVERSATIONS["en"][0]
    sender = f"restart-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, storage.DB_URL_VARIABLE: database}
    ports = serve.Ports(rasa=serve.free_port(), actions=serve.free_port())
    with serve.running(ports=ports, env=env) as up:
        serve.send(up.base, sender, messages[0], {"language": "en"})
        serve.send(up.base, sender, messages[1])  # yes, I agree to answer
        # Something the assistant cannot use, typed by the person: it must not be kept.
        assert serve.send(up.base, sender, f"my friend {marker} said hi")
    stored = every_row(database)
    assert stored, "the conversation is in the database"
    with serve.running(ports=ports, env=env) as up:
        replies = []
        for message in messages[2:]:
            replies = serve.send(up.base, sender, message)
    custom = [m["custom"] for m in replies if "custom" in m]
    assert len(custom) == 1, replies  # the recommendations: the consent given before the restart held
    providers = {(r["service"], r["provider"]) for r in custom[0]["recommendations"]}
    assert CONVERSATIONS["en"][2] in providers
    everything = every_row(database)
    assert len(everything) > len(stored)
    typed = [marker, *(m for m in messages if len(m) > 20 and not m.startswith("/"))]
    found = [(t, str(v)) for row in everything for v in row for t in typed if t in str(v)]
    assert not found, found

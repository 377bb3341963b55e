"""End to end: the widget's socket.io through nginx to two Rasa servers, as a websocket (contract §6).

nginx runs on ``deploy/nginx.conf.template`` (``bot.nginx``) before two Rasa servers that
share the real PostgreSQL (a schema of this module's own) and the real Redis, with one
action server. Twelve socket.io clients (python-socketio, WebSocket only, as the widget
connects) come from twelve loopback addresses, so nginx's per-address hash spreads them
over both servers; each has a conversation. Every client must stay on a WebSocket (the
``Upgrade`` passed through), both Rasa servers must hold some of the connections, and
every message must be answered.

Marked slow: it starts two Rasa servers.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path

import pytest

from bot import nginx, serve, storage
from bot.conversation import texts
from bot.i18n import translator
from rasa_components.lock_store import REDIS_URL_VARIABLE
from tests.conftest import postgres_schema

pytestmark = pytest.mark.slow

CLIENTS = 12
REDIS = "redis://127.0.0.1:6379/0"
ANSWER_SECONDS = 120


@pytest.fixture(scope="module")
def behind_nginx():
    schema = postgres_schema("kotobotti_sockets")
    database = next(schema)
    env = {**os.environ, storage.DB_URL_VARIABLE: database, REDIS_URL_VARIABLE: REDIS}
    rasa_ports = (serve.free_port(), serve.free_port())
    try:
        with (
            serve.cluster(rasa_ports, serve.free_port(), env=env),
            nginx.running(serve.free_port(), [f"127.0.0.1:{port}" for port in rasa_ports]) as base,
        ):
            yield base, rasa_ports
    finally:
        next(schema, None)


def established_to(port: int) -> int:
    """Open TCP connections to a local server port (from /proc/net/tcp: nginx's upstreams)."""
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        if state == "01" and int(local.split(":")[1], 16) == port:
            count += 1
    return count


def aiohttp_for_engineio() -> None:
    """python-engineio 4.15's asyncio client builds ``aiohttp.ClientWSTimeout(ws_close=…)``
    (aiohttp 3.10+); Rasa 3.6 pins aiohttp 3.9, whose ``ws_connect(timeout=…)`` is that
    same close timeout as a number. Only this test's client needs it (the widget's is
    JavaScript, and the servers use no aiohttp client for socket.io)."""
    import aiohttp

    if not hasattr(aiohttp, "ClientWSTimeout"):
        aiohttp.ClientWSTimeout = lambda ws_close=10.0, ws_receive=None: ws_close  # type: ignore[attr-defined]


class Person:
    """One widget: a socket.io client from its own loopback address, WebSocket only."""

    def __init__(self, address: str) -> None:
        self.address = address
        self.session = uuid.uuid4().hex
        self.answers: list[dict] = []
        self.transport = ""

    async def connect(self, base: str) -> None:
        import aiohttp
        import socketio

        self.http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=(self.address, 0)))
        self.client = socketio.AsyncClient(http_session=self.http, handle_sigint=False)
        self.client.on("bot_uttered", self.answers.append)
        confirmed = asyncio.Event()
        self.client.on("session_confirm", lambda _id: confirmed.set())
        await self.client.connect(base, transports=["websocket"], wait_timeout=60)
        self.transport = self.client.transport()
        await self.client.emit("session_request", {"session_id": self.session})
        await asyncio.wait_for(confirmed.wait(), 60)

    async def say(self, message: str, expect: int) -> None:
        """Send a message and wait until ``expect`` answers in all have arrived."""
        await self.client.emit(
            "user_uttered", {"message": message, "session_id": self.session, "metadata": {"language": "en"}}
        )
        for _ in range(ANSWER_SECONDS * 10):
            if len(self.answers) >= expect:
                return
            await asyncio.sleep(0.1)

    async def close(self) -> None:
        await self.client.disconnect()
        await self.http.close()


def test_socketio_through_nginx_stays_a_websocket_on_both_servers(behind_nginx):
    base, rasa_ports = behind_nginx
    aiohttp_for_engineio()
    people = [Person(f"127.0.0.{i + 2}") for i in range(CLIENTS)]

    async def main() -> dict[int, int]:
        await asyncio.gather(*(p.connect(base) for p in people))
        spread = {port: established_to(port) for port in rasa_ports}
        await asyncio.gather(*(p.say("hello", 2) for p in people))  # welcome, consent question
        await asyncio.gather(*(p.say("yes", 4) for p in people))  # thanks, the first question
        await asyncio.gather(*(p.close() for p in people))
        return spread

    spread = asyncio.run(main())
    assert [p.transport for p in people] == ["websocket"] * CLIENTS, "the Upgrade did not pass through nginx"
    assert all(n > 0 for n in spread.values()), f"one Rasa server got no connection: {spread}"
    _ = translator("en")
    for person in people:
        said = [a.get("text") for a in person.answers]
        assert said[0] == texts.welcome(_)[0].text, said
        assert len(said) == 4 and said[2] == _("Thank you. You can stop at any time."), said

"""The real servers for the end-to-end tests, started once per test module."""

from __future__ import annotations

import json
import os
import urllib.request

import pytest

from bot import serve, storage
from bot.pseudonym import pseudonym

TOKEN = "e2e-token"


def own_database(folder) -> dict[str, str]:
    """The environment with a new SQLite database in ``folder``: a test run never continues
    the conversations of an earlier run (same sender ids) nor fills the checkout's var/."""
    return {**os.environ, storage.DB_URL_VARIABLE: f"sqlite:///{folder}/kotobotti.db"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    ports = serve.Ports(rasa=serve.free_port(), actions=serve.free_port())
    env = {**own_database(tmp_path_factory.mktemp("db")), serve.TOKEN_VARIABLE: TOKEN}
    with serve.running(ports=ports, env=env) as servers:
        yield servers.base


def tracker(base: str, sender: str, channel: str = "rest") -> dict:
    """The whole tracker of one conversation, through the token-protected HTTP API.

    ``sender`` is what the client named (the REST sender, the socket.io session id); Rasa
    knows the conversation by its pseudonym, which the test computes as the channel does
    (same key: the servers run with this process's environment and checkout)."""
    key = pseudonym(channel, sender)
    with urllib.request.urlopen(f"{base}/conversations/{key}/tracker?token={TOKEN}", timeout=30) as r:
        return json.loads(r.read())

"""The real servers for the end-to-end tests, started once per test module."""

from __future__ import annotations

import json
import os
import urllib.request

import pytest

from bot import serve

TOKEN = "e2e-token"


@pytest.fixture(scope="module")
def server():
    ports = serve.Ports(rasa=serve.free_port(), actions=serve.free_port())
    env = {**os.environ, serve.TOKEN_VARIABLE: TOKEN}
    with serve.running(ports=ports, env=env) as servers:
        yield servers.base


def tracker(base: str, sender: str) -> dict:
    """The whole tracker of one conversation, through the token-protected HTTP API."""
    with urllib.request.urlopen(f"{base}/conversations/{sender}/tracker?token={TOKEN}", timeout=30) as r:
        return json.loads(r.read())

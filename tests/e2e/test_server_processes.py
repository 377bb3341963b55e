"""End to end: what the server processes load (bot/serve.py's command lines).

The Rasa server runs through ``bot.rasa_cli`` and the action server is rasa_sdk's own:
a whole conversation to the recommendations must work without either process ever
loading TensorFlow (no component of Kotobotti's model uses it; loading it cost most of
the cold start and of the memory: bench/results.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import serve
from tests.e2e.conftest import own_database
from tests.e2e.test_rest_conversations import CONVERSATIONS

pytestmark = pytest.mark.slow


def mapped_libraries(pid: int) -> str:
    return Path(f"/proc/{pid}/maps").read_text()


def test_a_conversation_needs_no_tensorflow_in_either_server(tmp_path):
    ports = serve.Ports(rasa=serve.free_port(), actions=serve.free_port())
    with serve.running(ports=ports, env=own_database(tmp_path)) as up:
        messages, _slots, _expected = CONVERSATIONS["en"]
        replies = [serve.send(up.base, "processes", m, {"language": "en"}) for m in messages]
        assert any("custom" in m for m in replies[-1]), replies[-1]
        actions, rasa = up.pids
        assert "tensorflow" not in mapped_libraries(rasa)
        assert "tensorflow" not in mapped_libraries(actions)

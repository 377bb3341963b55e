"""The server command lines: the HTTP API only with KOTOBOTTI_API_TOKEN (contract §1)."""

from __future__ import annotations

from pathlib import Path

from bot import serve


def test_api_is_off_without_a_token():
    actions, server = serve.commands(Path("m.tar.gz"), serve.Ports(), Path("e.yml"), token=None)
    assert "--enable-api" not in server and "--auth-token" not in server
    assert server[server.index("--port") + 1] == "5005"
    assert actions[actions.index("--port") + 1] == "5055"


def test_api_is_on_only_with_the_token():
    _, server = serve.commands(Path("m.tar.gz"), serve.Ports(), Path("e.yml"), token="s3cret")
    assert server[server.index("--enable-api") + 1 : server.index("--enable-api") + 3] == [
        "--auth-token",
        "s3cret",
    ]


def test_other_ports_get_their_own_endpoints(tmp_path):
    assert serve.endpoints_for(serve.Ports(), tmp_path) == serve.ROOT / "endpoints.yml"
    moved = serve.endpoints_for(serve.Ports(rasa=1, actions=6055), tmp_path)
    assert "127.0.0.1:6055/webhook" in moved.read_text()

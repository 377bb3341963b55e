"""``kotobotti serve``: the whole assistant on embedded defaults (contract §1).

Starts the action server (5055), the Rasa server (5005, REST and socket.io) and the web
chat page with the widget (8080, ``bot/widget_server.py``), and deletes the conversations
past the retention period at start and daily (:func:`purge_daily`). The
Rasa HTTP API (/conversations, /status, /model/parse) is enabled only when
``KOTOBOTTI_API_TOKEN`` is set, and then only with that token: without it a
conversation can be read by no one but its channel.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.i18n import LOCALES_DIR

ROOT = LOCALES_DIR.parent
DEFAULT_MODEL = ROOT / "models" / "kotobotti.tar.gz"
TOKEN_VARIABLE = "KOTOBOTTI_API_TOKEN"


@dataclass(frozen=True)
class Ports:
    rasa: int = 5005
    actions: int = 5055


WIDGET_PORT = 8080


def free_port() -> int:
    """A port nobody listens on now (for tests that must not collide with `make run`)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rasa_bin() -> str:
    return str(Path(sys.executable).parent / "rasa")


def python_bin() -> str:
    """The venv's Python (the servers run as ``python -m ...`` of it)."""
    return str(Path(sys.executable).parent / "python")


def actions_command(port: int) -> list[str]:
    """The action server's command line: rasa_sdk's own server, which ``rasa run actions``
    only wraps. Started directly it needs none of Rasa's imports: half the memory and
    half the start-up time of ``rasa run actions`` (bench/results.md)."""
    return [python_bin(), "-m", "rasa_sdk", "--port", str(port), "--actions", "actions.actions"]


def rasa_command(model: Path, port: int, endpoints: Path, token: str | None) -> list[str]:
    """One Rasa server's command line (REST and socket.io; the HTTP API only with a token).

    ``rasa run`` through ``bot.rasa_cli``: the same command, without importing TensorFlow,
    which no component of Kotobotti's model uses."""
    server = [
        *rasa_cli_command(),
        "run",
        "--model",
        str(model),
        "--port",
        str(port),
        "--credentials",
        str(ROOT / "credentials.yml"),
        "--endpoints",
        str(endpoints),
        "--cors",
        "*",
    ]
    if token:
        server += ["--enable-api", "--auth-token", token]
    return server


def rasa_cli_command() -> list[str]:
    """``rasa`` as Kotobotti runs it (``bot/rasa_cli.py``: TensorFlow only when used)."""
    return [python_bin(), "-m", "bot.rasa_cli"]


def commands(model: Path, ports: Ports, endpoints: Path, token: str | None) -> list[list[str]]:
    """The two command lines: the action server, then the Rasa server."""
    return [actions_command(ports.actions), rasa_command(model, ports.rasa, endpoints, token)]


def endpoints_for(ports: Ports, folder: Path) -> Path:
    """endpoints.yml as it is for the default ports; a copy pointing at others otherwise."""
    default = ROOT / "endpoints.yml"
    if ports.actions == Ports().actions:
        return default
    path = folder / "endpoints.yml"
    text = default.read_text("utf-8").replace("127.0.0.1:5055", f"127.0.0.1:{ports.actions}")
    path.write_text(text, "utf-8")
    return path


def send(
    base: str, sender: str, message: str, metadata: dict | None = None, timeout: float = 60
) -> list[dict]:
    """One message over the REST channel (contract §1); the bot's replies."""
    import json

    body = json.dumps({"sender": sender, "message": message, "metadata": metadata or {}}).encode()
    request = urllib.request.Request(
        f"{base}/webhooks/rest/webhook", body, {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


def wait_for(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2):
            return
        time.sleep(0.25)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


@dataclass(frozen=True)
class Running:
    """Servers that answer: their ports, and their process ids (for measuring memory)."""

    ports: Ports
    pids: tuple[int, int]  # action server, Rasa server

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.ports.rasa}"


@dataclass(frozen=True)
class Cluster:
    """Several Rasa servers sharing one action server (scale-out, contract §6)."""

    actions: int
    rasa: tuple[int, ...]

    @property
    def bases(self) -> tuple[str, ...]:
        return tuple(f"http://127.0.0.1:{port}" for port in self.rasa)


@contextlib.contextmanager
def cluster(
    rasa_ports: tuple[int, ...],
    actions_port: int,
    model: Path = DEFAULT_MODEL,
    env: Mapping[str, str] | None = None,
    log: Path | None = None,
    timeout: float = 300,
) -> Iterator[tuple[Cluster, list[subprocess.Popen]]]:
    """One action server and a Rasa server on each of ``rasa_ports``, all answering, until
    the block ends; with the processes (action server first). The Rasa servers share what
    the environment names: the database and, with more than one, Redis for the locks."""
    if not model.exists():
        raise FileNotFoundError(f"{model} is missing: run `make train`")
    env = dict(os.environ if env is None else env)
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    # Sanic closes an idle keep-alive connection after 5 s, Rasa's client reuses one for 15 s:
    # under load a Rasa server then writes to a connection the action server is closing
    # ("Cannot write to closing transport") and the action fails. The server keeps them longer.
    env.setdefault("SANIC_KEEP_ALIVE_TIMEOUT", "75")
    # Without the HTTP API, Rasa leaves Sanic's 60 s response timeout (its --response-timeout,
    # an hour, is applied only with the API): under load a message that waits longer gets a
    # bare 503 with no text. Rasa's own hour instead; every message gets its answer.
    env.setdefault("SANIC_RESPONSE_TIMEOUT", "3600")
    with tempfile.TemporaryDirectory() as tmp:
        endpoints = endpoints_for(Ports(rasa=rasa_ports[0], actions=actions_port), Path(tmp))
        token = env.get(TOKEN_VARIABLE)
        servers = (rasa_command(model, port, endpoints, token) for port in rasa_ports)
        cmds = [actions_command(actions_port), *servers]
        out = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
        procs = [subprocess.Popen(c, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT) for c in cmds]
        try:
            wait_for(f"http://127.0.0.1:{actions_port}/health", timeout)
            for port in rasa_ports:
                wait_for(f"http://127.0.0.1:{port}/", timeout)
            yield Cluster(actions_port, tuple(rasa_ports)), procs
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
            if log:
                out.close()  # type: ignore[union-attr]


@contextlib.contextmanager
def running(
    model: Path = DEFAULT_MODEL,
    ports: Ports = Ports(),  # noqa: B008 - frozen dataclass, safe as a default
    env: Mapping[str, str] | None = None,
    log: Path | None = None,
    timeout: float = 300,
) -> Iterator[Running]:
    """Both servers, up and answering, until the block ends."""
    with cluster((ports.rasa,), ports.actions, model, env, log, timeout) as (_, procs):
        yield Running(ports, (procs[0].pid, procs[1].pid))


def purge_daily(stop: threading.Event) -> None:
    """The retention job of ``make run`` (contract §6): ``kotobotti purge`` now, then daily.

    A failure (the database unreachable for a moment) is reported and tried again the
    next day; it never stops the assistant.
    """
    from bot import storage

    while True:
        try:
            purged = storage.purge_configured()
            print(
                f"Retention: deleted {purged.conversations} conversation(s) and {purged.unanswered} "
                f"message(s) not understood older than {purged.days} days.",
                flush=True,
            )
        except Exception as exc:  # noqa: BLE001 - reported, retried tomorrow
            print(f"Retention: purge failed ({type(exc).__name__}); trying again tomorrow.", flush=True)
        if stop.wait(storage.SECONDS_PER_DAY):
            return


def main() -> int:
    from bot import widget_server

    token = os.environ.get(TOKEN_VARIABLE)
    started = time.monotonic()
    # The page first: a taken port 8080 or an unbuilt widget fails before Rasa's long start.
    with widget_server.serving(WIDGET_PORT, widget_server.Site(Ports().rasa)), running() as servers:
        ports = servers.ports
        api = f"on, with ?token=${TOKEN_VARIABLE}" if token else f"off (set {TOKEN_VARIABLE} to turn it on)"
        print(
            f"""
Kotobotti is running (ready in {time.monotonic() - started:.0f} s).
  Chat over REST:  curl -s localhost:{ports.rasa}/webhooks/rest/webhook \\
                     -d '{{"sender":"me","message":"hello","metadata":{{"language":"en"}}}}'
  Socket.io:       http://localhost:{ports.rasa}/socket.io
  Web chat:        http://localhost:{WIDGET_PORT}/  (?lang=ar for Arabic; the widget: /widget.js)
  Action server:   http://localhost:{ports.actions}/health
  In a terminal:   make shell
  HTTP API:        {api}
Press Ctrl-C to stop.""",
            flush=True,
        )
        stop = threading.Event()
        threading.Thread(target=purge_daily, args=(stop,), name="purge", daemon=True).start()
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        with contextlib.suppress(KeyboardInterrupt):
            signal.pause()
        stop.set()
    return 0

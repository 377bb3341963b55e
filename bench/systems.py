"""The two systems measured: how each is trained and started, and what it is asked.

Kotobotti runs as ``make run`` runs it (action server and Rasa server, SQL tracker store
on a SQLite file, sentence model on, all 13 languages), in a temporary folder so the
checkout's model, database and caches are neither used nor touched. Stock Rasa runs as
``rasa init`` left it: one Rasa server (its endpoints name no action server), the
in-memory tracker store.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from bench import conversations, peer
from bench.load import Script
from bot import serve, storage

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class System:
    name: str
    cwd: Path
    env: dict[str, str]
    train_commands: list[list[str]]
    model: Path
    first: tuple[str, str]  # the first message and its language (cold start)
    scripts: Sequence[Script]
    # process name -> command line, given the Rasa server's port and the action server's
    servers: dict[str, list[str]] = field(default_factory=dict)
    port: int = 0


def _clean_env() -> dict[str, str]:
    drop = {serve.TOKEN_VARIABLE, "KOTOBOTTI_REDIS_URL", storage.DB_URL_VARIABLE, "KOTOBOTTI_CACHE_DIR"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["RASA_TELEMETRY_ENABLED"] = "false"
    return env


def kotobotti(work: Path) -> System:
    """Kotobotti as ``make run`` starts it, with everything it writes under ``work``."""
    work.mkdir(parents=True, exist_ok=True)
    env = {
        **_clean_env(),
        # The sentence-model classifiers are trained as part of training (as `make train` does).
        "KOTOBOTTI_CACHE_DIR": str(work / "cache"),
        storage.DB_URL_VARIABLE: f"sqlite:///{work / 'kotobotti.db'}",
        "KOTOBOTTI_ID_SECRET": "bench-only-secret",
        "SANIC_KEEP_ALIVE_TIMEOUT": "75",
    }
    models = work / "models"
    system = System(
        name="Kotobotti",
        cwd=ROOT,
        env=env,
        train_commands=[
            [serve.python_bin(), "-c", "from bot import semantic; semantic.warm()"],
            [*serve.rasa_cli_command(), "train", "--force", "--quiet", "--out", str(models)]
            + ["--fixed-model-name", "bench"],
        ],
        model=models / "bench.tar.gz",
        first=("hello", "en"),
        scripts=conversations.KOTOBOTTI,
    )
    ports = serve.Ports(rasa=serve.free_port(), actions=serve.free_port())
    endpoints = serve.endpoints_for(ports, work)
    system.port = ports.rasa
    system.servers = {
        "action server": serve.actions_command(ports.actions),
        "Rasa server": serve.rasa_command(system.model, ports.rasa, endpoints, None),
    }
    return system


def stock(work: Path, the_peer: peer.Peer) -> System:
    """``rasa init``'s assistant in the peer's venv, its model trained under ``work``."""
    work.mkdir(parents=True, exist_ok=True)
    models = work / "models"
    system = System(
        name="stock Rasa",
        cwd=the_peer.project,
        env=_clean_env(),
        train_commands=[
            [
                the_peer.rasa,
                "train",
                "--force",
                "--quiet",
                "--out",
                str(models),
                "--fixed-model-name",
                "stock",
            ]
        ],
        model=models / "stock.tar.gz",
        first=("hello", "en"),
        scripts=conversations.STOCK,
    )
    system.port = serve.free_port()
    system.servers = {
        "Rasa server": [the_peer.rasa, "run", "--model", str(system.model), "--port", str(system.port)],
    }
    return system


def train(system: System, log: Path) -> float:
    """Wall seconds of the system's whole training."""
    started = time.perf_counter()
    with log.open("a") as out:
        for command in system.train_commands:
            subprocess.run(
                command, cwd=system.cwd, env=system.env, stdout=out, stderr=subprocess.STDOUT, check=True
            )
    return time.perf_counter() - started


class Running:
    """A system's servers, each in a process group of its own (stopped with all children)."""

    def __init__(self, system: System, log: Path) -> None:
        self.system = system
        self._log = log.open("a")
        self.procs = {
            name: subprocess.Popen(
                command,
                cwd=system.cwd,
                env=system.env,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            for name, command in system.servers.items()
        }

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.system.port}"

    def pids(self) -> dict[str, int]:
        return {name: proc.pid for name, proc in self.procs.items()}

    def stop(self) -> None:
        for proc in self.procs.values():
            with suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self._log.close()

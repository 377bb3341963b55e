"""A PostgreSQL and a Redis of a test's own, to stop and start under the running servers.

The shared PostgreSQL (5432) and Redis (6379) serve every session on this machine and
must never be restarted: a fault test starts real instances of its own, on spare ports
in a temporary folder, from the distribution's packages (``/usr/lib/postgresql/15``,
``redis-server``), and removes them afterwards.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bot.serve import free_port

PG_BIN = Path("/usr/lib/postgresql/15/bin")
POSTGRES_USER = "postgres"  # initdb refuses to run as root: the cluster belongs to this user


def _as_postgres(command: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", POSTGRES_USER, "--", *command]
    return command


def _wait_until(ready, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.1)
    raise TimeoutError(f"{what} did not come up within {timeout:.0f} s")


@dataclass
class PrivatePostgres:
    """One PostgreSQL cluster in a temporary folder, trust authentication, on ``port``."""

    folder: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def _ctl(self, *args: str) -> None:
        subprocess.run(
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-w", "-t", "60", *args]),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._ctl("-o", options, "-l", str(self.folder / "server.log"), "start")

    def stop(self) -> None:
        """A fast shutdown: open connections are cut, as when the database is restarted."""
        self._ctl("-m", "fast", "stop")

    def ready(self) -> bool:
        done = subprocess.run(
            [str(PG_BIN / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            check=False,
        )
        return done.returncode == 0


@contextlib.contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """A running PostgreSQL of its own until the block ends."""
    folder = Path(tempfile.mkdtemp(prefix="kotobotti-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, POSTGRES_USER, POSTGRES_USER)
    server = PrivatePostgres(folder, free_port())
    subprocess.run(
        _as_postgres(
            [str(PG_BIN / "initdb"), "-D", str(server.data), "-U", "postgres", "--auth=trust", "--no-sync"]
        ),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    server.start()
    try:
        _wait_until(server.ready, 60, "PostgreSQL")
        yield server
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            server._ctl("-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class PrivateRedis:
    """One redis-server without persistence on ``port`` (what it held is gone when stopped)."""

    port: int
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        _wait_until(self.ready, 30, "Redis")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
            self.process = None

    def ready(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_timeout=1).ping())
        except redis.exceptions.RedisError:
            return False


@contextlib.contextmanager
def private_redis() -> Iterator[PrivateRedis]:
    """A running Redis of its own until the block ends."""
    server = PrivateRedis(free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()

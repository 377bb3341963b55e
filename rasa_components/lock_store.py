"""Rasa's lock store, Redis when ``KOTOBOTTI_REDIS_URL`` is set (contract §6).

Named in endpoints.yml as ``rasa_components.lock_store.KotobottiLockStore``. Rasa takes a
lock per conversation while it answers a message, so two messages of one person are
answered one after the other, each on the tracker the other left. Rasa's default lock
store lives in one server's memory: with several Rasa servers behind nginx, two messages
of the same person reaching two servers at the same moment would both load the same
tracker and write conflicting events. The locks must then be in Redis, shared by every
server. Like the tracker store, this class reads the variable itself (endpoints.yml's
``${VAR}`` has no default for an unset variable), so one endpoints.yml serves a single
server (in memory) and a scaled-out deployment (Redis).

The Redis keys are prefixed per deployment, by a hash of the database URL: deployments
(or parallel test runs, each on a schema of its own) that share one Redis never share
locks, while every server of one deployment (one database) does.

Rasa's own ``RedisLockStore`` changes a lock by reading it, changing it in the server and
writing it back, with nothing between: two servers issuing a ticket for one person at the
same moment both read "no lock", both take ticket 0 and both answer at once on the same
tracker (a message's events are then lost; the scale-out test shows it). Here every
change of a conversation's lock happens under a short Redis mutex of its own
(redis-py's ``Lock``: SET NX with a timeout), so the tickets are issued one at a time.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote, urlsplit

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockStore, RedisLockStore
from redis.exceptions import RedisError

from bot import storage

logger = logging.getLogger(__name__)

REDIS_URL_VARIABLE = "KOTOBOTTI_REDIS_URL"
SANIC_WORKERS_VARIABLE = "SANIC_WORKERS"  # Rasa's own setting for its server processes
DEFAULT_REDIS_PORT = 6379
DEFAULT_REDIS_DB = 0
GUARD_SECONDS = 10  # a change of a lock takes milliseconds; a crashed server's guard expires


def redis_settings(url: str) -> dict[str, Any]:
    """``redis://[user:password@]host[:port][/db]`` (or ``rediss://`` for TLS) as the
    arguments of Rasa's ``RedisLockStore``; a clear error for anything else."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        # The message never repeats the URL: it may hold a password.
        raise ValueError(f"{REDIS_URL_VARIABLE}: not a redis://host[:port][/db] URL")
    path = parts.path.strip("/")
    try:
        port = parts.port or DEFAULT_REDIS_PORT
        db = int(path) if path else DEFAULT_REDIS_DB
    except ValueError:
        raise ValueError(f"{REDIS_URL_VARIABLE}: the port and the database must be numbers") from None
    return {
        "host": parts.hostname,
        "port": port,
        "db": db,
        "username": unquote(parts.username) if parts.username else None,
        "password": unquote(parts.password) if parts.password else None,
        "use_ssl": parts.scheme == "rediss",
    }


def key_prefix(db_url: str) -> str:
    """The deployment's Redis key prefix: alphanumeric (Rasa ignores any other), from its database."""
    return "kotobotti" + hashlib.sha256(db_url.encode("utf-8")).hexdigest()[:16]


def _server_processes(env: Mapping[str, str]) -> int:
    """How many processes Rasa's server runs (Sanic workers; Rasa's default is one)."""
    try:
        return int(env.get(SANIC_WORKERS_VARIABLE) or 1)
    except ValueError:
        return 1  # Rasa itself then runs one (rasa.core.run._get_number_of_sanic_workers)


def configured(env: Mapping[str, str] | None = None) -> LockStore:
    """Redis at ``KOTOBOTTI_REDIS_URL`` when it is set, otherwise one server's memory.

    Rasa runs several server processes (``SANIC_WORKERS``) with any lock store that is
    not its own in-memory one, this class included; locks in one process's memory would
    then let two processes answer one person at once. That stops the server at start."""
    env = os.environ if env is None else env
    url = (env.get(REDIS_URL_VARIABLE) or "").strip()
    if not url:
        if _server_processes(env) > 1:
            raise RuntimeError(
                f"{SANIC_WORKERS_VARIABLE}={env[SANIC_WORKERS_VARIABLE]} runs several Rasa server "
                f"processes: set {REDIS_URL_VARIABLE} so that they share the conversation locks"
            )
        return InMemoryLockStore()
    store = RedisLockStore(**redis_settings(url), key_prefix=key_prefix(storage.db_url(env)))
    store.red.ping()  # an unreachable Redis stops the server at start, not at the first message
    return store


class KotobottiLockStore(LockStore):
    """Rasa's lock store chosen by the environment; Rasa builds it from endpoints.yml."""

    def __init__(self, endpoint_config: Any = None) -> None:
        self.store = configured()
        super().__init__()

    def _guard(self, conversation_id: str) -> contextlib.AbstractContextManager:
        """One change of this conversation's lock at a time, across every server."""
        if isinstance(self.store, RedisLockStore):
            name = f"{self.store.key_prefix}guard:{conversation_id}"
            return self.store.red.lock(name, timeout=GUARD_SECONDS, blocking_timeout=GUARD_SECONDS)
        return contextlib.nullcontext()  # one server's memory: its event loop already serialises

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        with self._guard(conversation_id):
            return super().issue_ticket(conversation_id, lock_lifetime)

    def update_lock(self, conversation_id: str) -> None:
        with self._guard(conversation_id):
            super().update_lock(conversation_id)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Give back a served ticket. Runs after the answer is stored: Redis gone by then
        must not turn an answered message into an error (the person would send it again
        and it would be answered twice); the ticket then expires with its lifetime."""
        try:
            # finish_serving is called only from here: guarding it too would wait for itself.
            with self._guard(conversation_id):
                super().cleanup(conversation_id, ticket_number)
        except RedisError as error:
            logger.error("ALERT: Redis unreachable (%s); a ticket is left to expire", type(error).__name__)

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        return self.store.get_lock(conversation_id)

    def delete_lock(self, conversation_id: str) -> None:
        self.store.delete_lock(conversation_id)

    def save_lock(self, lock: TicketLock) -> None:
        self.store.save_lock(lock)

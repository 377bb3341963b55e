"""The lock store chosen by the environment, on the real Redis (127.0.0.1:6379), never a mock."""

from __future__ import annotations

import uuid

import pytest
import redis
from rasa.core.lock_store import InMemoryLockStore, RedisLockStore

from rasa_components import lock_store
from rasa_components.lock_store import REDIS_URL_VARIABLE, KotobottiLockStore

REDIS = "redis://127.0.0.1:6379/0"


def test_redis_urls_become_the_lock_stores_settings():
    assert lock_store.redis_settings("redis://127.0.0.1:6379/2") == {
        "host": "127.0.0.1",
        "port": 6379,
        "db": 2,
        "username": None,
        "password": None,
        "use_ssl": False,
    }
    tls = lock_store.redis_settings("rediss://user:p%40ss@redis.example:6380")
    assert (tls["port"], tls["db"], tls["username"], tls["password"], tls["use_ssl"]) == (
        6380,
        0,
        "user",
        "p@ss",
        True,
    )


@pytest.mark.parametrize("url", ["localhost:6379", "http://127.0.0.1:6379", "redis:///0", "redis://h:6379/x"])
def test_a_malformed_url_is_refused_without_repeating_it(url):
    with pytest.raises(ValueError, match=REDIS_URL_VARIABLE) as error:
        lock_store.redis_settings(url)
    assert url not in str(error.value)


def test_each_database_has_its_own_alphanumeric_key_prefix():
    first = lock_store.key_prefix("postgresql://db/one")
    assert first.isalnum() and first == lock_store.key_prefix("postgresql://db/one")
    assert first != lock_store.key_prefix("postgresql://db/two")


def test_without_redis_the_locks_are_in_memory(monkeypatch):
    monkeypatch.delenv(REDIS_URL_VARIABLE, raising=False)
    assert isinstance(KotobottiLockStore().store, InMemoryLockStore)


def test_several_server_processes_without_redis_stop_the_server_at_start(monkeypatch):
    monkeypatch.delenv(REDIS_URL_VARIABLE, raising=False)
    monkeypatch.setenv("SANIC_WORKERS", "2")
    with pytest.raises(RuntimeError, match=REDIS_URL_VARIABLE):
        KotobottiLockStore()
    monkeypatch.setenv("SANIC_WORKERS", "1")
    assert isinstance(KotobottiLockStore().store, InMemoryLockStore)


def test_with_redis_the_locks_are_shared_through_redis(monkeypatch, tmp_path):
    db = f"sqlite:///{tmp_path}/kotobotti.db"
    monkeypatch.setenv(REDIS_URL_VARIABLE, REDIS)
    monkeypatch.setenv("KOTOBOTTI_DB_URL", db)
    one, other = KotobottiLockStore(), KotobottiLockStore()  # two Rasa servers
    assert isinstance(one.store, RedisLockStore)
    conversation = f"lock-{uuid.uuid4().hex}"
    ticket = one.issue_ticket(conversation)
    try:
        assert other.get_lock(conversation).last_issued == ticket  # the other server sees the ticket
        assert other.issue_ticket(conversation) == ticket + 1
        key = f"{lock_store.key_prefix(db)}:lock:{conversation}"
        assert redis.Redis.from_url(REDIS).exists(key)
    finally:
        one.delete_lock(conversation)
    assert other.get_lock(conversation) is None


def test_an_unreachable_redis_stops_the_server_at_start(monkeypatch, tmp_path):
    from bot.serve import free_port

    monkeypatch.setenv(REDIS_URL_VARIABLE, f"redis://127.0.0.1:{free_port()}/0")
    monkeypatch.setenv("KOTOBOTTI_DB_URL", f"sqlite:///{tmp_path}/kotobotti.db")
    with pytest.raises(redis.exceptions.ConnectionError):
        KotobottiLockStore()


def test_servers_taking_tickets_at_the_same_moment_get_different_ones(monkeypatch, tmp_path):
    """Rasa's own Redis store read-modify-writes the lock: two servers could both get ticket 0."""
    import threading

    monkeypatch.setenv(REDIS_URL_VARIABLE, REDIS)
    monkeypatch.setenv("KOTOBOTTI_DB_URL", f"sqlite:///{tmp_path}/kotobotti.db")
    servers = [KotobottiLockStore() for _ in range(8)]
    conversation = f"lock-{uuid.uuid4().hex}"
    start = threading.Barrier(len(servers), timeout=30)
    tickets: list[int] = []

    def take(store: KotobottiLockStore) -> None:
        start.wait()
        tickets.append(store.issue_ticket(conversation))

    threads = [threading.Thread(target=take, args=(store,)) for store in servers]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(tickets) == list(range(len(servers)))
    finally:
        servers[0].delete_lock(conversation)

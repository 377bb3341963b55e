"""The tracker store on the real SQLite and the real PostgreSQL (127.0.0.1:5432, database ``test``).

Each PostgreSQL test works in a schema of its own (named in the URL's search_path, the
only setting the store has) and drops it after, so parallel runs do not collide.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import time
import uuid

import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot import cli, serve, storage
from bot.serve import ROOT
from rasa_components.tracker_store import KotobottiTrackerStore
from tests.conftest import POSTGRES

DAY = storage.SECONDS_PER_DAY


def conversation(sender: str, marker: str, start: float) -> DialogueStateTracker:
    """A conversation in which the person typed ``marker`` (in the text, an entity and metadata)."""
    events = [
        ActionExecuted("action_session_start", timestamp=start),
        SessionStarted(timestamp=start + 1),
        ActionExecuted("action_listen", timestamp=start + 2),
        UserUttered(
            f"I live in {marker}",
            parse_data={
                "intent": {"name": "inform", "confidence": 0.9},
                "entities": [
                    {"entity": "municipality", "value": f"{marker}ssa", "start": 10, "end": 20},
                    {"entity": "permit_type", "value": "quota_refugee"},
                ],
                "text": f"I live in {marker}",
                "intent_ranking": [{"name": "inform", "confidence": 0.9}],
            },
            metadata={"language": "fi", "note": marker},
            timestamp=start + 3,
            message_id=f"id-{marker}",
        ),
        SlotSet("permit_type", "quota_refugee", timestamp=start + 4),
        BotUttered("Kiitos!", timestamp=start + 5),
        ActionExecuted("action_listen", timestamp=start + 6),
    ]
    return DialogueStateTracker.from_events(sender, events)


def store(url: str, domain: Domain) -> KotobottiTrackerStore:
    return KotobottiTrackerStore(domain=domain, url=url)


def every_value(url: str) -> list[str]:
    """Every column of every row of every table, as text."""
    engine = sa.create_engine(url)
    values = []
    with engine.connect() as connection:
        for table in sa.inspect(engine).get_table_names():
            for row in connection.execute(sa.text(f'SELECT * FROM "{table}"')):
                values += [str(v) for v in row]
    engine.dispose()
    return values


def test_store_restores_a_conversation_without_the_typed_text(db_url, domain):
    marker = f"Zq{uuid.uuid4().hex[:10]}"
    saved = store(db_url, domain)
    asyncio.run(saved.save(conversation("person-1", marker, time.time())))
    # A second store (a restarted server) finds the conversation and its slots.
    restored = asyncio.run(store(db_url, domain).retrieve("person-1"))
    assert restored is not None
    assert restored.get_slot("permit_type") == "quota_refugee"
    user = [e for e in restored.events if isinstance(e, UserUttered)]
    assert [u.intent_name for u in user] == ["inform"]
    assert user[0].metadata == {"language": "fi"}
    # The entity value a slot took is kept; the one only typed is not.
    assert [e.get("value") for e in user[0].entities] == [None, "quota_refugee"]
    values = every_value(db_url)
    assert any("inform" in v for v in values), "the rows were scanned"
    assert not [v for v in values if marker in v]


def test_a_continued_conversation_adds_only_its_new_events(db_url, domain):
    saved = store(db_url, domain)
    tracker = conversation("person-2", "Espoo", time.time() - 100)
    asyncio.run(saved.save(tracker))
    restored = asyncio.run(saved.retrieve("person-2"))
    restored.update(UserUttered("yes", parse_data={"intent": {"name": "affirm", "confidence": 1.0}}))
    asyncio.run(saved.save(restored))
    again = asyncio.run(saved.retrieve("person-2"))
    assert [e.intent_name for e in again.events if isinstance(e, UserUttered)] == ["inform", "affirm"]
    everything = asyncio.run(saved.retrieve_full_tracker("person-2"))
    assert len(everything.events) == len(tracker.events) + 1, "no event stored twice"


def test_a_restart_deletes_the_conversation_from_the_database(db_url, domain):
    """/forget and the widget's delete button send /restart: nothing of before may stay."""
    saved = store(db_url, domain)
    asyncio.run(saved.save(conversation("forgetful", "Espoo", time.time() - 100)))
    asyncio.run(saved.save(conversation("someone-else", "Vantaa", time.time() - 100)))
    tracker = asyncio.run(saved.retrieve("forgetful"))
    tracker.update(UserUttered("/restart", parse_data={"intent": {"name": "restart"}}))
    tracker.update(ActionExecuted("action_restart"))
    tracker.update(Restarted())
    asyncio.run(saved.save(tracker))
    assert asyncio.run(saved.retrieve_full_tracker("forgetful")) is None
    asyncio.run(saved.save(tracker))  # saved again in the same turn: the old events stay gone
    assert asyncio.run(saved.retrieve_full_tracker("forgetful")) is None
    assert asyncio.run(saved.retrieve("someone-else")) is not None
    # The conversation starts again, stored from its new start only.
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(UserUttered("hello", parse_data={"intent": {"name": "greet"}}))
    asyncio.run(saved.save(tracker))
    asyncio.run(saved.save(tracker))
    again = asyncio.run(saved.retrieve_full_tracker("forgetful"))
    assert [type(e).__name__ for e in again.events] == ["ActionExecuted", "UserUttered"]
    assert again.get_slot("permit_type") is None
    # One audit row for the one deletion, however often the tracker was saved: no id.
    engine = sa.create_engine(db_url)
    with engine.connect() as connection:
        audit = connection.execute(sa.text("SELECT * FROM kotobotti_deletions")).mappings().all()
    engine.dispose()
    assert [(row["channel"], row["count"]) for row in audit] == [("unknown", 1)]
    assert set(audit[0]) == {"id", "day", "channel", "count"}


def test_a_restart_of_a_conversation_never_stored_is_no_deletion(db_url, domain):
    saved = store(db_url, domain)
    tracker = DialogueStateTracker.from_events("new-person", [])
    tracker.update(UserUttered("/restart", parse_data={"intent": {"name": "restart"}}, input_channel="rest"))
    tracker.update(ActionExecuted("action_restart"))
    tracker.update(Restarted())
    asyncio.run(saved.save(tracker))
    engine = sa.create_engine(db_url)
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM kotobotti_deletions")).scalar_one() == 0
    engine.dispose()


def test_the_queries_have_their_indexes(db_url, domain):
    engine = store(db_url, domain).engine
    indexes = {i["name"]: tuple(i["column_names"]) for i in sa.inspect(engine).get_indexes("events")}
    assert ("sender_id",) in indexes.values()
    for name, columns in storage.INDEXES.items():
        assert indexes[name] == columns
    # A second server starting on the same database finds them there and does not fail.
    store(db_url, domain)


def test_purge_deletes_old_conversations_and_keeps_recent_ones(db_url, domain):
    saved = store(db_url, domain)
    now = time.time()
    asyncio.run(saved.save(conversation("old", "a", now - 40 * DAY)))
    asyncio.run(saved.save(conversation("recent", "b", now - 2 * DAY)))
    # Started long ago, but its last message is recent: kept whole.
    long = conversation("long", "c", now - 60 * DAY)
    long.update(UserUttered("yes", parse_data={"intent": {"name": "affirm"}}, timestamp=now - DAY))
    asyncio.run(saved.save(long))
    engine = storage.create_engine(db_url)
    assert storage.purge(engine, 30, now=now) == 1
    assert asyncio.run(saved.retrieve("old")) is None
    assert asyncio.run(saved.retrieve("recent")) is not None
    assert len(asyncio.run(saved.retrieve_full_tracker("long")).events) == len(long.events)
    assert storage.purge(engine, 30, now=now) == 0
    engine.dispose()


def test_purge_command_prints_the_count_and_no_ids(db_url, domain, monkeypatch, capsys):
    saved = store(db_url, domain)
    now = time.time()
    asyncio.run(saved.save(conversation("secret-sender-1", "a", now - 10 * DAY)))
    asyncio.run(saved.save(conversation("secret-sender-2", "b", now - 3 * DAY)))
    monkeypatch.setenv(storage.DB_URL_VARIABLE, db_url)
    monkeypatch.setenv(storage.RETENTION_VARIABLE, "7")
    assert cli.main(["purge"]) == 0
    out = capsys.readouterr().out
    assert "1" in out and "secret-sender" not in out
    assert asyncio.run(saved.retrieve("secret-sender-2")) is not None


def test_purge_on_an_empty_database_deletes_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(storage.DB_URL_VARIABLE, f"sqlite:///{tmp_path / 'empty.db'}")
    assert cli.main(["purge"]) == 0
    assert "0" in capsys.readouterr().out


def test_bad_retention_is_refused_clearly(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv(storage.DB_URL_VARIABLE, f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.setenv(storage.RETENTION_VARIABLE, "a month")
    assert cli.main(["purge"]) == 2
    assert storage.RETENTION_VARIABLE in capsys.readouterr().err


def test_purge_help():
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "purge", "--help"], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0
    assert storage.RETENTION_VARIABLE in result.stdout and storage.DB_URL_VARIABLE in result.stdout


def test_default_database_is_a_file_under_var():
    assert storage.db_url({}) == f"sqlite:///{storage.VAR_DIR / 'kotobotti.db'}"
    assert storage.db_url({storage.DB_URL_VARIABLE: POSTGRES}) == POSTGRES
    assert storage.retention_days({}) == 30


def test_make_run_purges_at_start(tmp_path, domain, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'kotobotti.db'}"
    asyncio.run(store(url, domain).save(conversation("old", "a", time.time() - 40 * DAY)))
    monkeypatch.setenv(storage.DB_URL_VARIABLE, url)
    stop = threading.Event()
    stop.set()  # the first purge only, not a day's wait
    serve.purge_daily(stop)
    assert "deleted 1 conversation" in capsys.readouterr().out
    assert asyncio.run(store(url, domain).retrieve("old")) is None


def test_sqlite_files_are_written_through_a_write_ahead_log(tmp_path):
    """bot/storage.py SQLITE_PRAGMAS: readers never block the writer, a commit is one append."""
    engine = storage.create_engine(f"sqlite:///{tmp_path / 'wal.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    engine.dispose()

"""Our own tables (Alembic) and ``kotobotti report`` on the real SQLite and the real PostgreSQL.

Conversations are written by the real tracker store, so the report reads what Rasa writes.
"""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import report, tables
from bot.serve import ROOT
from rasa_components.tracker_store import KotobottiTrackerStore


def conversation(sender: str, language: str, intents: list[str], recommended: bool) -> DialogueStateTracker:
    events = [ActionExecuted("action_session_start", timestamp=1), SessionStarted(timestamp=2)]
    for i, intent in enumerate(intents):
        events.append(ActionExecuted("action_listen", timestamp=10 + i))
        events.append(UserUttered("typed", parse_data={"intent": {"name": intent, "confidence": 0.9}}))
        if i == 0:
            events.append(SlotSet("language", language, timestamp=20))
    if recommended:
        events.append(ActionExecuted("action_recommend", timestamp=30))
    return DialogueStateTracker.from_events(sender, events)


def test_migration_creates_our_tables_once_and_leaves_rasas_alone(db_url):
    engine = sa.create_engine(db_url)
    tables.migrate(engine)
    tables.migrate(engine)  # at every start: a no-op when current
    names = set(sa.inspect(engine).get_table_names())
    assert {"kotobotti_ratings", "kotobotti_deletions", "kotobotti_unanswered", tables.VERSION_TABLE} <= names
    assert "alembic_version" not in names
    columns = {c["name"] for c in sa.inspect(engine).get_columns("kotobotti_ratings")}
    assert columns == {"id", "day", "language", "rating"}  # nothing that names a person
    columns = {c["name"] for c in sa.inspect(engine).get_columns("kotobotti_unanswered")}
    assert columns == {"id", "day", "language", "text"}  # no sender, pseudonym or time of day
    engine.dispose()


def test_report_counts_without_ids(db_url, capsys):
    domain = Domain.load(str(ROOT / "domain.yml"))
    store = KotobottiTrackerStore(domain=domain, url=db_url)
    senders = {"fi": "pseudo-fi-aaaa", "ar": "pseudo-ar-bbbb", "fi2": "pseudo-fi-cccc"}

    async def write() -> None:
        await store.save(conversation(senders["fi"], "fi", ["greet", "affirm", "inform"], True))
        await store.save(conversation(senders["ar"], "ar", ["greet", "nlu_fallback"], False))
        await store.save(conversation(senders["fi2"], "fi", ["greet", "nlu_fallback"], True))

    asyncio.run(write())
    engine = sa.create_engine(db_url)
    tables.migrate(engine)
    tables.record_rating(engine, "fi", "helpful", dt.date(2026, 12, 1))
    tables.record_rating(engine, "fi", "not_helpful")
    tables.record_rating(engine, "ar", "helpful")
    tables.record_deletion(engine, "rest")
    with pytest.raises(ValueError):
        tables.record_rating(engine, "fi", "five stars")
    found = report.build(engine)
    assert found.conversations == {"fi": 2, "ar": 1}
    assert found.recommendations == 2
    assert (found.fallbacks, found.messages) == (2, 7)
    assert found.ratings == {("fi", "helpful"): 1, ("fi", "not_helpful"): 1, ("ar", "helpful"): 1}
    assert found.deletions == {"rest": 1}
    text = "\n".join(found.lines())
    assert "fi: 2" in text and "2 of 7 (28.6%)" in text and "fi: 1 / 1" in text
    assert not any(sender in text for sender in senders.values())
    engine.dispose()


def test_the_report_command_prints_counts(tmp_path):
    import os
    import subprocess
    import sys

    from bot import storage

    env = {**os.environ, storage.DB_URL_VARIABLE: f"sqlite:///{tmp_path / 'kotobotti.db'}"}
    engine = sa.create_engine(env[storage.DB_URL_VARIABLE])
    tables.migrate(engine)
    tables.record_rating(engine, "so", "helpful")
    engine.dispose()
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "report"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "Ratings (helpful / not helpful):\n  so: 1 / 0" in done.stdout
    assert "Messages not understood: 0 of 0" in done.stdout


def test_migrating_at_the_same_moment_from_several_servers(db_url):
    """Every Rasa server migrates at start: three starting at once all come up."""
    import subprocess
    import sys

    code = (
        "import sys, sqlalchemy as sa; from bot import tables; tables.migrate(sa.create_engine(sys.argv[1]))"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code, db_url], cwd=ROOT, stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    errors = [proc.communicate(timeout=120)[1] for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0, 0], errors
    engine = sa.create_engine(db_url)
    assert "kotobotti_unanswered" in sa.inspect(engine).get_table_names()
    with engine.connect() as connection:
        versions = connection.execute(sa.text(f"SELECT version_num FROM {tables.VERSION_TABLE}")).all()
    assert len(versions) == 1
    engine.dispose()


def test_unanswered_questions_are_reported_grouped_and_purged_by_day(db_url):
    engine = sa.create_engine(db_url)
    tables.migrate(engine)
    today = dt.date(2026, 12, 7)
    for day_back, language, text in [
        (0, "fi", "mikä on kotoutumislaki"),
        (1, "fi", "mikä on kotoutumislaki"),
        (2, "ar", "ما هو [number]"),
        (31, "en", "an old question"),
    ]:
        tables.record_unanswered(engine, language, text, today - dt.timedelta(days=day_back))
    found = report.build(engine)
    assert found.unanswered[0] == ("mikä on kotoutumislaki", "fi", 2)
    assert set(found.unanswered[1:]) == {("ما هو [number]", "ar", 1), ("an old question", "en", 1)}
    text = "\n".join(found.lines())
    assert "Unanswered questions" in text and "     2  fi  mikä on kotoutumislaki" in text
    # Kept by day: gone once its day is more than the retention period ago.
    assert tables.purge_unanswered(engine, 30, today) == 1
    assert tables.purge_unanswered(engine, 30, today) == 0
    assert ("an old question", "en", 1) not in report.build(engine).unanswered
    engine.dispose()


def test_purge_configured_deletes_old_unanswered_questions(tmp_path, monkeypatch):
    from bot import storage

    url = f"sqlite:///{tmp_path / 'kotobotti.db'}"
    engine = sa.create_engine(url)
    tables.migrate(engine)
    tables.record_unanswered(engine, "en", "old", dt.date.today() - dt.timedelta(days=8))
    tables.record_unanswered(engine, "en", "recent", dt.date.today() - dt.timedelta(days=6))
    monkeypatch.setenv(storage.DB_URL_VARIABLE, url)
    monkeypatch.setenv(storage.RETENTION_VARIABLE, "7")
    assert storage.purge_configured() == storage.Purged(conversations=0, unanswered=1, days=7)
    assert [text for text, _, _ in report.build(engine).unanswered] == ["recent"]
    engine.dispose()

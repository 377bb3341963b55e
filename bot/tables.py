"""Kotobotti's own tables, next to Rasa's tracker store on the same database (contract §6).

What staff may see about use, and nothing about any person: a one-tap rating is kept as
(day, language, rating), a deletion on request as (day, channel, count), and, only with
the person's yes, a message not understood as (day, language, scrubbed text), with no
sender, pseudonym or time of day that could tie a row to a conversation. The schema is
Alembic's (``bot/migrations/``, version table ``kotobotti_alembic_version`` so Rasa's
tables are never touched); ``migrate`` brings any database to the newest revision and is
safe to run at every start.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import threading
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa

VERSION_TABLE = "kotobotti_alembic_version"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
RATINGS = ("helpful", "not_helpful")

metadata = sa.MetaData()

ratings = sa.Table(
    "kotobotti_ratings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("language", sa.String(8), nullable=False),
    sa.Column("rating", sa.String(16), nullable=False),
)

deletions = sa.Table(
    "kotobotti_deletions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("count", sa.Integer, nullable=False),
)


unanswered = sa.Table(
    "kotobotti_unanswered",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("day", sa.Date, nullable=False, index=True),
    sa.Column("language", sa.String(8), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
)

# Migrations run one at a time: in a process (Alembic's context is global), on a machine
# (SQLite: a lock file beside the database) and on PostgreSQL (an advisory lock held by
# the migrating transaction, whose DDL is transactional).
_IN_PROCESS = threading.Lock()
_ADVISORY_LOCK = 0x6B6F746F  # "koto": the key of the PostgreSQL advisory lock


@contextlib.contextmanager
def _one_at_a_time(engine: sa.engine.Engine) -> Iterator[None]:
    with _IN_PROCESS:
        database = engine.url.database if engine.dialect.name == "sqlite" else None
        if not database or database == ":memory:":
            yield
            return
        with open(f"{database}.migrate-lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
            yield


def migrate(engine: sa.engine.Engine) -> None:
    """Upgrade the database to the newest revision of our tables (a no-op when current).

    Safe when several servers start at the same moment: they migrate one after the other,
    and the later ones find the database current.
    """
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with _one_at_a_time(engine), engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@lru_cache(maxsize=1)
def configured_engine() -> sa.engine.Engine:
    """The configured database (``KOTOBOTTI_DB_URL``), migrated once per process."""
    from bot import storage

    engine = storage.create_engine(storage.db_url())
    migrate(engine)
    return engine


def record_rating(engine: sa.engine.Engine, language: str, rating: str, day: dt.date | None = None) -> None:
    """Keep one one-tap rating: its day and language, nothing about who gave it."""
    if rating not in RATINGS:
        raise ValueError(f"rating must be one of {RATINGS}, not {rating!r}")
    with engine.begin() as connection:
        connection.execute(
            ratings.insert().values(day=day or dt.date.today(), language=language[:8], rating=rating)
        )


def record_deletion(
    engine: sa.engine.Engine, channel: str, count: int = 1, day: dt.date | None = None
) -> None:
    """Keep that ``count`` conversations were deleted on request on ``channel``: no ids."""
    with engine.begin() as connection:
        connection.execute(
            deletions.insert().values(day=day or dt.date.today(), channel=channel[:32], count=count)
        )


def record_unanswered(engine: sa.engine.Engine, language: str, text: str, day: dt.date | None = None) -> None:
    """Keep one message not understood, already scrubbed (``bot.scrub``), with the person's
    yes (``bot/conversation/unanswered.py``): its day and language, nothing about who wrote it."""
    with engine.begin() as connection:
        connection.execute(
            unanswered.insert().values(day=day or dt.date.today(), language=language[:8], text=text)
        )


def purge_unanswered(engine: sa.engine.Engine, days: int, today: dt.date | None = None) -> int:
    """Delete the messages not understood kept more than ``days`` days ago; how many.

    Kept by day, so one is deleted on the first purge after its day plus ``days``: no
    later than a conversation whose last message was that day.
    """
    if not sa.inspect(engine).has_table(unanswered.name):
        return 0
    cutoff = (today or dt.date.today()) - dt.timedelta(days=days)
    with engine.begin() as connection:
        return connection.execute(unanswered.delete().where(unanswered.c.day < cutoff)).rowcount or 0

"""Where conversations are kept, for how long, and their deletion (contract §6).

The database is ``KOTOBOTTI_DB_URL`` (a SQLAlchemy URL), by default a SQLite file under
``var/`` in the checkout so ``make run`` needs no setup; PostgreSQL when the URL says
so. Rasa's tracker store writes the conversations (``rasa_components/tracker_store.py``,
which takes the URL from here); this module only reads the settings and deletes what is
older than ``KOTOBOTTI_RETENTION_DAYS`` (default 30) after a conversation's last event,
and the messages not understood kept (with consent) more than that many days ago.
It knows the table by its SQL name only, so ``kotobotti purge`` needs no Rasa import.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

import sqlalchemy as sa

DB_URL_VARIABLE = "KOTOBOTTI_DB_URL"
RETENTION_VARIABLE = "KOTOBOTTI_RETENTION_DAYS"
DEFAULT_RETENTION_DAYS = 30
VAR_DIR = Path(__file__).resolve().parent.parent / "var"
DEFAULT_DB_FILE = VAR_DIR / "kotobotti.db"
EVENTS_TABLE = "events"  # Rasa's SQLTrackerStore table

# The indexes the tracker store's queries need (Rasa 3.6 creates one on sender_id alone):
# each message looks up the latest session start of one sender, then its events in order,
# and the purge asks each sender's last event.
INDEXES: dict[str, tuple[str, ...]] = {
    "ix_events_sender_type_timestamp": ("sender_id", "type_name", "timestamp"),
    "ix_events_sender_timestamp": ("sender_id", "timestamp"),
}

SECONDS_PER_DAY = 86400


def db_url(env: Mapping[str, str] | None = None) -> str:
    """The database's SQLAlchemy URL; the default SQLite file's folder is created here."""
    env = os.environ if env is None else env
    url = (env.get(DB_URL_VARIABLE) or "").strip()
    if url:
        return url
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_DB_FILE}"


def retention_days(env: Mapping[str, str] | None = None) -> int:
    """``KOTOBOTTI_RETENTION_DAYS`` as a whole number of days (at least 1)."""
    env = os.environ if env is None else env
    raw = (env.get(RETENTION_VARIABLE) or "").strip()
    if not raw:
        return DEFAULT_RETENTION_DAYS
    try:
        days = int(raw)
    except ValueError:
        raise ValueError(f"{RETENTION_VARIABLE}: {raw!r} is not a whole number of days") from None
    if days < 1:
        raise ValueError(f"{RETENTION_VARIABLE}: {raw!r} must be at least 1")
    return days


def create_engine(url: str) -> sa.engine.Engine:
    """An engine for ``url``, failing clearly on a malformed URL or a missing database driver."""
    try:
        # hide_parameters: an error message never quotes a row's values (they may be typed words).
        engine = sa.create_engine(url, hide_parameters=True, **_sqlite_file_pool(url))
    except (ImportError, sa.exc.ArgumentError) as exc:
        # The message names the dialect, never the URL (it may hold a password).
        raise RuntimeError(f"{DB_URL_VARIABLE}: not a usable database URL ({type(exc).__name__})") from None
    tune_sqlite(engine)
    return engine


def _sqlite_file_pool(url: str) -> dict:
    """A pool for a SQLite file, as for any other database (SQLAlchemy 1.4 opens and closes
    a new connection for every session by default: with WAL each close of the last
    connection also checkpoints and deletes the log, 8 % of the Rasa server's time)."""
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        return {}
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return {}
    return {"poolclass": sa.pool.QueuePool, "connect_args": {"check_same_thread": False}}


# SQLite's write-ahead log: readers never block the writer (the Rasa server and the
# action server share the file), and a commit appends to the log instead of writing a
# rollback journal, the database and deleting the journal, each synced. The Rasa server
# commits in its event loop, so every sync stopped every conversation: with the rollback
# journal 15 % of its time under 10 concurrent conversations went to commits (py-spy,
# bench/results.md). synchronous=NORMAL is what SQLite advises with WAL: the database
# stays consistent after any crash, and only a power cut can lose the last commits.
SQLITE_PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA busy_timeout=30000")


def tune_sqlite(engine: sa.engine.Engine) -> None:
    """Every new connection of a SQLite engine gets ``SQLITE_PRAGMAS`` (others: nothing)."""
    if engine.dialect.name != "sqlite" or getattr(engine, "_kotobotti_tuned", False):
        return

    @sa.event.listens_for(engine, "connect")
    def _pragmas(connection, _record) -> None:  # type: ignore[no-untyped-def]
        cursor = connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
        cursor.close()

    engine._kotobotti_tuned = True  # type: ignore[attr-defined]


def _events(engine: sa.engine.Engine) -> sa.Table | None:
    if not sa.inspect(engine).has_table(EVENTS_TABLE):
        return None
    return sa.Table(EVENTS_TABLE, sa.MetaData(), autoload_with=engine)


def ensure_indexes(engine: sa.engine.Engine) -> None:
    """Create the missing ``INDEXES`` on the events table (several servers may race: fine)."""
    table = _events(engine)
    if table is None:
        return
    present = {index["name"] for index in sa.inspect(engine).get_indexes(EVENTS_TABLE)}
    for name, columns in INDEXES.items():
        if name in present:
            continue
        try:
            sa.Index(name, *(table.c[c] for c in columns)).create(engine)
        except (sa.exc.OperationalError, sa.exc.ProgrammingError, sa.exc.IntegrityError):
            # Another server created it between our look and our CREATE (PostgreSQL says
            # so with a unique violation in its catalogue: two Rasa servers starting at once).
            if name not in {i["name"] for i in sa.inspect(engine).get_indexes(EVENTS_TABLE)}:
                raise


def purge(engine: sa.engine.Engine, days: int, now: float | None = None) -> int:
    """Delete every conversation whose last event is older than ``days``; how many were deleted.

    A conversation is all the events of one sender id; it goes as a whole, in one
    transaction, so no half conversation is left behind.
    """
    table = _events(engine)
    if table is None:
        return 0
    cutoff = (time.time() if now is None else now) - days * SECONDS_PER_DAY
    old = (
        sa.select(table.c.sender_id)
        .group_by(table.c.sender_id)
        .having(sa.func.max(table.c.timestamp) < cutoff)
    )
    with engine.begin() as connection:
        count = connection.execute(sa.select(sa.func.count()).select_from(old.subquery())).scalar_one()
        if count:
            connection.execute(table.delete().where(table.c.sender_id.in_(old.scalar_subquery())))
    return int(count)


class Purged(NamedTuple):
    """What one run of the retention job deleted."""

    conversations: int
    unanswered: int  # messages not understood, kept with the person's yes
    days: int


def purge_configured() -> Purged:
    """``purge`` on the configured database with the configured period, and the messages
    not understood kept longer than that (``bot.tables.purge_unanswered``).

    Raises ValueError or RuntimeError, with a message naming the bad setting.
    """
    from bot import tables

    days = retention_days()
    engine = create_engine(db_url())
    try:
        return Purged(purge(engine, days), tables.purge_unanswered(engine, days), days)
    finally:
        engine.dispose()

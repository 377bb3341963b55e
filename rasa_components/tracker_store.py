"""Rasa's SQL tracker store, configured by ``KOTOBOTTI_DB_URL``, keeping no typed text (contract §6).

Named in endpoints.yml as ``rasa_components.tracker_store.KotobottiTrackerStore``. Rasa's
endpoints.yml substitutes ``${VAR}`` but has no default for an unset variable, so the
store reads the URL itself (``bot.storage.db_url``: a SQLite file under ``var/`` unless
the variable names another database, e.g. PostgreSQL).

The people using Kotobotti may be refugees or victims of trafficking, and what they type
can name them. Rasa Open Source stores every message's text; this store removes it from
each event before the event is written: a user event keeps its intent, the names of the
entities found (their values only when a slot took the same value, which the slot
event keeps anyway) and the language of its metadata. A conversation still restores and
continues, because Rasa's policies and our actions read intents and slots, and the text
of the message being answered, which is in memory while it is answered.

The tracker saved last of each recent conversation is remembered (``tracker_cache``) as
the database holds it, so without typed text too: the conversation's next message gets
a copy of it once one indexed query has shown that the database still holds exactly
those rows (another Rasa server, the purge or a deletion changes them), instead of a
tracker rebuilt from every stored row; and its save stores the new events without
asking Rasa's count of the stored ones first.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import functools
import itertools
import json
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Restarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.orm import Session, sessionmaker

from bot import storage, tables
from rasa_components import tracker_cache
from rasa_components.tracker_cache import Entry, Signature, TrackerCache, working_copy

logger = logging.getLogger(__name__)
T = TypeVar("T")

# Pauses between tries while the database is unreachable: about 4 s in all, the length of
# a restart; the person waits that long at most before being asked to try again.
RETRY_DELAYS = (0.25, 0.5, 1.0, 2.0)

# The database work of each call runs on worker threads of the store's own, not in the
# event loop: SQLite and the PostgreSQL driver let go of the GIL while they wait (a
# commit, the network, another writer's lock), and the loop serves other conversations
# meanwhile. scripts/store_cost.py, 10 conversations at once on one loop with 12 ms of
# other work per message: 5 % more messages per second on SQLite, 15 % on PostgreSQL
# (each call alone takes 0.1 to 0.5 ms longer: handing it over).
# A few threads: SQLite takes one writer at a time anyway, and the embedding has the
# loop's default executor (bot/embedding.py).
DATABASE_IN_THREAD = True
DATABASE_THREADS = 4

# Rasa copies the first message's metadata into this slot at each session start.
SESSION_METADATA_SLOT = "session_started_metadata"
_ENTITY_KEYS = ("entity", "role", "group")


def _metadata(metadata: Any) -> dict[str, Any]:
    """Only the language of a message's metadata (channels may put anything else there)."""
    if isinstance(metadata, dict) and isinstance(metadata.get("language"), str):
        return {"language": metadata["language"]}
    return {}


def _entities(entities: Any, slot_values: set[str]) -> list[dict[str, Any]]:
    kept = []
    for entity in entities if isinstance(entities, list) else []:
        if not isinstance(entity, dict) or "entity" not in entity:
            continue
        out = {k: entity[k] for k in _ENTITY_KEYS if entity.get(k) is not None}
        if _key(entity.get("value")) in slot_values:
            out["value"] = entity["value"]
        kept.append(out)
    return kept


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def slot_values(tracker: DialogueStateTracker) -> set[str]:
    """Every value a slot was set to in the tracker, as comparable JSON."""
    return {_key(e.value) for e in tracker.events if isinstance(e, SlotSet) and e.value is not None}


def without_typed_text(data: dict[str, Any], slot_values: set[str]) -> dict[str, Any]:
    """One serialised event as it may be stored: no text a person typed, nor copies of it."""
    kind = data.get("event")
    if kind == UserUttered.type_name:
        parse = data.get("parse_data") or {}
        intent = parse.get("intent") or {}
        kept_parse: dict[str, Any] = {"entities": _entities(parse.get("entities"), slot_values)}
        if intent.get(INTENT_NAME_KEY):
            kept_parse["intent"] = {
                INTENT_NAME_KEY: intent[INTENT_NAME_KEY],
                "confidence": intent.get("confidence"),
            }
        return {
            "event": kind,
            "timestamp": data.get("timestamp"),
            "input_channel": data.get("input_channel"),
            "metadata": _metadata(data.get("metadata")),
            "parse_data": kept_parse,
        }
    if kind == "entities":  # EntitiesAdded
        return {**data, "entities": _entities(data.get("entities"), slot_values)}
    if kind == SlotSet.type_name and data.get("name") == SESSION_METADATA_SLOT:
        return {**data, "value": _metadata(data.get("value")) or None}
    if kind == "session_started":
        return {**data, "metadata": _metadata(data.get("metadata"))}
    return data


def deletion_audit(channel: str | None) -> Any:
    """The audit row of one conversation deleted on request today: its channel, no id."""
    return tables.deletions.insert().values(day=dt.date.today(), channel=(channel or "unknown")[:32], count=1)


@dataclasses.dataclass(frozen=True)
class Written:
    """What one save stored, for the memory of the conversation (``tracker_cache``)."""

    rows: list[dict[str, Any]]  # the new events as stored (read back from their JSON)
    max_id: int | None  # the largest id given to them
    before: Signature | None  # what the database held before, when known
    deleted: bool  # a restart deleted the conversation and stored it again from there


class KotobottiTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` on ``KOTOBOTTI_DB_URL`` with the indexes its queries need; no
    typed text; the trackers it saved last remembered (``rasa_components/tracker_cache.py``).

    Rasa calls, per message (``MessageProcessor.handle_message``, under the conversation's
    lock): ``retrieve`` once (``get_or_create_tracker``; a new conversation is then
    created and saved by ``create_tracker``), and ``save`` once at the end, of the tracker
    ``retrieve`` returned, changed. It calls neither ``retrieve`` from ``stream_events``
    nor from the anonymisation pipeline here (no event broker, no plugin). Our channels
    call ``retrieve`` to read the slots (``rasa_components/faults.py``: for a message the
    assistant is not asked, after a failed message, before a restart), and the HTTP API
    (only with ``KOTOBOTTI_API_TOKEN``) calls ``retrieve``, ``retrieve_full_tracker`` and
    ``save`` of trackers it builds itself. Each ``retrieve`` hands out a tracker of its
    own, which no one else holds; ``save`` skips Rasa's count query only for the tracker
    handed out last, the others are stored as Rasa stores them.
    """

    def __init__(self, domain: Any = None, host: str | None = None, event_broker: Any = None, **kwargs: Any):
        size = kwargs.pop("cache_size", None)  # endpoints.yml may say 0: nothing remembered
        self.cache = TrackerCache(tracker_cache.DEFAULT_SIZE if size is None else int(size))
        self._threads: ThreadPoolExecutor | None = None
        storage.retention_days()  # a bad KOTOBOTTI_RETENTION_DAYS stops the server at start, not mid-answer
        url = kwargs.pop("url", None) or storage.db_url()
        engine = storage.create_engine(url)  # a missing driver fails here, loudly
        engine.dispose()
        try:
            super().__init__(domain=domain, host=url, event_broker=event_broker, **kwargs)
        except ImportError as exc:
            # Rasa would take an ImportError for "no such store" and silently keep conversations
            # in memory: say what is wrong instead.
            raise RuntimeError(f"{storage.DB_URL_VARIABLE}: {exc}") from None
        self.engine.dispose()
        if sa.engine.make_url(url).get_backend_name() == "sqlite":
            # Rasa's engine opens a new SQLite connection per session; ours keeps them
            # in a pool and writes through the write-ahead log (bot/storage.py).
            self.engine = storage.create_engine(url)
        else:
            # Rasa's engine has no pre-ping: after a database restart every pooled connection
            # is dead, and each would cost one person a failed message. Checked before use.
            self.engine = sa.create_engine(
                url, pool_pre_ping=True, hide_parameters=True, **create_engine_kwargs(url)
            )
        self.sessionmaker = sessionmaker(bind=self.engine)
        storage.ensure_indexes(self.engine)
        tables.migrate(self.engine)  # the deletion audit is written with the deletion, below
        events = self.SQLEvent.__table__
        # One conversation's Signature: served by the (sender_id, timestamp) index.
        self._signature_query = sa.select(
            sa.func.count(), sa.func.max(events.c.id), sa.func.max(events.c.timestamp)
        ).where(events.c.sender_id == sa.bindparam("sender_id"))

    @property
    def domain(self) -> Domain:
        return self._domain

    @domain.setter
    def domain(self, domain: Domain | None) -> None:
        """A newly loaded model's domain: the remembered trackers have the old one's slots."""
        self._domain = domain or Domain.empty()
        self.cache.clear()

    async def _retrying(self, work: Callable[[], Awaitable[T]]) -> T:
        """``work()``, tried again while the database is briefly unreachable (a restart, a
        failover: about a second). Both uses are safe to repeat: a read, and a write whose
        repeats first ask the database which events it already holds. A longer outage
        raises, and the channel asks the person to try again."""
        for delay in (*RETRY_DELAYS, None):
            try:
                return await work()
            except (sa.exc.OperationalError, sa.exc.InterfaceError) as error:
                if delay is None:
                    raise
                name = type(error).__name__
                logger.warning("database unreachable (%s); trying again in %.2f s", name, delay)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The conversation's latest session, as Rasa's store reads it: from memory when the
        database still holds exactly the rows remembered (one indexed query), otherwise
        read and rebuilt from every row, and then remembered."""
        if self.cache.size <= 0:
            return await self._retrying(lambda: super(KotobottiTrackerStore, self).retrieve(sender_id))
        return await self._retrying(lambda: self._retrieve_remembered(sender_id))

    async def _retrieve_remembered(self, sender_id: str) -> DialogueStateTracker | None:
        entry = self.cache.get(sender_id)
        if entry is not None:
            signature = await self._database(self._signature, sender_id)
            if signature == entry.signature and self.cache.get(sender_id) is entry:
                return self._lend(sender_id, entry)
        signature, rows = await self._database(self._load, sender_id)
        tracker = None
        if self.domain and len(rows) > 0:  # as Rasa's SQLTrackerStore._retrieve
            tracker = DialogueStateTracker.from_dict(sender_id, rows, self.domain.slots)
        if tracker is None or self.cache.get(sender_id) is not entry:
            # Nothing to remember, or a save of the conversation ended meanwhile.
            self.cache.drop(sender_id)
            return tracker
        return self._lend(sender_id, tracker_cache.loaded(signature, rows, tracker))

    def _lend(self, sender_id: str, entry: Entry) -> DialogueStateTracker | None:
        """A working copy of the remembered tracker, which its next save may trust."""
        tracker = working_copy(entry.tracker) if entry.tracker is not None else None
        self.cache.put(sender_id, entry.lent_to(tracker))
        return tracker

    def _signature(self, sender_id: str) -> Signature:
        with self.engine.connect() as connection:
            return Signature.of(connection.execute(self._signature_query, {"sender_id": sender_id}).one())

    def _load(self, sender_id: str) -> tuple[Signature, list[dict[str, Any]]]:
        """The conversation's signature, then its latest session's rows (Rasa's query): in
        this order, a write in between makes the next check fail rather than pass."""
        with self.session_scope() as session:
            row = session.execute(self._signature_query, {"sender_id": sender_id}).one()
            events = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).all()
            return Signature.of(row), [json.loads(event.data) for event in events]

    async def _database(self, work: Callable[..., T], *args: Any) -> T:
        """``work(*args)``, the synchronous database work of one call, on a worker thread
        (``DATABASE_IN_THREAD``). It always ends before its caller goes on, even when the
        caller is cancelled (a client gone): on the loop nothing could interrupt it, and the
        conversation's lock must not be let go while its save is still writing."""
        if not DATABASE_IN_THREAD:
            return work(*args)
        if self._threads is None:
            self._threads = ThreadPoolExecutor(DATABASE_THREADS, thread_name_prefix="kotobotti-db")
        job = asyncio.get_running_loop().run_in_executor(self._threads, functools.partial(work, *args))
        cancelled = False
        while not job.done():
            try:
                await asyncio.wait([job])
            except asyncio.CancelledError:
                cancelled = True
        if cancelled:
            raise asyncio.CancelledError
        return job.result()

    async def retrieve_full_tracker(self, conversation_id: str) -> DialogueStateTracker | None:
        return await self._retrying(
            lambda: super(KotobottiTrackerStore, self).retrieve_full_tracker(conversation_id)
        )

    async def save(self, tracker: DialogueStateTracker) -> None:
        """``_save``, tried again while the database is briefly unreachable: each try is
        one transaction. The first may trust what is remembered about the stored events;
        every repeat asks the database which events it holds (a commit whose answer was
        lost may have stored them), so a repeat never stores an event twice."""
        tries = itertools.count()
        await self._retrying(lambda: self._save(tracker, trust_memory=next(tries) == 0))

    async def _save(self, tracker: DialogueStateTracker, trust_memory: bool = True) -> None:
        """Store the events Rasa has not stored yet, each without typed text.

        The tracker ``retrieve`` handed out last has its stored events counted already: its
        save skips Rasa's count query. After the commit the remembered tracker moves on by
        the stored form of the new events; a failed save forgets it (nothing unsaved is
        ever remembered).

        A restart (``/restart``: what ``/forget`` and the widget's delete button send;
        "delete my data" ends in one too) deletes the conversation from the database at
        once, all its sessions, rather than keeping it under a ``restart`` event until the
        purge: the person was told their conversation is deleted. When that deletes a
        stored conversation, one row of the deletion audit (``bot.tables.deletions``: day,
        channel, no id) is written in the same transaction, once, however often the
        tracker is saved afterwards. The memory of the conversation is forgotten then.
        """
        await self.stream_events(tracker)
        sender_id = tracker.sender_id
        entry = self.cache.get(sender_id)
        base = entry if trust_memory and entry is not None and entry.is_lent(tracker) else None
        try:
            written = await self._database(self._write, tracker, base, self.cache.size > 0)
        except BaseException:
            self.cache.drop(sender_id)
            raise
        after = None
        if self.cache.get(sender_id) is entry:  # else another save or read ended meanwhile
            after = self._remembered_after(sender_id, written, base)
        if after is None:
            self.cache.drop(sender_id)
        else:
            self.cache.put(sender_id, after.lent_to(tracker))

    def _remembered_after(self, sender_id: str, written: Written, base: Entry | None) -> Entry | None:
        """The conversation's entry after ``written``; None when only reading it tells."""
        if written.deleted or written.before is None or not self.domain:
            return None
        if base is None:
            if written.before != tracker_cache.EMPTY:
                return None  # stored by Rasa's count: what the tracker held before is unknown
            base = Entry(tracker_cache.EMPTY, 0, None, None)
        slots = self.domain.slots
        return tracker_cache.advanced(
            base,
            written.rows,
            written.max_id,
            lambda rows: DialogueStateTracker.from_dict(sender_id, rows, slots),
        )

    def _write(self, tracker: DialogueStateTracker, base: Entry | None, remember: bool) -> Written:
        """One save's transaction (see ``_save``): which events are new, and their rows."""
        values = slot_values(tracker)
        with self.session_scope() as session:
            restarts = [i for i, event in enumerate(tracker.events) if isinstance(event, Restarted)]
            before = None
            if restarts:
                stored = session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == tracker.sender_id)
                restart = tracker.events[restarts[-1]]
                if stored.filter(self.SQLEvent.timestamp < restart.timestamp).first() is not None:
                    # A stored conversation is deleted now, on request: the audit says so, in
                    # the same transaction, with the channel and the day only.
                    session.execute(deletion_audit(tracker.get_latest_input_channel()))
                # Rewritten whole, however often this tracker is saved: what followed the restart.
                stored.delete()
                events = list(tracker.events)[restarts[-1] + 1 :]
            elif base is not None:
                before = base.signature
                events = list(itertools.islice(tracker.events, base.stored, None))
            else:
                if remember:
                    row = session.execute(self._signature_query, {"sender_id": tracker.sender_id}).one()
                    before = Signature.of(row)
                if before == tracker_cache.EMPTY:
                    events = list(tracker.events)  # Rasa's count would be 0
                else:
                    events = list(self._additional_events(session, tracker))
            rows, max_id = self._insert(session, tracker.sender_id, events, values)
            session.commit()
        return Written(rows if remember else [], max_id, before, bool(restarts))

    def _insert(
        self, session: Session, sender_id: str, events: list[Any], values: set[str]
    ) -> tuple[list[dict[str, Any]], int | None]:
        """Insert ``events`` without typed text, all in one statement; their stored form
        (as a read gives it back) and the largest id they got."""
        stored: list[dict[str, Any]] = []
        rows: list[dict[str, Any]] = []
        for event in events:
            data = without_typed_text(event.as_dict(), values)
            text = json.dumps(data)
            stored.append(json.loads(text))
            rows.append(
                {
                    "sender_id": sender_id,
                    "type_name": event.type_name,
                    "timestamp": data.get("timestamp"),
                    "intent_name": (data.get("parse_data") or {}).get("intent", {}).get(INTENT_NAME_KEY),
                    "action_name": data.get("name"),
                    "data": text,
                }
            )
        if not rows:
            return stored, None
        table = self.SQLEvent.__table__
        dialect = session.get_bind().dialect
        if dialect.name == "sqlite":
            # One executemany; the connection's last rowid is the largest of them.
            session.execute(table.insert(), rows)
            return stored, session.execute(sa.text("SELECT last_insert_rowid()")).scalar_one()
        if dialect.name == "postgresql":
            ids = session.execute(table.insert().returning(table.c.id), rows).scalars().all()
            return stored, max(ids)
        ids = [session.execute(table.insert(), row).inserted_primary_key[0] for row in rows]
        return stored, max(ids)

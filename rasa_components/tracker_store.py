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
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import Restarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.orm import sessionmaker

from bot import storage, tables

logger = logging.getLogger(__name__)
T = TypeVar("T")

# Pauses between tries while the database is unreachable: about 4 s in all, the length of
# a restart; the person waits that long at most before being asked to try again.
RETRY_DELAYS = (0.25, 0.5, 1.0, 2.0)

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


class KotobottiTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` on ``KOTOBOTTI_DB_URL`` with the indexes its queries need; no typed text."""

    def __init__(self, domain: Any = None, host: str | None = None, event_broker: Any = None, **kwargs: Any):
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

    async def _retrying(self, work: Callable[[], Awaitable[T]]) -> T:
        """``work()``, tried again while the database is briefly unreachable (a restart, a
        failover: about a second). Both uses are safe to repeat: a read, and a write that
        first asks the database which events it already holds. A longer outage raises, and
        the channel asks the person to try again."""
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
        return await self._retrying(lambda: super(KotobottiTrackerStore, self).retrieve(sender_id))

    async def retrieve_full_tracker(self, conversation_id: str) -> DialogueStateTracker | None:
        return await self._retrying(
            lambda: super(KotobottiTrackerStore, self).retrieve_full_tracker(conversation_id)
        )

    async def save(self, tracker: DialogueStateTracker) -> None:
        """``_save``, tried again while the database is briefly unreachable: each try is
        one transaction that stores what the database does not hold yet, so a repeat never
        stores an event twice."""
        await self._retrying(lambda: self._save(tracker))

    async def _save(self, tracker: DialogueStateTracker) -> None:
        """Store the events Rasa has not stored yet, each without typed text.

        A restart (``/restart``: what ``/forget`` and the widget's delete button send;
        "delete my data" ends in one too) deletes the conversation from the database at
        once, all its sessions, rather than keeping it under a ``restart`` event until the
        purge: the person was told their conversation is deleted. When that deletes a
        stored conversation, one row of the deletion audit (``bot.tables.deletions``: day,
        channel, no id) is written in the same transaction, once, however often the
        tracker is saved afterwards.
        """
        await self.stream_events(tracker)
        values = slot_values(tracker)
        with self.session_scope() as session:
            restarts = [i for i, event in enumerate(tracker.events) if isinstance(event, Restarted)]
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
            else:
                events = list(self._additional_events(session, tracker))
            for event in events:
                data = without_typed_text(event.as_dict(), values)
                intent = (data.get("parse_data") or {}).get("intent", {}).get(INTENT_NAME_KEY)
                session.add(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=intent,
                        action_name=data.get("name"),
                        data=json.dumps(data),
                    )
                )
            session.commit()

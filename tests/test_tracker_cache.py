"""The tracker store's memory of saved conversations (rasa_components/tracker_cache.py), on
the real SQLite and the real PostgreSQL (127.0.0.1:5432, database ``test``).

Each message is handled as Rasa's processor handles it: the tracker comes from
``get_or_create_tracker`` through the agent's ``FailSafeTrackerStore`` (errors passed on,
as ``rasa_components/faults.py`` sets it), is changed, and is saved at the end. What a
store returns from memory is compared with what a second store, which remembers nothing
(another Rasa server, or this one restarted), reads from the database.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    EntitiesAdded,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from bot import storage
from rasa_components import tracker_cache
from rasa_components.tracker_cache import TrackerCache
from rasa_components.tracker_store import KotobottiTrackerStore

DAY = storage.SECONDS_PER_DAY


def server(url: str, domain: Domain, **kwargs: Any) -> tuple[KotobottiTrackerStore, FailSafeTrackerStore]:
    """A Rasa server's store: ours, wrapped as the agent wraps it, errors passed on."""

    def reraise(error: Exception) -> None:
        raise error

    store = KotobottiTrackerStore(domain=domain, url=url, **kwargs)
    return store, FailSafeTrackerStore(store, on_tracker_store_error=reraise)


def typed(marker: str, intent: str = "inform", at: float | None = None) -> UserUttered:
    """A user message as the channel and the NLU pipeline make it: the text, copies of it."""
    text = f"{marker} asun Espoossa"
    return UserUttered(
        text,
        parse_data={
            "intent": {"name": intent, "confidence": 0.91},
            "entities": [
                {"entity": "municipality", "value": "Espoo", "start": 0, "end": 6},
                {"entity": "person", "value": marker, "start": 0, "end": 9},
            ],
            "text": text,
            "intent_ranking": [{"name": intent, "confidence": 0.91}],
            "message_id": f"m-{marker}",
        },
        metadata={"language": "fi", "typed": marker},
        input_channel="rest",
        message_id=f"m-{marker}",
        timestamp=at,
    )


def session_start(metadata: dict[str, Any], at: float | None = None) -> list:
    """What ``action_session_start`` adds (Rasa's processor, before the message), now or
    ``at`` a time long ago."""
    stamps = [None] * 4 if at is None else [at, at + 0.001, at + 0.002, at + 0.003]
    return [
        ActionExecuted("action_session_start", timestamp=stamps[0]),
        SessionStarted(timestamp=stamps[1]),
        SlotSet("session_started_metadata", metadata, timestamp=stamps[2]),
        ActionExecuted("action_listen", timestamp=stamps[3]),
    ]


def answer(turn: int) -> list:
    """What the policies and the action server add after a message."""
    return [
        SlotSet("municipality", "Espoo"),
        SlotSet("stage", f"step-{turn}"),
        ActionExecuted("profile_form", policy="RulePolicy", confidence=1.0),
        ActiveLoop("profile_form"),
        BotUttered(f"Question {turn}", data={"buttons": [{"title": "Yes", "payload": "/affirm"}]}),
        ActionExecuted("action_listen", policy="RulePolicy", confidence=1.0),
    ]


async def message(
    rasa: FailSafeTrackerStore, sender: str, marker: str, turn: int, new_session: bool = False
) -> DialogueStateTracker:
    """One message handled and saved; the tracker the processor ends with."""
    tracker = await rasa.get_or_create_tracker(sender, append_action_listen=False)
    if not tracker.events or new_session:
        for event in session_start({"language": "fi", "typed": marker}):
            tracker.update(event)
    tracker.update(typed(marker))
    for event in answer(turn):
        tracker.update(event)
    await rasa.save(tracker)
    return tracker


def state(tracker: DialogueStateTracker | None) -> Any:
    """Everything of a tracker Rasa and the actions read, comparable."""
    if tracker is None:
        return None
    return json.loads(json.dumps(tracker.current_state(EventVerbosity.ALL), sort_keys=True, default=str))


def assert_same(remembered: DialogueStateTracker | None, read: DialogueStateTracker | None) -> None:
    assert state(remembered) == state(read)
    if read is not None:
        assert remembered is not None
        assert list(remembered.events) == list(read.events)
        assert remembered.current_slot_values() == read.current_slot_values()
        assert remembered.latest_message.intent_name == read.latest_message.intent_name


def read(url: str, domain: Domain, sender: str) -> DialogueStateTracker | None:
    """The conversation as a store that remembers nothing reads it from the database."""
    return asyncio.run(KotobottiTrackerStore(domain=domain, url=url, cache_size=0).retrieve(sender))


def test_a_remembered_conversation_is_what_the_database_gives(db_url, domain):
    store, rasa = server(db_url, domain)
    sender = f"p-{uuid.uuid4().hex}"
    for turn in range(6):
        asyncio.run(message(rasa, sender, f"Zq{turn}x", turn))
        remembered = asyncio.run(rasa.retrieve(sender))
        assert store.cache.get(sender) is not None, "served from memory"
        assert_same(remembered, read(db_url, domain, sender))
    assert len(remembered.events) == 3 + 6 * 7  # the session, from its session_started on
    assert remembered.get_slot("session_started_metadata") == {"language": "fi"}
    assert remembered.active_loop_name == "profile_form"
    # Every event stored once: the saves skipped Rasa's count and stored only the new ones.
    everything = asyncio.run(store.retrieve_full_tracker(sender))
    assert len(everything.events) == 4 + 6 * 7


def test_a_new_session_is_remembered_as_the_database_reads_it(db_url, domain):
    store, rasa = server(db_url, domain)
    sender = f"p-{uuid.uuid4().hex}"
    asyncio.run(message(rasa, sender, "Zqa", 1))
    asyncio.run(message(rasa, sender, "Zqb", 2))
    # The session expired: Rasa adds a new session start to the tracker it retrieved.
    asyncio.run(message(rasa, sender, "Zqc", 3, new_session=True))
    remembered = asyncio.run(rasa.retrieve(sender))
    assert_same(remembered, read(db_url, domain, sender))
    assert [e.type_name for e in remembered.events][0] == "session_started"
    asyncio.run(message(rasa, sender, "Zqd", 4))
    assert_same(asyncio.run(rasa.retrieve(sender)), read(db_url, domain, sender))
    assert len(asyncio.run(store.retrieve_full_tracker(sender)).events) == 4 + 3 * 7 + 4 + 7


def test_another_server_writing_makes_the_first_read_again(db_url, domain):
    first, rasa_1 = server(db_url, domain)
    _, rasa_2 = server(db_url, domain)
    sender = f"p-{uuid.uuid4().hex}"
    asyncio.run(message(rasa_1, sender, "Zqa", 1))
    asyncio.run(message(rasa_1, sender, "Zqb", 2))
    # The next message reaches the other server behind nginx.
    tracker = asyncio.run(rasa_2.get_or_create_tracker(sender, append_action_listen=False))
    tracker.update(typed("Zqc", intent="affirm"))
    tracker.update(SlotSet("age", 41.0))
    tracker.update(ActionExecuted("action_listen"))
    asyncio.run(rasa_2.save(tracker))
    back = asyncio.run(rasa_1.retrieve(sender))
    assert back.latest_message.intent_name == "affirm"
    assert back.get_slot("age") == 41.0
    assert_same(back, read(db_url, domain, sender))
    # And the first server goes on from there, storing nothing twice.
    asyncio.run(message(rasa_1, sender, "Zqd", 4))
    assert_same(asyncio.run(rasa_1.retrieve(sender)), read(db_url, domain, sender))
    assert len(asyncio.run(first.retrieve_full_tracker(sender)).events) == 4 + 7 + 7 + 3 + 7


def test_a_message_that_fails_before_its_save_leaves_nothing_behind(db_url, domain):
    store, rasa = server(db_url, domain)
    sender = f"p-{uuid.uuid4().hex}"
    asyncio.run(message(rasa, sender, "Zqa", 1))
    before = read(db_url, domain, sender)
    # The action server is down: Rasa changed the tracker, then the channel gave up on it.
    tracker = asyncio.run(rasa.get_or_create_tracker(sender, append_action_listen=False))
    tracker.update(typed("Zqfailed"))
    tracker.update(EntitiesAdded([{"entity": "age", "value": 77}]))
    tracker.update(SlotSet("age", 77.0))
    tracker.slots["permit_type"].value = "work"
    tracker.active_loop.rejected = True
    again = asyncio.run(rasa.retrieve(sender))
    assert again.get_slot("age") is None and again.get_slot("permit_type") is None
    assert not again.active_loop.rejected
    assert_same(again, before)


def test_a_save_the_database_refuses_is_not_remembered(db_url, domain):
    """The database is unreachable for the whole save (the events table gone from under
    it): after the retries the save fails, and what was not stored is not served."""
    store, rasa = server(db_url, domain)
    sender = f"p-{uuid.uuid4().hex}"
    asyncio.run(message(rasa, sender, "Zqa", 1))
    before = read(db_url, domain, sender)
    tracker = asyncio.run(rasa.get_or_create_tracker(sender, append_action_listen=False))
    tracker.update(typed("Zqlost"))
    tracker.update(SlotSet("age", 33.0))
    admin = sa.create_engine(db_url)
    with admin.begin() as connection:
        connection.execute(sa.text("ALTER TABLE events RENAME TO events_away"))
    try:
        with pytest.raises(sa.exc.OperationalError if "sqlite" in db_url else sa.exc.ProgrammingError):
            asyncio.run(rasa.save(tracker))
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text("ALTER TABLE events_away RENAME TO events"))
        admin.dispose()
    assert store.cache.get(sender) is None
    again = asyncio.run(rasa.retrieve(sender))
    assert again.get_slot("age") is None
    assert_same(again, before)


def test_a_restart_deletes_what_was_remembered(db_url, domain):
    store, rasa = server(db_url, domain)
    sender = f"p-{uuid.uuid4().hex}"
    asyncio.run(message(rasa, sender, "Zqa", 1))
    asyncio.run(message(rasa, sender, "Zqb", 2))
    tracker = asyncio.run(rasa.get_or_create_tracker(sender, append_action_listen=False))
    tracker.update(UserUttered("/restart", parse_data={"intent": {"name": "restart"}}))
    tracker.update(ActionExecuted("action_restart"))
    tracker.update(Restarted())
    asyncio.run(rasa.save(tracker))
    assert store.cache.get(sender) is None
    assert asyncio.run(rasa.retrieve(sender)) is None
    # The greeting after the restart (the channel asks again) starts from nothing.
    fresh = asyncio.run(message(rasa, sender, "Zqc", 3))
    assert fresh.get_slot("stage") == "step-3"
    back = asyncio.run(rasa.retrieve(sender))
    assert back.get_slot("age") is None
    assert [e.intent_name for e in back.events if isinstance(e, UserUttered)] == ["inform"]
    assert_same(back, read(db_url, domain, sender))


def test_a_restart_on_another_server_is_seen_even_when_ids_come_back(db_url, domain):
    """SQLite gives the ids of deleted last rows again: a conversation deleted and stored
    anew with as many rows has the same count and largest id; its timestamps differ."""
    first, rasa_1 = server(db_url, domain)
    _, rasa_2 = server(db_url, domain)
    sender = f"p-{uuid.uuid4().hex}"
    asyncio.run(message(rasa_1, sender, "Zqa", 1))  # 4 + 7 rows, the last ones of the table
    assert asyncio.run(rasa_1.retrieve(sender)).get_slot("stage") == "step-1"
    stored = asyncio.run(first.retrieve_full_tracker(sender))
    tracker = asyncio.run(rasa_2.get_or_create_tracker(sender, append_action_listen=False))
    tracker.update(UserUttered("/restart", parse_data={"intent": {"name": "restart"}}))
    tracker.update(ActionExecuted("action_restart"))
    tracker.update(Restarted())
    again = [*session_start({"language": "sv"}), typed("Zqb", intent="greet")]
    again += [SlotSet("stage", "restarted"), SlotSet("language", "sv"), *answer(2)[2:]]
    assert len(again) == len(stored.events)
    for event in again:
        tracker.update(event)
    asyncio.run(rasa_2.save(tracker))
    back = asyncio.run(rasa_1.retrieve(sender))
    assert back.get_slot("stage") == "restarted"
    assert [e.intent_name for e in back.events if isinstance(e, UserUttered)] == ["greet"]
    assert_same(back, read(db_url, domain, sender))


def test_a_purged_conversation_does_not_come_back(db_url, domain):
    store, rasa = server(db_url, domain)
    sender = f"p-{uuid.uuid4().hex}"
    tracker = asyncio.run(rasa.get_or_create_tracker(sender, append_action_listen=False))
    for event in session_start({"language": "fi"}, at=time.time() - 40 * DAY):
        tracker.update(event)
    tracker.update(typed("Zqold", at=time.time() - 40 * DAY + 1))
    asyncio.run(rasa.save(tracker))
    assert asyncio.run(rasa.retrieve(sender)) is not None
    assert store.cache.get(sender) is not None
    engine = storage.create_engine(db_url)  # kotobotti purge: another process, another engine
    assert storage.purge(engine, 30) == 1
    engine.dispose()
    assert asyncio.run(rasa.retrieve(sender)) is None
    assert store.cache.get(sender) is None


def test_the_remembered_tracker_holds_no_typed_text(db_url, domain):
    store, rasa = server(db_url, domain)
    sender = f"p-{uuid.uuid4().hex}"
    markers = [f"Zq{uuid.uuid4().hex[:8]}" for _ in range(3)]
    for turn, marker in enumerate(markers):
        live = asyncio.run(message(rasa, sender, marker, turn))
        # The tracker Rasa answered with keeps the text it is answering (actions read it)...
        assert live.latest_message.text == f"{marker} asun Espoossa"
        # ...the remembered one, like the database, has no typed text at all.
        remembered = store.cache.get(sender).tracker
        seen = json.dumps(state(remembered)) + repr([vars(e) for e in remembered.events])
        seen += repr({name: slot.value for name, slot in remembered.slots.items()})
        assert not [m for m in markers if m in seen]
        assert [e.text for e in remembered.events if isinstance(e, UserUttered)] == [None] * (turn + 1)
        assert remembered.get_slot("session_started_metadata") == {"language": "fi"}
        # The entity value a slot took is kept; the one only typed is not.
        entities = remembered.latest_message.entities
        assert [e.get("value") for e in entities] == ["Espoo", None]


def test_a_tracker_not_handed_out_last_is_stored_by_rasas_count(db_url, domain):
    """Two reads of one conversation (the channel reads the slots while Rasa answers):
    the save of the first counts what is stored, and nothing is stored twice."""
    store, rasa = server(db_url, domain)
    sender = f"p-{uuid.uuid4().hex}"
    asyncio.run(message(rasa, sender, "Zqa", 1))
    answering = asyncio.run(rasa.get_or_create_tracker(sender, append_action_listen=False))
    asyncio.run(rasa.retrieve(sender))  # the channel's read of the slots
    answering.update(typed("Zqb"))
    for event in answer(2):
        answering.update(event)
    asyncio.run(rasa.save(answering))
    asyncio.run(rasa.save(answering))  # saved twice: the second stores nothing
    assert len(asyncio.run(store.retrieve_full_tracker(sender)).events) == 4 + 7 + 7
    assert_same(asyncio.run(rasa.retrieve(sender)), read(db_url, domain, sender))


def test_a_new_model_forgets_every_conversation(db_url, domain):
    store, rasa = server(db_url, domain)
    sender = f"p-{uuid.uuid4().hex}"
    asyncio.run(message(rasa, sender, "Zqa", 1))
    assert store.cache.get(sender) is not None
    rasa.domain = domain  # what the agent does when it loads a model
    assert store.cache.get(sender) is None
    assert_same(asyncio.run(rasa.retrieve(sender)), read(db_url, domain, sender))


def test_the_least_recently_used_conversation_is_forgotten_first(db_url, domain):
    store, rasa = server(db_url, domain, cache_size=2)
    senders = [f"p-{uuid.uuid4().hex}" for _ in range(3)]
    for sender in senders:
        asyncio.run(message(rasa, sender, "Zqa", 1))
    assert len(store.cache) == 2 and store.cache.get(senders[0]) is None
    for sender in senders:
        assert_same(asyncio.run(rasa.retrieve(sender)), read(db_url, domain, sender))


def test_an_idle_conversation_is_forgotten():
    now = [1000.0]
    cache = TrackerCache(size=10, max_idle=60, clock=lambda: now[0])
    entry = tracker_cache.Entry(tracker_cache.EMPTY, 0, None, None)
    cache.put("a", entry)
    now[0] += 30
    cache.put("b", entry)
    assert cache.get("a") is entry
    now[0] += 31
    assert cache.get("a") is None and cache.get("b") is entry
    now[0] += 30
    assert cache.get("b") is None and len(cache) == 0


def test_many_conversations_at_once_are_each_what_the_database_gives(db_url, domain):
    """Ten people at once on one event loop, the database work on the store's threads."""
    store, rasa = server(db_url, domain)
    senders = [f"p-{uuid.uuid4().hex}" for _ in range(10)]

    async def talk(sender: str) -> None:
        for turn in range(4):
            await message(rasa, sender, f"Zq{turn}", turn)

    async def everyone() -> None:
        await asyncio.gather(*(talk(sender) for sender in senders))

    asyncio.run(everyone())
    for sender in senders:
        assert_same(asyncio.run(rasa.retrieve(sender)), read(db_url, domain, sender))
        assert len(asyncio.run(store.retrieve_full_tracker(sender)).events) == 4 + 4 * 7


def hold_writes(url: str, seconds: float) -> threading.Thread:
    """Another connection keeps every writer of the events table waiting for ``seconds``
    (as a long transaction of another server, or the purge, does); started and holding
    when this returns."""
    holding = threading.Event()

    def hold() -> None:
        engine = sa.create_engine(url)
        with engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                connection.exec_driver_sql("BEGIN")
                connection.exec_driver_sql("LOCK TABLE events IN EXCLUSIVE MODE")
            holding.set()
            time.sleep(seconds)
            connection.exec_driver_sql("COMMIT")
        engine.dispose()

    thread = threading.Thread(target=hold)
    thread.start()
    assert holding.wait(30)
    return thread


def test_a_cancelled_save_ends_before_its_caller_goes_on(db_url, domain):
    """A client gone cancels the message's task: the save already writing (here waiting
    for another writer) finishes first, so the conversation's lock is let go only after
    it, and nothing unsaved is remembered."""
    store, rasa = server(db_url, domain)
    sender = f"p-{uuid.uuid4().hex}"
    asyncio.run(message(rasa, sender, "Zqa", 1))
    engine = sa.create_engine(db_url)
    query = sa.text("SELECT count(*) FROM events WHERE sender_id = :s")

    async def cancelled() -> int:
        tracker = await rasa.get_or_create_tracker(sender, append_action_listen=False)
        tracker.update(typed("Zqb"))
        for event in answer(2):
            tracker.update(event)
        holder = hold_writes(db_url, 1.0)
        saving = asyncio.create_task(rasa.save(tracker))
        await asyncio.sleep(0.1)  # the save is waiting on its thread now
        saving.cancel()
        with pytest.raises(asyncio.CancelledError):
            await saving
        with engine.connect() as connection:
            stored = connection.execute(query, {"s": sender}).scalar_one()
        holder.join()
        return stored

    assert asyncio.run(cancelled()) == 4 + 7 + 7
    engine.dispose()
    assert store.cache.get(sender) is None
    assert_same(asyncio.run(rasa.retrieve(sender)), read(db_url, domain, sender))

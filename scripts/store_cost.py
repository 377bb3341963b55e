"""What one message costs the tracker store: retrieve a 40-event conversation, add a turn, save.

Stores on the same kind of database, run one after the other in alternating rounds
(the machine is shared: the medians of the rounds are what is printed):

- ``before``: ``rasa_components/tracker_store.py`` as it was before the memory of saved
  conversations (commit ``BEFORE``, read with git): every retrieve rebuilds the tracker
  from every stored row, every save asks Rasa's count first;
- ``no memory``: today's store with ``cache_size=0`` (what a conversation costs when it
  is not remembered: another server wrote it, or it was forgotten);
- ``remembered``: today's store, the conversation saved last by this store (what a
  conversation costs on the server that answered its previous message); and the same
  with the database work where ``DATABASE_IN_THREAD`` does not put it.

Each conversation starts with its session (5 events, of which Rasa's retrieve reads 4)
and has six turns of 6 events (the person's message, two slots, the action, its answer,
listening) before the measured message, whose retrieve reads 40 events and whose save
stores 6.

Then the same store under load, with its database work on the event loop and on its
worker threads (``DATABASE_IN_THREAD``): 10 conversations at once on one event loop,
each message also taking 12 ms of other work on the loop (the NLU pipeline and the
policies, about two thirds of the Rasa server's loop per message in the profile) and a
10 ms wait for the action server; messages per second, median of the rounds.

Usage: .venv/bin/python scripts/store_cost.py [--rounds 5] [--conversations 100]
       [--db-url postgresql://...]   (default: a new SQLite file per round; run it alone)
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BEFORE = "83cc858"  # main before rasa_components/tracker_cache.py
TURNS_BEFORE = 6
EVENTS_READ = 40
LOOP_WORK_MS = 12.0
ACTION_WAIT_MS = 10.0


def before_store() -> type | None:
    """``KotobottiTrackerStore`` as it was at ``BEFORE``; None without git or that commit."""
    try:
        source = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{BEFORE}:rasa_components/tracker_store.py"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    path = Path(tempfile.mkdtemp(prefix="store-before-")) / "tracker_store_before.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("tracker_store_before", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.KotobottiTrackerStore


def session() -> list:
    from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet

    return [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        SlotSet("session_started_metadata", {"language": "fi"}),
        SlotSet("language", "fi"),
        ActionExecuted("action_listen"),
    ]


def turn(number: int) -> list:
    """One message and the answer to it, as Rasa and the action server add them."""
    from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered

    text = f"message {number}: asun Espoossa ja olen 40-vuotias"
    return [
        UserUttered(
            text,
            parse_data={
                "intent": {"name": "inform", "confidence": 0.93},
                "entities": [{"entity": "municipality", "value": "Espoo", "start": 5, "end": 14}],
                "text": text,
                "intent_ranking": [
                    {"name": "inform", "confidence": 0.93},
                    {"name": "greet", "confidence": 0.04},
                ],
            },
            metadata={"language": "fi"},
            input_channel="rest",
            message_id=uuid.uuid4().hex,
        ),
        SlotSet("municipality", "Espoo"),
        SlotSet("stage", f"step-{number}"),
        ActionExecuted("profile_form", policy="RulePolicy", confidence=1.0),
        BotUttered(
            "Kuinka vanha olet? Vastaa numerolla, esimerkiksi 34.",
            data={"buttons": [{"title": "En halua sanoa", "payload": "/deny"}]},
            metadata={"language": "fi"},
        ),
        ActionExecuted("action_listen", policy="RulePolicy", confidence=1.0),
    ]


async def one_message(store: Any, sender: str, number: int) -> tuple[float, float]:
    """Milliseconds of the retrieve and of the save of one message."""
    started = time.perf_counter()
    tracker = await store.get_or_create_tracker(sender, append_action_listen=False)
    retrieved = time.perf_counter()
    if not tracker.events:
        for event in session():
            tracker.update(event)
    for event in turn(number):
        tracker.update(event)
    saving = time.perf_counter()
    await store.save(tracker)
    return (retrieved - started) * 1000, (time.perf_counter() - saving) * 1000


async def measure(make: Callable[[], Any], conversations: int) -> tuple[list[float], list[float]]:
    """Conversations built message by message, then one more message each, timed."""
    store = make()
    senders = [f"cost-{uuid.uuid4().hex}" for _ in range(conversations)]
    for number in range(TURNS_BEFORE):
        for sender in senders:
            await one_message(store, sender, number)
    retrieves, saves = [], []
    for sender in senders:
        retrieve, save = await one_message(store, sender, TURNS_BEFORE)
        retrieves.append(retrieve)
        saves.append(save)
    check = await store.retrieve(senders[0])
    assert len(check.events) == EVENTS_READ + len(turn(0)), len(check.events)
    store.engine.dispose()
    return retrieves, saves


def busy(milliseconds: float) -> None:
    """The event loop kept busy, as Rasa's own work per message keeps it."""
    until = time.perf_counter() + milliseconds / 1000
    while time.perf_counter() < until:
        pass


async def under_load(store: Any, conversations: int = 10, messages: int = 12) -> float:
    """Messages per second of ``conversations`` people at once on this event loop."""
    senders = [f"load-{uuid.uuid4().hex}" for _ in range(conversations)]
    for number in range(TURNS_BEFORE):
        for sender in senders:
            await one_message(store, sender, number)

    async def person(sender: str) -> None:
        for number in range(TURNS_BEFORE, TURNS_BEFORE + messages):
            busy(LOOP_WORK_MS)
            await asyncio.sleep(ACTION_WAIT_MS / 1000)
            await one_message(store, sender, number)

    started = time.perf_counter()
    await asyncio.gather(*(person(sender) for sender in senders))
    elapsed = time.perf_counter() - started
    store.engine.dispose()
    return conversations * messages / elapsed


def memory_per_conversation(domain: Any, url: str, conversations: int) -> float:
    """MB the memory holds per remembered 40-event conversation."""
    from rasa_components.tracker_store import KotobottiTrackerStore

    store = KotobottiTrackerStore(domain=domain, url=url)
    senders = [f"mem-{uuid.uuid4().hex}" for _ in range(conversations)]

    async def build() -> None:
        for number in range(TURNS_BEFORE):
            for sender in senders:
                await one_message(store, sender, number)

    asyncio.run(build())
    store.cache.clear()
    tracemalloc.start()
    asyncio.run(_retrieve_all(store, senders))
    held, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    store.engine.dispose()
    return held / conversations / 1e6


async def _retrieve_all(store: Any, senders: list[str]) -> None:
    for sender in senders:
        await store.retrieve(sender)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--conversations", type=int, default=100)
    parser.add_argument("--db-url", help="a database to use instead of a new SQLite file per round")
    args = parser.parse_args(argv)

    import logging

    logging.disable(logging.WARNING)
    from rasa.shared.core.domain import Domain

    import rasa_components  # noqa: F401 - Rasa's hot-path fixes, as in the server
    from rasa_components.tracker_store import KotobottiTrackerStore

    domain = Domain.load(str(ROOT / "domain.yml"))
    folder = Path(tempfile.mkdtemp(prefix="store-cost-"))

    def url(name: str) -> str:
        return args.db_url or f"sqlite:///{folder / f'{name}-{uuid.uuid4().hex[:8]}.db'}"

    from rasa_components import tracker_store

    configured = tracker_store.DATABASE_IN_THREAD
    old = before_store()
    stores: dict[str, tuple[Callable[[], Any], bool]] = {}
    if old is not None:
        stores["before"] = (lambda: old(domain=domain, url=url("before")), False)
    stores["no memory"] = (
        lambda: KotobottiTrackerStore(domain=domain, url=url("off"), cache_size=0),
        configured,
    )
    stores["remembered"] = (lambda: KotobottiTrackerStore(domain=domain, url=url("on")), configured)
    stores[f"remembered, {'on the loop' if configured else 'threads'}"] = (
        lambda: KotobottiTrackerStore(domain=domain, url=url("other")),
        not configured,
    )

    results: dict[str, dict[str, list[float]]] = {name: {"retrieve": [], "save": []} for name in stores}
    try:
        for round_ in range(args.rounds):
            for name, (make, in_thread) in stores.items():
                tracker_store.DATABASE_IN_THREAD = in_thread
                retrieves, saves = asyncio.run(measure(make, args.conversations))
                results[name]["retrieve"].append(statistics.median(retrieves))
                results[name]["save"].append(statistics.median(saves))
            print(f"round {round_ + 1}/{args.rounds} done", file=sys.stderr)
    finally:
        tracker_store.DATABASE_IN_THREAD = configured

    where = "PostgreSQL" if args.db_url and args.db_url.startswith("postgresql") else "SQLite (WAL)"
    print(
        f"{where}; a {EVENTS_READ}-event conversation, one message of {len(turn(0))} events; "
        f"{args.conversations} conversations per round, median of {args.rounds} rounds' medians"
    )
    print("(wall time of each call, one at a time; on threads it includes handing the work over)")
    print(f"{'store':24} {'retrieve ms':>12} {'save ms':>9} {'both ms':>9} {'vs before':>10}")
    base = None
    for name, times in results.items():
        retrieve = statistics.median(times["retrieve"])
        save = statistics.median(times["save"])
        both = retrieve + save
        base = both if base is None else base
        print(f"{name:24} {retrieve:12.2f} {save:9.2f} {both:9.2f} {both / base:9.2f}x")
    if old is None:
        print(f"(no 'before': git or commit {BEFORE} not available)")
    megabytes = memory_per_conversation(domain, url("memory"), 50)
    print(f"memory per remembered {EVENTS_READ}-event conversation: {megabytes:.3f} MB")

    rates: dict[bool, list[float]] = {False: [], True: []}
    try:
        for round_ in range(args.rounds):
            for in_thread in rates:
                tracker_store.DATABASE_IN_THREAD = in_thread
                store = KotobottiTrackerStore(domain=domain, url=url("load"))
                rates[in_thread].append(asyncio.run(under_load(store)))
            print(f"load round {round_ + 1}/{args.rounds} done", file=sys.stderr)
    finally:
        tracker_store.DATABASE_IN_THREAD = configured
    print(
        f"under load: 10 conversations at once, {LOOP_WORK_MS:.0f} ms of other work on the loop and "
        f"a {ACTION_WAIT_MS:.0f} ms action wait per message; median of {args.rounds} rounds"
    )
    on_loop = statistics.median(rates[False])
    for in_thread, values in rates.items():
        name = "database work on worker threads" if in_thread else "database work on the event loop"
        rate = statistics.median(values)
        print(f"  {name:34} {rate:6.1f} messages/s  {rate / on_loop:5.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())

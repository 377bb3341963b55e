"""The tracker store's memory of the conversations it saved last: no rebuild per message.

Rasa's SQL store rebuilds the tracker at every message from every stored event of the
conversation's session (a query, ``json.loads`` and an ``Event`` object per row, and a
replay of them all), and asks the database how many events it holds before it stores
the new ones. Under 10 concurrent conversations that was a third of the Rasa server's
event loop (py-spy, ``python -m bench.profile``). This module keeps, per conversation,
the tracker exactly as the database would rebuild it, and what the database held then:

- ``Entry.tracker`` is never handed out: ``retrieve`` hands out a ``working_copy`` (Rasa
  changes the tracker it gets while it answers), and a successful save moves the entry
  on by replaying the *stored* form of the new events on it, the very dictionaries the
  database got. So it holds no typed text (``without_typed_text``), a failed message
  leaves it as it was, and it equals what a rebuild from the database gives.
- ``Entry.signature`` is what the database held for the conversation (count, largest
  id, latest timestamp of its rows). Before the entry is used the store asks the
  database for it again (one indexed query): another Rasa server behind nginx, ``kotobotti
  purge`` or a restart deleting the conversation changes it, and the store then reads the
  conversation as before.
"""

from __future__ import annotations

import collections
import copy
import dataclasses
import time
import weakref
from collections.abc import Callable, Iterable
from typing import Any

from rasa.shared.core.events import SessionStarted, deserialise_events
from rasa.shared.core.trackers import DialogueStateTracker

# How many conversations are remembered (least recently used forgotten first). A
# 40-event conversation takes about 0.04 MB here (scripts/store_cost.py prints it); in
# the Rasa server's resident memory 1000 cost about 50 MB (scripts/soak.py on SQLite:
# 269 MB without the memory, with it 300 MB after 1000 conversations, level at 317 MB
# from 1500 to 3000). A conversation is active for minutes, and one server answers tens
# at once (bench: 10 and 50 concurrent): 1000 hold every conversation active within the last hour (the idle
# limit below) even when a new one starts every 4 seconds, all day. One forgotten costs
# only what every message cost before: a read of the database.
DEFAULT_SIZE = 1000

# A conversation untouched this long is forgotten (at the next use of the memory): Rasa
# starts a new session after 60 minutes of silence (domain.yml session_config), and what
# the assistant knows of a person stays in the server's memory no longer than needed.
MAX_IDLE_SECONDS = 3600.0

SESSION_STARTED = SessionStarted.type_name


@dataclasses.dataclass(frozen=True)
class Signature:
    """What the database holds for one conversation: how many rows, the largest id and the
    latest timestamp. Another writer changes it: an insert the count and the id, a
    deletion the count, and a deletion followed by as many new rows (SQLite may give
    a deleted row's id again) the latest timestamp."""

    count: int
    max_id: int | None
    max_timestamp: float | None

    @classmethod
    def of(cls, row: Iterable[Any]) -> Signature:
        count, max_id, max_timestamp = row
        return cls(int(count or 0), max_id, max_timestamp)

    def plus(self, rows: list[dict[str, Any]], max_id: int | None) -> Signature:
        """The signature after ``rows`` (stored events, with the largest new id) were added."""
        ids = [i for i in (self.max_id, max_id) if i is not None]
        stamps = [t for t in [self.max_timestamp, *(r.get("timestamp") for r in rows)] if t is not None]
        return Signature(self.count + len(rows), max(ids, default=None), max(stamps, default=None))


EMPTY = Signature(0, None, None)


@dataclasses.dataclass(frozen=True)
class Entry:
    """One conversation as the database holds it.

    ``stored`` is how many rows Rasa's retrieve reads (those of the latest session: from
    the latest ``session_started`` timestamp, ``session_start``) and so how many events
    of a tracker built on this entry are stored already; ``tracker`` is those rows
    rebuilt (None when there are none: Rasa's retrieve then returns None). ``lent`` is
    the working copy handed out last: a save of exactly that tracker stores its events
    from ``stored`` on without asking the database how many it holds.
    """

    signature: Signature
    stored: int
    session_start: float | None
    tracker: DialogueStateTracker | None
    lent: weakref.ReferenceType[DialogueStateTracker] | None = None

    def lent_to(self, tracker: DialogueStateTracker | None) -> Entry:
        return dataclasses.replace(self, lent=weakref.ref(tracker) if tracker is not None else None)

    def is_lent(self, tracker: DialogueStateTracker) -> bool:
        return self.lent is not None and self.lent() is tracker


def _in_session(timestamp: float | None, session_start: float | None) -> bool:
    """Whether a row with ``timestamp`` is read by Rasa's retrieve (its SQL, in Python:
    ``timestamp >= session_start OR session_start IS NULL``; NULL compares false)."""
    if session_start is None:
        return True
    return timestamp is not None and timestamp >= session_start


def _latest_start(rows: Iterable[dict[str, Any]], start: float | None = None) -> float | None:
    stamps = [r.get("timestamp") for r in rows if r.get("event") == SESSION_STARTED]
    stamps = [t for t in [start, *stamps] if t is not None]
    return max(stamps, default=None)


def loaded(signature: Signature, rows: list[dict[str, Any]], tracker: DialogueStateTracker | None) -> Entry:
    """The entry of a conversation just read: ``rows`` (its latest session as stored)
    rebuilt into ``tracker``, with the signature read *before* the rows (a write in
    between then only makes the next check fail)."""
    return Entry(signature, len(rows), _latest_start(rows), tracker)


def advanced(
    entry: Entry,
    rows: list[dict[str, Any]],
    max_id: int | None,
    rebuild: Callable[[list[dict[str, Any]]], DialogueStateTracker | None],
) -> Entry | None:
    """``entry`` after ``rows`` (the stored form of new events, as the database returns
    them) were added in one transaction; None when it cannot be known without reading.

    Rasa's retrieve reads the rows from the latest ``session_started`` on, by timestamp:
    without a new session the rows of it are replayed on the entry's tracker (as a
    rebuild would replay them), with a new one the tracker is rebuilt from the new rows
    alone (the older ones are before it).
    """
    start = _latest_start(rows, entry.session_start)
    signature = entry.signature.plus(rows, max_id)
    if start == entry.session_start:
        kept = [r for r in rows if _in_session(r.get("timestamp"), start)]
        if entry.tracker is None:
            return Entry(signature, len(kept), start, rebuild(kept) if kept else None)
        for event in deserialise_events(kept):
            entry.tracker.update(event)
        return Entry(signature, entry.stored + len(kept), start, entry.tracker)
    if entry.tracker is not None and any(_in_session(e.timestamp, start) for e in entry.tracker.events):
        return None  # an older row after the new session start (clocks apart): read it again
    kept = [r for r in rows if _in_session(r.get("timestamp"), start)]
    return Entry(signature, len(kept), start, rebuild(kept) if kept else None)


def working_copy(tracker: DialogueStateTracker) -> DialogueStateTracker:
    """A tracker equal to ``tracker`` that Rasa may change while it answers, without
    changing ``tracker``: Rasa appends events (a new deque), sets slots (each slot
    copied), changes the active loop in place, and changes the latest user message in
    place (``EntitiesAdded``, ``DefinePrevUserUtteredFeaturization``), so that one is
    copied too, where it is in the events. Other events are never changed: shared."""
    new = tracker.__class__.__new__(tracker.__class__)
    new.__dict__.update(tracker.__dict__)
    new.events = collections.deque(tracker.events, maxlen=tracker.events.maxlen)
    slots = tracker.slots.__class__()
    slots.update((name, copy.copy(slot)) for name, slot in tracker.slots.items())
    new.slots = slots
    if tracker.latest_action is not None:
        new.latest_action = dict(tracker.latest_action)
    if tracker.active_loop is not None:
        new.active_loop = dataclasses.replace(tracker.active_loop)
    latest = tracker.latest_message
    if latest is not None:
        own = copy.deepcopy(latest)
        new.latest_message = own
        for index in range(len(new.events) - 1, -1, -1):
            if new.events[index] is latest:
                new.events[index] = own
                break
    return new


class TrackerCache:
    """Entries by conversation id, the least recently used forgotten first, and any
    untouched for ``max_idle`` seconds. Only the event loop's thread uses it."""

    def __init__(
        self,
        size: int = DEFAULT_SIZE,
        max_idle: float = MAX_IDLE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.size = size
        self.max_idle = max_idle
        self.clock = clock
        self._entries: collections.OrderedDict[str, tuple[Entry, float]] = collections.OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, sender_id: str) -> Entry | None:
        """The conversation's entry (None if none, or forgotten for being idle)."""
        self._forget_idle()
        found = self._entries.get(sender_id)
        return found[0] if found is not None else None

    def put(self, sender_id: str, entry: Entry) -> None:
        if self.size <= 0:
            return
        self._entries[sender_id] = (entry, self.clock())
        self._entries.move_to_end(sender_id)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)
        self._forget_idle()

    def drop(self, sender_id: str) -> None:
        self._entries.pop(sender_id, None)

    def clear(self) -> None:
        self._entries.clear()

    def _forget_idle(self) -> None:
        oldest = self.clock() - self.max_idle
        while self._entries:
            _, used = next(iter(self._entries.values()))
            if used >= oldest:
                break
            self._entries.popitem(last=False)

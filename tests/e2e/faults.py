"""What the fault and load tests share: people who talk over REST and what they may be told.

A message gets one of two outcomes, never a third: an answer, or the channel's clear
"try again shortly" in the person's language (``bot.channels.texts.TRY_AGAIN``), after
which the person sends the same message again, as anyone would. A 5xx, an empty reply
or a lost connection fails the test (``serve.send`` raises).
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa

from bot import serve, storage
from bot.channels.texts import TRY_AGAIN
from bot.i18n import translator
from bot.pseudonym import pseudonym

RETRY_PAUSE_SECONDS = 0.5
MAX_TRIES = 60  # at 0.5 s apart and each send up to its timeout: outlasts any fault in a test


def refusal(language: str) -> list[str]:
    """The texts of a refusal, in ``language``."""
    return [translator(language)(TRY_AGAIN)]


@dataclass
class Tally:
    """Answers and refusals, counted across threads."""

    answered: int = 0
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, answered: bool) -> None:
        with self.lock:
            if answered:
                self.answered += 1
            else:
                self.refused += 1


@dataclass
class Person:
    """One conversation over REST; ``answered`` counts the messages that got an answer."""

    sender: str
    language: str
    tally: Tally
    # Seconds a reply may take: generous, since a test asserts answers, not speed (make bench
    # measures latency), and a shared 2-core machine under 50 conversations is slow.
    timeout: float = 600
    answered: int = 0
    replies: list[list[dict]] = field(default_factory=list)

    @property
    def key(self) -> str:
        """The conversation's id in Rasa and the database (the REST channel pseudonymises)."""
        return pseudonym("rest", self.sender)

    def say(self, base: str, message: str) -> list[dict]:
        """Send ``message`` until it is answered; each refusal must be the clear one. The
        language goes with every message, as the widget and the Telegram bridge send it."""
        for _ in range(MAX_TRIES):
            replies = serve.send(base, self.sender, message, {"language": self.language}, self.timeout)
            texts = [reply.get("text") for reply in replies]
            assert replies, f"{self.sender}: no reply at all to a message"
            if texts == refusal(self.language):
                self.tally.add(False)
                time.sleep(RETRY_PAUSE_SECONDS)
                continue
            self.tally.add(True)
            self.answered += 1
            self.replies.append(replies)
            return replies
        raise AssertionError(f"{self.sender}: refused {MAX_TRIES} times")


def recommendations(replies: list[dict]) -> list[dict]:
    """The contract §3 recommendations among a turn's replies (empty when there are none)."""
    found = [
        reply["custom"]["recommendations"]
        for reply in replies
        if "recommendations" in (reply.get("custom") or {})
    ]
    return found[0] if found else []


def stored_conversations(url: str) -> dict[str, list[tuple[str, str | None, float]]]:
    """sender -> its events as stored (type, action name, timestamp), in the order written."""
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                f"SELECT sender_id, type_name, action_name, timestamp FROM {storage.EVENTS_TABLE} ORDER BY id"
            )
        ).all()
    engine.dispose()
    conversations: dict[str, list[tuple[str, str | None, float]]] = defaultdict(list)
    for sender, kind, action, timestamp in rows:
        conversations[sender].append((kind, action, timestamp))
    return conversations


def assert_stored_once_in_order(events: list[tuple[str, str | None, float]], messages: int) -> None:
    """One user event per answered message, no event twice, timestamps never going back, and
    every turn finished (the bot listening again) before the next one began."""
    assert events == sorted(set(events), key=events.index), "an event stored twice"
    stamps = [timestamp for _, _, timestamp in events]
    assert stamps == sorted(stamps), "events stored out of order"
    users = [i for i, (kind, _, _) in enumerate(events) if kind == "user"]
    assert len(users) == messages, f"{len(users)} user events stored for {messages} answered messages"
    for before, after in zip(users, [*users[1:], len(events)], strict=True):
        actions = [action for kind, action, _ in events[before:after] if kind == "action"]
        assert actions and actions[-1] == "action_listen", actions
        assert actions.count("action_listen") == 1, actions

"""What the channels need to tell a person the truth when part of the system fails.

Rasa 3.6 hides two kinds of failure from the channel that asked for an answer:

- **An action that cannot run** (the action server is down, or answers with an error):
  ``MessageProcessor._run_action`` catches every exception, logs "Encountered an
  exception while running action ..." and goes on without the action's events. The
  person gets no answer at all, or a half one, and the channel cannot tell why (Rasa
  has no fallback for it: RasaHQ/rasa#5588, #7630). :func:`watching_actions` notices
  that log record for the message being answered (a ``ContextVar`` follows the
  message's asyncio task, so parallel conversations never see each other's failures),
  and the channel then says so itself (``bot.conversation.texts.unavailable``). Nothing
  in Rasa's behaviour changes: the handler only observes.
- **A database that cannot be read or written**: the agent wraps every tracker store in
  ``FailSafeTrackerStore``, which turns a failed read into "no conversation yet" (the
  person is greeted as a stranger and their answers are gone) and a failed write into a
  write to the server's memory (lost at the next message, or at a restart). For
  Kotobotti a refusal ("try again shortly") is honest and loses nothing;
  :func:`strict_storage` makes the wrapper pass the error on to the channel, which
  answers with it. Our own store retries a brief outage first
  (``rasa_components/tracker_store.py``).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from rasa.core.tracker_store import FailSafeTrackerStore

from bot.channels import texts as channel_texts
from bot.conversation import texts as conversation_texts
from bot.i18n import normalise_language, translator

logger = logging.getLogger(__name__)

# The logger and the start of the record with which Rasa 3.6 reports a failed action.
PROCESSOR_LOGGER = "rasa.core.processor"
FAILED_ACTION = "Encountered an exception while running action"

_failures: ContextVar[list[str] | None] = ContextVar("kotobotti_failed_actions", default=None)


class _FailedActions(logging.Handler):
    """Counts, for the message being answered, the actions Rasa could not run."""

    def emit(self, record: logging.LogRecord) -> None:
        failures = _failures.get()
        if failures is not None and str(record.msg).startswith(FAILED_ACTION):
            failures.append(type(record.exc_info[1]).__name__ if record.exc_info else "unknown")


_HANDLER = _FailedActions(level=logging.ERROR)


def _install() -> None:
    logger = logging.getLogger(PROCESSOR_LOGGER)
    if _HANDLER not in logger.handlers:
        logger.addHandler(_HANDLER)


@contextlib.contextmanager
def watching_actions() -> Iterator[list[str]]:
    """A list that fills, while the block runs, with one entry per action Rasa could not run
    for this task's message (the exception's class name: never its text, which may hold
    what the person typed)."""
    _install()
    failures: list[str] = []
    token = _failures.set(failures)
    try:
        yield failures
    finally:
        _failures.reset(token)


def _reraise(error: Exception) -> None:
    raise error


def strict_storage(agent: Any) -> None:
    """Let the agent's tracker store fail loudly: a database error reaches the channel
    instead of becoming a new conversation or a write to memory. Cheap and idempotent, so
    a channel calls it with every message (the agent changes when a model is loaded)."""
    store = getattr(agent, "tracker_store", None)
    if isinstance(store, FailSafeTrackerStore):
        store._on_tracker_store_error = _reraise


async def conversation_slots(agent: Any, sender: str) -> dict[str, Any]:
    """The stored slots of the sender's conversation; empty when there is none or the store
    cannot be read (what the channel says then must not fail too)."""
    store = getattr(agent, "tracker_store", None)
    if store is None:
        return {}
    try:
        tracker = await store.retrieve(sender)
    except Exception:  # noqa: BLE001 - a store problem must not cost the person an answer
        logger.warning("could not read the conversation's slots", exc_info=True)
        return {}
    return dict(tracker.current_slot_values()) if tracker is not None else {}


def _translator(slots: dict[str, Any], hint: str | None) -> Any:
    """The translator of the channel's own answers: the conversation's language, else the
    channel's hint, else English."""
    return translator(normalise_language(slots.get("language")) or normalise_language(hint))


async def channel_answer(agent: Any, sender: str, hint: str | None, text: str) -> dict[str, Any]:
    """One of the channel's own texts (an empty or too long message, ``Inbound.answer``) as a
    bot message ``{"text", "language"}`` in the person's language; the assistant is not asked."""
    _ = _translator(await conversation_slots(agent, sender), hint)
    return {"text": _(text), "language": _.language}


async def own_answer(
    agent: Any, sender: str, hint: str | None, error: bool, broken: list[str], answered: bool
) -> list[dict[str, Any]]:
    """What a channel says itself after Rasa handled (or failed on) a message, as bot
    messages ``{"text", "language"}``; empty when Rasa's answer stands alone.

    - ``error``: the message was not answered (the database or Redis could not be reached:
      nothing of it was stored): "try again shortly";
    - ``broken``: actions could not run (the action server is down): that it is a fault,
      that nothing is lost, and the general guidance with contacts;
    - nothing ``answered``: "I did not understand", so no message goes without a reply.
    """
    if answered and not error and not broken:
        return []
    slots = await conversation_slots(agent, sender)
    _ = _translator(slots, hint)
    if error:
        texts = [_(channel_texts.TRY_AGAIN)]
        logger.error("ALERT: a message could not be answered; the person was asked to try again")
    elif broken:
        texts = [message.text or "" for message in conversation_texts.unavailable(slots, _)]
        logger.error(
            "ALERT: %d action(s) could not run (%s); the person was given general guidance",
            len(broken),
            ", ".join(sorted(set(broken))),
        )
    else:
        texts = [_(conversation_texts.NOT_UNDERSTOOD)]
    return [{"text": text, "language": _.language} for text in texts]

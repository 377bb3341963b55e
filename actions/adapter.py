"""Tracker → ``bot.conversation.State``, and ``Turn`` → dispatcher messages and slot events."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.conversation import State, Turn
from bot.semantic import MEANING_KEY, decode_meaning

FORM = "profile_form"


def state_of(tracker: Tracker) -> State:
    latest = tracker.latest_message or {}
    intent = latest.get("intent") or {}
    entities: dict[str, Any] = {}
    for entity in latest.get("entities") or []:
        if isinstance(entity, dict) and "entity" in entity:
            entities.setdefault(entity["entity"], entity.get("value"))
    return State(
        slots=dict(tracker.slots),
        intent=intent.get("name"),
        confidence=float(intent.get("confidence") or 0.0),
        text=latest.get("text") or "",
        entities=entities,
        metadata=latest.get("metadata") or {},
        fresh=_unhandled(tracker),
        meaning=decode_meaning(latest.get(MEANING_KEY)),
    )


def _unhandled(tracker: Tracker) -> bool:
    """Whether no action has handled the latest user message yet.

    The tracker a form's validation action gets ends with the form's own action, so the
    action before it tells: ``action_listen`` when the user just answered the form's
    question, another action (``action_respond``) when the form is being activated
    right after that action handled the message.
    """
    actions = [e.get("name") for e in tracker.events if e.get("event") == "action"]
    while actions and actions[-1] == FORM:
        actions.pop()
    return not actions or actions[-1] == "action_listen"


def emit(turn: Turn, dispatcher: CollectingDispatcher, language: str | None = None) -> list[EventType]:
    """The turn's messages, each tagged with the language it is written in (the web widget
    sets each message's ``lang`` and ``dir`` from it; REST and Telegram ignore it)."""
    written_in = turn.slots.get("language") or language or "en"
    for message in turn.messages:
        buttons = [{"title": title, "payload": payload} for title, payload in message.buttons]
        dispatcher.utter_message(
            text=message.text, buttons=buttons or None, json_message=message.custom, language=written_in
        )
    return [SlotSet(name, value) for name, value in turn.slots.items()]

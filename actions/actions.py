"""The custom actions the domain names. Each one is a few lines: the work is in ``bot``."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, Restarted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.adapter import emit, state_of
from bot import conversation, tables
from bot.conversation import unanswered
from bot.i18n import translator

log = logging.getLogger(__name__)


def _keep(state: conversation.State, turn: conversation.Turn) -> None:
    """What a turn gives staff, in our own tables and without ids: a one-tap rating as
    (day, language, rating), a message not understood that the person allowed us to keep
    as (day, language, scrubbed text). A database problem costs the statistics, never the
    answer, and is logged without anything about the person."""
    rating = turn.slots.get("rating")
    if not rating and not turn.unanswered:
        return
    language = turn.slots.get("language") or state.slots.get("language") or "en"
    try:
        engine = tables.configured_engine()
        if rating:
            tables.record_rating(engine, language, rating)
        if turn.unanswered:
            tables.record_unanswered(engine, language, turn.unanswered)
    except Exception as exc:  # noqa: BLE001 - the type only: a database error may quote the row
        log.error("could not keep a rating or a message not understood (%s)", type(exc).__name__)


def _action(name: str, turn: Callable[[conversation.State], conversation.Turn], doc: str) -> type[Action]:
    """An action that hands the tracker's state to one function of bot.conversation."""

    async def run(
        self: Action, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        state = state_of(tracker)
        answer = turn(state)
        _keep(state, answer)
        return emit(answer, dispatcher, tracker.get_slot("language"))

    attributes: dict[str, Any] = {"run": run, "name": lambda self: name, "__doc__": doc}
    return type("".join(part.title() for part in name.split("_")), (Action,), attributes)


ActionFirstContact = _action(
    "action_first_contact", conversation.first_contact, "The first message: safety, who we are, consent."
)
ActionConsent = _action("action_consent", conversation.consent, "The answer to the consent question.")
ActionRespond = _action(
    "action_respond", conversation.respond, "Every other message outside the form: help, corrections..."
)
ActionRecommend = _action(
    "action_recommend", conversation.recommend, "The recommendations, once the form has every fact it needs."
)


class ActionForget(Action):
    """ "Delete my data": confirms (bot.conversation.forget), then restarts the conversation;
    the tracker store deletes a restarted conversation from the database at once, and
    keeps the deletion audit (as for ``/forget`` and the widget's delete button)."""

    def name(self) -> str:
        return "action_forget"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        emit(conversation.forget(state_of(tracker)), dispatcher, tracker.get_slot("language"))
        return [Restarted()]


def _ask(slot: str) -> type[Action]:
    """action_ask_<slot>: the form's question, unless the log's question was just put
    (bot/conversation/unanswered.py): then the form asks after that answer."""

    async def run(
        self: Action, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if unanswered.asked_now(tracker.events):
            return []
        state = state_of(tracker)
        ask = conversation.Turn([conversation.question(slot, state, translator(state.slots.get("language")))])
        return emit(ask, dispatcher, tracker.get_slot("language"))

    name = f"action_ask_{slot}"
    attributes: dict[str, Any] = {"run": run, "name": lambda self: name, "__doc__": f"Asks for {slot}."}
    return type("".join(part.title() for part in name.split("_")), (Action,), attributes)


# action_ask_<slot>: the form's question for each slot, with its buttons.
ASK_ACTIONS = [_ask(slot) for slot in conversation.PROFILE_SLOTS]


class ValidateProfileForm(FormValidationAction):
    """Takes every fact a message gives, refuses values that make no sense."""

    def name(self) -> str:
        return "validate_profile_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        return conversation.required_slots(dict(tracker.slots))

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        state = state_of(tracker)
        turn = conversation.validate(state)
        _keep(state, turn)
        events = emit(turn, dispatcher, tracker.get_slot("language"))
        tracker.add_slots(events)
        next_slot = await self.next_requested_slot(dispatcher, tracker, domain)
        return events + ([next_slot] if next_slot else [])

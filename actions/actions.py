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
from bot.i18n import translator

log = logging.getLogger(__name__)


def _action(name: str, turn: Callable[[conversation.State], conversation.Turn], doc: str) -> type[Action]:
    """An action that hands the tracker's state to one function of bot.conversation."""

    async def run(
        self: Action, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return emit(turn(state_of(tracker)), dispatcher, tracker.get_slot("language"))

    attributes: dict[str, Any] = {"run": run, "name": lambda self: name, "__doc__": doc}
    return type("".join(part.title() for part in name.split("_")), (Action,), attributes)


ActionFirstContact = _action(
    "action_first_contact", conversation.first_contact, "The first message: safety, who we are, consent."
)
ActionConsent = _action("action_consent", conversation.consent, "The answer to the consent question.")
def _respond(state: conversation.State) -> conversation.Turn:
    """``conversation.respond``; a one-tap rating it took is also kept for staff, as
    (day, language, rating) only. A database problem costs the statistics, never the answer."""
    turn = conversation.respond(state)
    rating = turn.slots.get("rating")
    if rating:
        language = turn.slots.get("language") or state.slots.get("language") or "en"
        try:
            tables.record_rating(tables.configured_engine(), language, rating)
        except Exception:  # noqa: BLE001 - logged without anything about the person
            log.exception("could not keep a rating")
    return turn


ActionRespond = _action(
    "action_respond", _respond, "Every other message outside the form: help, corrections..."
)
ActionRecommend = _action(
    "action_recommend", conversation.recommend, "The recommendations, once the form has every fact it needs."
)


class ActionForget(Action):
    """ "Delete my data": confirms (bot.conversation.forget), then restarts the conversation;
    the tracker store deletes a restarted conversation from the database at once."""

    def name(self) -> str:
        return "action_forget"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        emit(conversation.forget(state_of(tracker)), dispatcher, tracker.get_slot("language"))
        try:  # the audit: that a conversation was deleted on this channel today, nothing more
            channel = tracker.get_latest_input_channel() or "unknown"
            tables.record_deletion(tables.configured_engine(), channel)
        except Exception:  # noqa: BLE001 - the deletion goes on; logged without ids
            log.exception("could not keep the deletion audit")
        return [Restarted()]


def _ask(slot: str) -> Callable[[conversation.State], conversation.Turn]:
    def ask(state: conversation.State) -> conversation.Turn:
        return conversation.Turn(
            [conversation.question(slot, state, translator(state.slots.get("language")))]
        )

    return ask


# action_ask_<slot>: the form's question for each slot, with its buttons.
ASK_ACTIONS = [
    _action(f"action_ask_{slot}", _ask(slot), f"Asks for {slot}.") for slot in conversation.PROFILE_SLOTS
]


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
        events = emit(conversation.validate(state_of(tracker)), dispatcher, tracker.get_slot("language"))
        tracker.add_slots(events)
        next_slot = await self.next_requested_slot(dispatcher, tracker, domain)
        return events + ([next_slot] if next_slot else [])

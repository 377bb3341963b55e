"""The custom actions the domain names. Each one is a few lines: the work is in ``bot``."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.adapter import emit, state_of
from bot import conversation
from bot.i18n import translator


class ActionRespond(Action):
    """Every message outside the form: consent, help, greetings, corrections."""

    def name(self) -> str:
        return "action_respond"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return emit(conversation.respond(state_of(tracker)), dispatcher)


class ActionFirstContact(Action):
    """The first message: safety first, who we are, what we keep, and consent."""

    def name(self) -> str:
        return "action_first_contact"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return emit(conversation.first_contact(state_of(tracker)), dispatcher)


class ActionConsent(Action):
    """The answer to the consent question."""

    def name(self) -> str:
        return "action_consent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return emit(conversation.consent(state_of(tracker)), dispatcher)


class ActionRecommend(Action):
    """The recommendations, once the form has every fact it needs."""

    def name(self) -> str:
        return "action_recommend"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return emit(conversation.recommend(state_of(tracker)), dispatcher)


class ValidateProfileForm(FormValidationAction):
    """Takes every fact a message gives, refuses values that make no sense."""

    def name(self) -> str:
        return "validate_profile_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        return conversation.required_slots(dict(tracker.slots))

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events = emit(conversation.validate(state_of(tracker)), dispatcher)
        tracker.add_slots(events)
        next_slot = await self.next_requested_slot(dispatcher, tracker, domain)
        return events + ([next_slot] if next_slot else [])


def _ask_action(slot: str) -> type[Action]:
    """``action_ask_<slot>``: the form's question for one slot, with its buttons."""

    async def run(
        self: Action, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        state = state_of(tracker)
        message = conversation.question(slot, state, translator(state.slots.get("language")))
        return emit(conversation.Turn([message]), dispatcher)

    def name(self: Action) -> str:
        return f"action_ask_{slot}"

    attributes: dict[str, Any] = {"run": run, "name": name, "__doc__": f"Asks for {slot}."}
    return type(f"ActionAsk_{slot}", (Action,), attributes)


ASK_ACTIONS = [_ask_action(slot) for slot in conversation.PROFILE_SLOTS]

"""The form's questions: the right wording for how the conversation has gone so far.

A question is asked at most twice in the same way. First the question; after an
answer that was not understood, the question re-phrased; after a second, the choices
again with a person to contact; after a third the conversation moves on
(``bot.conversation.stages.validate``): an optional fact stays unknown, a missing
required fact ends in general guidance with the contacts. Every optional question
offers "I don't know".
"""

from __future__ import annotations

from bot import registry
from bot.conversation.texts import DONT_KNOW, human_contacts, value_label
from bot.conversation.turns import Message, State, payload
from bot.facts import FACTS
from bot.i18n import Translator

LARGEST_CITIES = ("Helsinki", "Espoo", "Tampere", "Vantaa", "Oulu", "Turku", "Jyväskylä", "Kuopio")
# Answers not understood, in a row, before each step: re-phrase, offer a person, move on.
REPHRASE_AFTER, OFFER_PERSON_AFTER, MOVE_ON_AFTER = 1, 2, 3


def buttons_for(slot: str, state: State, _: Translator) -> tuple[tuple[str, str], ...]:
    fact = FACTS[slot]
    if fact.kind == "municipality":
        cities = state.slots.get("municipality_candidates") or LARGEST_CITIES
        return tuple(
            (registry.load().by_name(c).name(_.language), payload("inform", municipality=c)) for c in cities
        )
    if fact.kind == "yes_no":
        choices = ((_("Yes"), payload("inform", **{slot: True})), (_("No"), payload("inform", **{slot: False})))
    else:
        choices = tuple((_(c.label), payload("inform", **{slot: c.value})) for c in fact.choices)
    if fact.optional:
        choices += ((_(DONT_KNOW), payload("dont_know")),)
    return choices


def clarification(state: State, _: Translator) -> Message | None:
    """ "Did you mean A or B?" when one answer could mean two values: asked, never guessed."""
    unsure = state.slots.get("unsure") or {}
    slot, values = unsure.get("slot"), unsure.get("values") or []
    if slot != state.requested or len(values) != 2:
        return None
    first, second = (value_label(slot, v, _) for v in values)
    return Message(
        _("Did you mean {first} or {second}?", first=first, second=second),
        tuple((value_label(slot, v, _), payload("inform", **{slot: v})) for v in values),
    )


def question(slot: str, state: State, _: Translator) -> Message:
    """The question for a slot, with buttons for its choices; re-phrased after a miss."""
    if (asked := clarification(state, _)) is not None:
        return asked
    fact = FACTS[slot]
    misses = int(state.slots.get("misses") or 0)
    prompt = _(fact.rephrased) if misses >= REPHRASE_AFTER else _(fact.question)
    if slot == "municipality" and state.slots.get("municipality_candidates"):
        prompt = _("Did you mean one of these? Tap the right one, or write the name again.")
    if misses >= OFFER_PERSON_AFTER:
        way_out = (
            _('If you do not know, tap "I don\'t know" and I will go on without it.')
            if fact.optional
            else _("If none of these fits, you can talk to a person:")
        )
        prompt += "\n" + way_out
        if not fact.optional:
            prompt += "\n" + (human_contacts(state, _).text or "")
    return Message(prompt, buttons_for(slot, state, _))

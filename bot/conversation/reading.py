"""Reading an answer in its context: which facts this message gives, refuses or leaves open.

Button payloads and typed ``/inform{...}`` are checked like any answer (a typed
``/inform{"age": -5}`` is refused, not trusted). Free text is read once by
``bot.understanding`` (lexicons and the sentence model together), with the question
that was asked: a lone "yes" or "34" means something only as an answer to it. Every
fact the message states is kept, optional ones included, whichever question was asked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot import registry, understanding
from bot.conversation.turns import State
from bot.facts import FACTS, FactError
from bot.i18n import Translator


def check(slot: str, value: Any) -> Any:
    """A slot value from a button, an entity or free text, checked; FactError if wrong."""
    fact = FACTS[slot]
    if fact.kind == "municipality":
        found = registry.load().resolve(str(value))
        if found.municipality is None:
            raise FactError(slot, value, "a Finnish municipality")
        return found.municipality.name_fi
    checked = fact.check(value)
    return float(checked) if fact.kind == "age" else checked


@dataclass
class Heard:
    """What one message gives: values, refused slots, candidates, "I don't know", doubts."""

    values: dict[str, Any] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)
    candidates: tuple[str, ...] = ()
    dont_know: bool = False
    unsure: dict[str, Any] | None = None


def utterance(state: State, _: Translator) -> understanding.Utterance:
    return understanding.Utterance(state.text, _.language, state.meaning)


def read(state: State, _: Translator) -> Heard:
    heard = Heard()
    for slot in FACTS:
        if slot in state.entities:
            try:
                heard.values[slot] = check(slot, state.entities[slot])
            except (FactError, TypeError, ValueError):
                heard.refused.append(slot)
    requested = state.requested
    if state.intent == "dont_know" and not state.text.strip().startswith("/inform"):
        heard.dont_know = True
    u = utterance(state, _)
    if not u.typed:
        return heard
    understood = understanding.understand(u, suggest=requested == "municipality", asked=requested)
    for slot, value in understood.slots().items():
        heard.values.setdefault(slot, value)
    if understood.answer == "dont_know" and requested and not heard.values:
        heard.dont_know = True
    current = state.slots.get("municipality")
    named = understood.municipality_candidates
    if understood.several_municipalities and current in named and len(named) == 2:
        # "actually I live in Vantaa, not Espoo": the one that is not the old answer.
        heard.values.setdefault("municipality", next(m for m in named if m != current))
    elif requested == "municipality" and "municipality" not in heard.values:
        heard.candidates = named
    if requested == "years_since_first_permit" and requested not in heard.values:
        numbers = [n for n in understanding.numbers_in(u.text, u.language) if 0 <= n <= 120]
        if len(numbers) == 1:
            heard.values[requested] = float(numbers[0])
    if requested == "age" and "age" not in heard.values and understanding.numbers_in(u.text, u.language):
        heard.refused.append("age")  # a number, but not an age: say what is accepted
    if understood.unsure and understood.unsure[0] not in heard.values:
        heard.unsure = {"slot": understood.unsure[0], "values": list(understood.unsure[1])}
    if heard.values:
        heard.dont_know = False
    return heard

"""The shapes every part of the conversation passes around: what an action knows
(``State``), what it answers (``Turn`` of ``Message``\\ s), and button payloads."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Message:
    """One bot message: text, optional buttons (title, payload), optional custom payload."""

    text: str | None = None
    buttons: tuple[tuple[str, str], ...] = ()
    custom: dict[str, Any] | None = None


@dataclass
class State:
    """What an action knows: the slots, and the latest user message."""

    slots: dict[str, Any]
    intent: str | None = None
    confidence: float = 1.0
    text: str = ""
    entities: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)
    # False when another action already handled this message (the form is being
    # activated right after action_respond): its values must not be applied twice.
    fresh: bool = True
    # The sentence model's scores for this message, when the Rasa pipeline computed
    # them (rasa_components/); None: bot.understanding embeds the text itself.
    meaning: dict[str, dict[Any, float]] | None = None

    @property
    def requested(self) -> str | None:
        return self.slots.get("requested_slot")

    @property
    def unknown(self) -> list[str]:
        """Optional facts the person said they do not know (never asked again)."""
        return list(self.slots.get("unknown_facts") or [])


@dataclass
class Turn:
    """What to say, and which slots to change (None clears a slot)."""

    messages: list[Message] = field(default_factory=list)
    slots: dict[str, Any] = field(default_factory=dict)
    # A message not understood, scrubbed, for the opt-in log (bot/conversation/unanswered.py):
    # the action writes it to its own table. Never a slot: slots are stored with the conversation.
    unanswered: str | None = None

    def say(
        self,
        message: str | None = None,
        buttons: tuple[tuple[str, str], ...] = (),
        custom: dict | None = None,
    ) -> None:
        self.messages.append(Message(message, buttons, custom))


def payload(intent: str, **entities: Any) -> str:
    """A button payload that Rasa reads as an intent with entities."""
    return f"/{intent}" + (json.dumps(entities, ensure_ascii=False) if entities else "")

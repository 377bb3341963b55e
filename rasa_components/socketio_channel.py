"""Rasa's socket.io channel, with each bot message sent whole, as the web widget needs it.

Rasa 3.6's own ``SocketIOOutput`` cannot carry the recommendation message (contract §3):
``send_custom_json`` passes the payload's keys to ``AsyncServer.emit`` as keyword
arguments, so ``{"recommendations": [...]}`` raises ``TypeError`` and the cards never
arrive. It also splits every text at blank lines into separate events, and drops what
an action adds to a message (the language it is written in). And with python-socketio
5.9 and later its ``session_request`` handler never joins the conversation's room
(``AsyncServer.enter_room`` became a coroutine that Rasa does not await), so with
``session_persistence`` no answer reached the browser at all.

Here every bot message is one ``bot_uttered`` event to the conversation's room::

    {"text": "...", "quick_replies": [{"content_type": "text", "title": "...",
     "payload": "..."}], "custom": {...}, "metadata": {"language": "ar"}}

(``quick_replies`` as the stock channel names buttons, so the widget reads both.) The
input side is Rasa's own (``user_uttered``, session persistence, ``metadata.language``
as the language hint) but for ``session_request``, which joins the room and accepts
only a well-formed session id, and for the output channel it hands to Rasa; a message
that is not text is refused instead of reaching the pipeline. credentials.yml names
this class in place of ``socketio``.
"""

from __future__ import annotations

import inspect
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from rasa.core.channels.socketio import SocketIOOutput as RasaSocketIOOutput
from sanic import Blueprint

logger = logging.getLogger(__name__)

# A longer message is no answer to any question the assistant asks (and costs the NLU).
MAX_MESSAGE_CHARS = 2000
# What a widget sends as its session id (it makes 32 hex digits); anything else gets a new one.
SESSION_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")


def event_for(message: dict[str, Any]) -> dict[str, Any]:
    """One bot message (Rasa's ``BotUttered.message()``) as one widget event."""
    event: dict[str, Any] = {}
    if message.get("text"):
        event["text"] = message["text"]
    buttons = message.get("buttons") or message.get("quick_replies") or []
    if buttons:
        event["quick_replies"] = [
            {"content_type": "text", "title": b.get("title", ""), "payload": b.get("payload", "")}
            for b in buttons
        ]
    if message.get("custom"):
        event["custom"] = message["custom"]
    if message.get("image"):
        event["attachment"] = {"type": "image", "payload": {"src": message["image"]}}
    if message.get("language"):  # set by actions/adapter.py on every message
        event["metadata"] = {"language": message["language"]}
    return event


class SocketIOOutput(RasaSocketIOOutput):
    """Sends each bot message whole, as one event."""

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        event = event_for(message)
        if event:
            await self._send_message(recipient_id, event)


def acceptable(message: UserMessage) -> bool:
    """Text of a sensible length with a metadata object: what a widget sends."""
    return (
        isinstance(message.text, str)
        and len(message.text) <= MAX_MESSAGE_CHARS
        and (message.metadata is None or isinstance(message.metadata, dict))
    )


class SocketIOInput(RasaSocketIOInput):
    """Rasa's socket.io input channel, answering through :class:`SocketIOOutput`."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    def get_output_channel(self) -> OutputChannel | None:
        if self.sio is None:
            return super().get_output_channel()
        return SocketIOOutput(self.sio, self.bot_message_evt)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        async def handle(message: UserMessage) -> None:
            if not acceptable(message):
                logger.warning(
                    "socket.io: refused a message that is not text of at most %d characters",
                    MAX_MESSAGE_CHARS,
                )
                return
            message.output_channel = SocketIOOutput(self.sio, self.bot_message_evt)
            await on_new_message(message)

        blueprint = super().blueprint(handle)
        sio = self.sio

        async def session_request(sid: str, data: Any) -> None:
            asked = data.get("session_id") if isinstance(data, dict) else None
            session_id = asked if isinstance(asked, str) and SESSION_ID.fullmatch(asked) else uuid.uuid4().hex
            if self.session_persistence:
                joined = sio.enter_room(sid, session_id, namespace=self.namespace)
                if inspect.isawaitable(joined):
                    await joined
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        sio.on("session_request", session_request, namespace=self.namespace)  # replaces Rasa's
        return blueprint

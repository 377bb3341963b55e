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
input side is Rasa's (connect, session persistence, ``metadata.language`` as the
language hint) but for two handlers: ``session_request`` joins the room and accepts
only a well-formed session id; ``user_uttered`` hands Rasa this output channel and
refuses, with an ``error`` event, what is not ``{"message": text, "session_id": id,
"metadata": {...}}`` (Rasa's own crashed on a message that is not text, and took a
metadata string as JSON). A message sent as bytes (a binary attachment) is read as
UTF-8, an invalid byte as U+FFFD; an empty or too long one is answered in the
conversation's language without asking the assistant, as on every channel
(``bot.channels.inbound``). Otherwise, as on the REST channel, a message always gets a
reply: "try again shortly" when it could not be answered, the general guidance when the
actions could not run (``rasa_components/faults.py``), "I did not understand" when
nothing was said. credentials.yml names this class in place of ``socketio``.
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

from bot import embedding
from bot.channels.inbound import BadRequest, check_message
from bot.pseudonym import pseudonym
from rasa_components.faults import channel_answer, own_answer, strict_storage, watching_actions

logger = logging.getLogger(__name__)


class OneLineForUndecodable(logging.Filter):
    """engine.io logs a whole traceback at ERROR when a client posts bytes that are not
    UTF-8 (and then carries on): one warning line is enough, and a broken or hostile
    client must not fill the log with tracebacks that look like our failures."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], UnicodeDecodeError):
            record.msg, record.args = "socket.io: ignored a packet that is not UTF-8", ()
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


logging.getLogger("engineio.server").addFilter(OneLineForUndecodable())

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


def text_of(message: Any) -> Any:
    """The message as text: bytes (socket.io's binary attachment) read as UTF-8, with
    U+FFFD for what is not; anything else as it is (``problem`` refuses what is not text)."""
    if isinstance(message, bytes | bytearray):
        return bytes(message).decode("utf-8", errors="replace")
    return message


def problem(data: Any, persistent: bool) -> str | None:
    """What is wrong with a ``user_uttered`` event, or None: what a widget sends is
    ``{"message": text, "session_id": id, "metadata": {...}}``."""
    if not isinstance(data, dict):
        return "the event must be an object"
    if not isinstance(text_of(data.get("message", "")), str):
        return "message must be text"
    if not isinstance(data.get("metadata", {}), (dict, type(None))):
        return "metadata must be an object"
    session_id = data.get("session_id")
    if persistent and not (isinstance(session_id, str) and SESSION_ID.fullmatch(session_id)):
        return "session_id must be the id confirmed by session_request"
    return None


class RoomOutput(SocketIOOutput):
    """Sends to the conversation's room (the session id), whatever recipient Rasa names:
    Rasa knows the conversation only by its pseudonym, which is no room."""

    def __init__(self, sio: Any, bot_message_evt: str, room: str) -> None:
        super().__init__(sio, bot_message_evt)
        self.room = room
        self.sent = 0  # whether the assistant said anything (else the channel answers itself)

    async def _send_message(self, socket_id: str, response: Any) -> None:
        self.sent += 1
        await super()._send_message(self.room, response)


class SocketIOInput(RasaSocketIOInput):
    """Rasa's socket.io input channel with the two handlers that need fixing replaced."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    def get_output_channel(self) -> OutputChannel | None:
        if self.sio is None:
            return super().get_output_channel()
        return SocketIOOutput(self.sio, self.bot_message_evt)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)  # the health route, connect, disconnect
        sio = self.sio
        namespace = self.namespace
        app: Any = None

        async def session_request(sid: str, data: Any) -> None:
            asked = data.get("session_id") if isinstance(data, dict) else None
            session_id = asked if isinstance(asked, str) and SESSION_ID.fullmatch(asked) else uuid.uuid4().hex
            if self.session_persistence:
                joined = sio.enter_room(sid, session_id, namespace=namespace)
                if inspect.isawaitable(joined):
                    await joined
            await sio.emit("session_confirm", session_id, room=sid, namespace=namespace)

        async def user_uttered(sid: str, data: Any) -> None:
            wrong = problem(data, self.session_persistence)
            if wrong:  # a client other than the widget: told why, and nothing reaches Rasa
                logger.warning("socket.io: refused an event: %s", wrong)
                await sio.emit("error", {"error": wrong}, room=sid, namespace=namespace)
                return
            room = data["session_id"] if self.session_persistence else sid
            # Rasa, its store and its logs see only the pseudonym (contract §6); replies go to the room.
            sender = pseudonym(self.name(), room)
            try:  # the same checks as every channel: a typed /intent{...} is an answer to check
                inbound = check_message(sender, text_of(data.get("message", "")), data.get("metadata"))
            except BadRequest as refused:
                await sio.emit("error", {"error": str(refused)}, room=sid, namespace=namespace)
                return
            output = RoomOutput(sio, self.bot_message_evt, room)
            agent = getattr(getattr(app, "ctx", None), "agent", None)
            if inbound.answer:  # empty, or too long to read: the channel answers, not the assistant
                hint = inbound.metadata.get("language")
                await output.send_response(sender, await channel_answer(agent, sender, hint, inbound.answer))
                return
            message = UserMessage(
                inbound.text, output, sender, input_channel=self.name(), metadata=inbound.metadata
            )
            strict_storage(agent)
            failed = False
            with watching_actions() as broken:
                try:
                    await embedding.embed_ahead(message.text)  # off the event loop (see there)
                    await on_new_message(message)
                except Exception:  # noqa: BLE001 - logged without the message; the person is answered
                    logger.exception("the assistant failed on a message")
                    failed = True
            hint = inbound.metadata.get("language")
            for reply in await own_answer(agent, sender, hint, failed, list(broken), output.sent > 0):
                await output.send_response(sender, reply)

        @blueprint.listener("before_server_start")
        async def remember_app(server: Any, _loop: Any) -> None:
            nonlocal app  # the agent (app.ctx.agent) is what the replies above read the slots from
            app = server

        # Registered again under the same names: these replace Rasa's handlers.
        sio.on("session_request", session_request, namespace=namespace)
        sio.on(self.user_message_evt, user_uttered, namespace=namespace)
        return blueprint

"""The REST channel (contract §1: ``POST /webhooks/rest/webhook``), with its input checked.

Rasa's own ``RestInput`` answers HTTP 500 to a JSON list or an empty body, hands any
``/intent{...}`` or ``/session_start`` straight to Rasa, logs the text of a message that
failed, and answers nothing at all to some messages. This subclass keeps its name
``rest`` (Rasa mounts a channel at ``/webhooks/<name>/``, so the URL stays exactly as the
contract says) and puts ``bot.channels.inbound`` in front:

- a request that is not a message gets 400 (413 when too large) with a JSON reason;
- a message with nothing to read, or too long to read, is answered by the channel in
  the conversation's language (``Inbound.answer``), and the assistant is not asked;
- a well-formed message always gets at least one reply: after ``/restart`` the person
  is greeted again in the conversation's language, and if the assistant said nothing
  the channel says it did not understand; when the message could not be answered (the
  database or Redis unreachable) to try again shortly, and when the assistant's actions
  could not run (the action server down) that it is a fault, with the general guidance
  and contacts (``rasa_components/faults.py``);
- nothing logged holds the sender, the text or the metadata;
- the sender the client names is pseudonymised (``bot.pseudonym``, channel ``rest``)
  before Rasa sees it, so the tracker store and Rasa's logs never hold it (contract §6);
  the replies name the client's own sender again, so nothing changes for the client.

Registered in ``credentials.yml`` by its module path. The socket.io channel can use the
same ``checked`` and ``reply_always`` when it is wrapped.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import embedding
from bot.channels.inbound import AFTER_RESTART, BadRequest, Inbound, Vocabulary, parse_request
from bot.pseudonym import pseudonym
from rasa_components.faults import (
    channel_answer,
    conversation_slots,
    own_answer,
    strict_storage,
    watching_actions,
)

log = logging.getLogger(__name__)
Handler = Callable[[UserMessage], Awaitable[Any]]


def vocabulary(request: Request) -> Vocabulary | None:
    """The loaded model's intents and entities (None before a model is loaded: domain.yml)."""
    agent = getattr(request.app.ctx, "agent", None)
    domain = getattr(agent, "domain", None)
    if domain is None:
        return None
    return Vocabulary.of(domain.intents, domain.entities)


async def conversation_language(request: Request, sender: str) -> str | None:
    """The language slot of the sender's conversation, if there is one."""
    slots = await conversation_slots(getattr(request.app.ctx, "agent", None), sender)
    return slots.get("language")


async def reply_always(
    request: Request,
    message: Inbound,
    handle: Handler,
    collector: CollectingOutputChannel,
    input_channel: str,
) -> list[dict[str, Any]]:
    """Hand ``message`` to the assistant; whatever happens, the answer has a reply.

    When the message could not be answered (the database or Redis unreachable), what the
    assistant had said is dropped: nothing of the turn was stored, so the person is asked
    to send it again rather than shown an answer the conversation does not remember.
    """
    agent = getattr(request.app.ctx, "agent", None)
    strict_storage(agent)
    metadata = dict(message.metadata)
    if message.is_restart:  # the language the person chose outlives the reset (over the hint)
        known = await conversation_language(request, message.sender)
        if known:
            metadata["language"] = known
    failed = False
    with watching_actions() as broken:
        try:
            await embedding.embed_ahead(message.text)  # off the event loop (see there)
            await handle(
                UserMessage(
                    message.text, collector, message.sender, input_channel=input_channel, metadata=metadata
                )
            )
            if message.is_restart and not collector.messages and not broken:
                again = UserMessage(
                    AFTER_RESTART, collector, message.sender, input_channel=input_channel, metadata=metadata
                )
                await handle(again)
        except Exception:  # noqa: BLE001 - logged without the message; the person is answered
            log.exception("the assistant failed on a message")
            failed = True
    if failed:
        collector.messages.clear()
    extra = await own_answer(
        agent, message.sender, metadata.get("language"), failed, list(broken), bool(collector.messages)
    )
    for reply in extra:
        await collector.send_text_message(message.sender, reply["text"])
    return collector.messages


class ValidatingRestInput(RestInput):
    """``RestInput`` that refuses what is not a message and always answers one."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                message = parse_request(request.body, vocabulary(request))
            except BadRequest as exc:
                return response.json({"error": "bad_request", "message": str(exc)}, status=exc.status)
            raw_sender = message.sender
            message = replace(message, sender=pseudonym(self.name(), raw_sender))
            collector = CollectingOutputChannel()
            if message.answer:  # empty, or too long to read: the assistant is not asked
                agent = getattr(request.app.ctx, "agent", None)
                hint = message.metadata.get("language")
                reply = await channel_answer(agent, message.sender, hint, message.answer)
                return response.json([{"recipient_id": raw_sender, "text": reply["text"]}])
            replies = await reply_always(request, message, on_new_message, collector, self.name())
            return response.json([{**reply, "recipient_id": raw_sender} for reply in replies])

        return webhook

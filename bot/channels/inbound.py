"""What a channel accepts, checked in one place for every channel (REST, socket.io, Telegram).

A request that is not a message (not JSON, a JSON list, no sender, an empty message)
is refused with a clear 4xx, never a 500. A well-formed message always reaches the
assistant, and it reaches it as something the assistant may be told:

- Text starting with ``/`` is Rasa's syntax for "this intent, these entities" (button
  payloads use it). A person can type it too, so it is accepted only when it is
  exactly ``/intent`` or ``/intent{json object}`` with an intent of the domain that a
  person may express (not ``session_start``, ``back``, ``nlu_fallback``, nor
  ``action_...``, which is no intent at all), entity names of the domain and plain
  values. The values themselves are checked by the conversation like any answer
  (a typed ``/inform{"age": -5}`` is refused with the question re-phrased), so no value
  outside contract §2 is ever set.
- Anything else starting with ``/`` (``/restart{``, ``/session_start``,
  ``/action_restart``, ``/danger@0.01``) is read as words: the slashes are dropped, so
  Rasa's slash syntax is never applied to it, and the person gets an answer.
- ``/restart`` starts the conversation again (Rasa's reset), and the tracker store
  deletes the conversation from the database at once; so it is also what ``/forget``
  sends (:func:`forget_message`).
- A message with nothing to read (spaces, control and invisible characters only) or
  longer than ``MAX_MESSAGE_CHARS`` is a message too, and the person is answered, in
  their language, by the channel itself (``Inbound.answer``): the assistant would only
  guess at it. Invisible characters that change nothing a person sees (bidirectional
  controls, zero-width spaces, a byte-order mark, terminal colour codes, C0/C1
  controls) are dropped from
  every message, so "3\u200b4" is 34 and "Es\u200bpoo" is Espoo, and a lone surrogate
  (JSON's "\ud800", which no UTF-8 database or log can store) becomes U+FFFD.

No Rasa import: the Rasa side (``rasa_components/rest_channel.py``) and the Telegram
bridge call the same functions.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.channels import texts

DOMAIN_FILE = Path(__file__).resolve().parent.parent.parent / "domain.yml"
# A 10 000-character message of emoji is 120 kB as escaped JSON: it gets its answer
# ("too long") instead of a bare 413.
MAX_BODY_BYTES = 256 * 1024
MAX_MESSAGE_CHARS = 4096  # Telegram's own limit; no answer here needs more
MAX_SENDER_CHARS = 128
MAX_VALUE_CHARS = 200
RESTART = "/restart"
# After a reset the person is greeted again, so "start again" always has an answer.
AFTER_RESTART = "/greet"
# Rasa's own intents a person must not trigger by typing them.
INTERNAL_INTENTS = frozenset({"session_start", "back", "nlu_fallback"})
_COMMAND = re.compile(r"/(?P<intent>[a-z][a-z_]*)(?P<entities>\{.*\})?", re.DOTALL)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Invisible and changing nothing a person reads: C1 controls, soft hyphen, zero-width
# space, bidirectional marks, embeddings, overrides and isolates, word joiner and
# invisible operators, byte-order mark. (Zero-width joiner and non-joiner stay: emoji
# and Persian words are written with them.)
_INVISIBLE = re.compile("[\x80-\x9f\xad\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_LINE_BREAKS = re.compile("[\u2028\u2029]")
# A terminal's colour and cursor codes (ESC [ ... letter), pasted with the text.
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# Nothing to read: what is left is only spaces, joiners and variation selectors.
_NOTHING = re.compile("[\\s\u200c\u200d\ufe00-\ufe0f]*")


class BadRequest(ValueError):
    """A request that is not a message; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Vocabulary:
    """The intents a person may send with ``/`` and the entity names they may carry."""

    intents: frozenset[str]
    entities: frozenset[str]

    @classmethod
    def of(cls, intents: Iterable[str], entities: Iterable[str]) -> Vocabulary:
        return cls(frozenset(intents) - INTERNAL_INTENTS - {"restart"}, frozenset(entities))


@lru_cache(maxsize=1)
def domain_vocabulary() -> Vocabulary:
    """The vocabulary of ``domain.yml`` (the Rasa side passes its loaded domain instead)."""
    domain = yaml.safe_load(DOMAIN_FILE.read_text("utf-8"))
    return Vocabulary.of(domain.get("intents") or [], domain.get("entities") or [])


@dataclass(frozen=True)
class Inbound:
    """One checked message: who, what to hand to the assistant, and the channel's hints."""

    sender: str
    text: str
    metadata: dict[str, Any] = field(default_factory=dict)
    # Set when the channel answers itself (bot.channels.texts, untranslated) and the
    # assistant is not asked: an empty message, or one too long to read.
    answer: str | None = None

    @property
    def is_restart(self) -> bool:
        return self.text == RESTART


def forget_message() -> str:
    """What a channel sends when a person asks to delete their conversation (``/forget``,
    the widget's delete button).

    ``/restart`` resets the conversation and the tracker store
    (``rasa_components/tracker_store.py``) deletes it from the database at once
    (contract §6). Every channel calls this function, so a change of message is here.
    """
    return RESTART


def _plain(value: Any) -> bool:
    if isinstance(value, bool | int):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, str) and len(value) <= MAX_VALUE_CHARS


def _command_ok(text: str, vocabulary: Vocabulary) -> bool:
    match = _COMMAND.fullmatch(text)
    if match is None:
        return False
    intent, raw = match["intent"], match["entities"]
    if intent == "restart":
        return raw is None
    if intent not in vocabulary.intents:
        return False
    if raw is None:
        return True
    try:
        entities = json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: "[[[[...]]]]" nested too deep
        return False
    return isinstance(entities, dict) and all(
        k in vocabulary.entities and _plain(v) for k, v in entities.items()
    )


def visible(text: str) -> str:
    """The text without what a person cannot see: control and invisible characters
    dropped, lone surrogates as U+FFFD (see the module's docstring)."""
    text = _SURROGATE.sub("\ufffd", text)
    text = _LINE_BREAKS.sub("\n", _ANSI.sub("", text))
    return _CONTROL.sub(" ", _INVISIBLE.sub("", text)).strip()


def safe_text(text: str, vocabulary: Vocabulary | None = None) -> str:
    """The message as the assistant should see it (see the module's docstring)."""
    text = visible(text)
    if not text.startswith("/") or _command_ok(text, vocabulary or domain_vocabulary()):
        return text
    words = text.lstrip("/").strip()
    # Nothing but slashes: still a message, and it gets the "did not understand" answer.
    return words or "?"


def check_message(
    sender: Any, message: Any, metadata: Any = None, vocabulary: Vocabulary | None = None
) -> Inbound:
    """A channel's message checked: BadRequest (with the reason) when it is not one."""
    if not isinstance(sender, str) or not sender.strip():
        raise BadRequest('"sender" must be a non-empty string (the conversation\'s id)')
    if len(sender) > MAX_SENDER_CHARS:
        raise BadRequest(f'"sender" must be at most {MAX_SENDER_CHARS} characters')
    if _SURROGATE.search(sender):  # "\ud800": no id can be made of it (bot.pseudonym)
        raise BadRequest('"sender" must be valid Unicode text')
    if not isinstance(message, str):
        raise BadRequest('"message" must be a string')
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict):
        raise BadRequest('"metadata" must be a JSON object')
    language = metadata.get("language")
    if language is not None and not (isinstance(language, str) and len(language) <= 35):
        raise BadRequest('"metadata.language" must be a language code such as "fi" or "en"')
    if len(message) > MAX_MESSAGE_CHARS:
        return Inbound(sender, "", metadata, answer=texts.TOO_LONG)
    if _NOTHING.fullmatch(visible(message)):
        return Inbound(sender, "", metadata, answer=texts.EMPTY_MESSAGE)
    return Inbound(sender, safe_text(message, vocabulary), metadata)


def parse_request(body: bytes | None, vocabulary: Vocabulary | None = None) -> Inbound:
    """A REST request body (contract §1: ``{"sender", "message", "metadata"}``), checked."""
    if not body:
        raise BadRequest('the body is empty; send {"sender": "...", "message": "..."} as JSON')
    if len(body) > MAX_BODY_BYTES:
        raise BadRequest(f"the body is larger than {MAX_BODY_BYTES} bytes", status=413)
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("the body is not JSON") from None
    except RecursionError:
        raise BadRequest("the body is nested too deeply") from None
    if not isinstance(data, dict):
        raise BadRequest('the body must be a JSON object: {"sender": "...", "message": "..."}')
    return check_message(data.get("sender"), data.get("message"), data.get("metadata"), vocabulary)

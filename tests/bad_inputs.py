"""The curated bad input (issue 14): what people and broken or hostile clients send.

One list, sent by ``tests/e2e/test_bad_input.py`` through REST, socket.io and the
Telegram bridge against the real servers, and by the unit tests through
``bot.channels.inbound``. Each entry is one message typed in a conversation that has
reached the age question (so a number means something) in ``language``; ``expect``
names slot values the message must set (numbers in every script we support), and
``answer`` a channel's own text the reply must be (an empty or too long message never
reaches the assistant).

And what every reply to every entry must satisfy, in one place (``contract_problems``,
``loop_problems``): the slots of contract §2 hold only values it allows, whatever
was typed, and a turn ends listening, without Rasa's loop breaker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from bot.channels import texts as channel_texts
from bot.facts import FACTS
from bot.i18n import DOMAIN, LOCALES_DIR, languages
from bot.registry import load


@dataclass(frozen=True)
class Bad:
    """One bad message: its id (the test's name), the text, the person's language."""

    id: str
    text: str
    language: str = "en"
    expect: dict[str, Any] = field(default_factory=dict)
    answer: str | None = None  # the channel's own text (bot.channels.texts), untranslated

    def __str__(self) -> str:
        return self.id


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


EMPTY = channel_texts.EMPTY_MESSAGE
TOO_LONG = channel_texts.TOO_LONG

BAD: tuple[Bad, ...] = (
    # -- nothing to read -------------------------------------------------------------------------
    Bad("empty", "", answer=EMPTY),
    Bad("spaces", "   ", answer=EMPTY),
    Bad("whitespace-mix", " \t\n\r\n ", language="fi", answer=EMPTY),
    Bad("ideographic-space", "\u3000\u3000", language="zh", answer=EMPTY),
    Bad("nbsp", "\u00a0\u2007\u202f", language="fr", answer=EMPTY),
    Bad("zero-width-only", "\u200b\u200c\u200d\u2060\ufeff", language="ar", answer=EMPTY),
    Bad("control-only", "\x00\x01\x07\x1b\x7f", language="ru", answer=EMPTY),
    Bad("c1-controls-only", "\x85\x9b\x9f", language="so", answer=EMPTY),
    Bad("bidi-marks-only", "\u200e\u200f\u202e\u2066\u2069", language="fa", answer=EMPTY),
    # -- too long --------------------------------------------------------------------------------
    Bad("10000-latin", "a" * 10_000, answer=TOO_LONG),
    Bad("10000-words", ("I live in Espoo " * 700)[:10_000], language="et", answer=TOO_LONG),
    Bad("10000-finnish", "ä" * 10_000, language="fi", answer=TOO_LONG),
    Bad("10000-chinese", "我" * 10_000, language="zh", answer=TOO_LONG),
    Bad("10000-emoji", "😀" * 10_000, language="uk", answer=TOO_LONG),
    # -- emoji -----------------------------------------------------------------------------------
    Bad("emoji", "😀"),
    Bad("emoji-thumbs", "👍👍👍", language="tr"),
    Bad("emoji-flag", "🇫🇮", language="sv"),
    Bad("emoji-zwj-family", "👨‍👩‍👧‍👦", language="es"),
    Bad("emoji-keycap-digits", "3️⃣4️⃣"),
    # -- control characters --------------------------------------------------------------------------
    Bad("nul-inside", "I am\x0034", expect={"age": 34.0}),
    Bad("ansi-escape", "\x1b[2J\x1b[31m34\x1b[0m", expect={"age": 34.0}),
    Bad("backspaces", "34\x08\x08\x08\x7f"),
    Bad("crlf", "34\r\n\r\n", language="fi", expect={"age": 34.0}),
    Bad("line-separators", "I am\u2028thirty\u2029four\u0085", language="en"),
    # -- bidirectional override and zero-width characters ----------------------------------------
    Bad("rlo", "\u202e43 ma I", language="en"),
    Bad("rlo-age", "\u202e34\u202c", language="ar", expect={"age": 34.0}),
    Bad("isolates", "\u2067عمري ٣٤\u2069", language="ar", expect={"age": 34.0}),
    Bad("zero-width-digits", "3\u200b4", language="en", expect={"age": 34.0}),
    Bad("zero-width-word", "I am thi\u200drty-f\u200cour", language="en"),
    Bad("bom", "\ufeff34", language="sv", expect={"age": 34.0}),
    Bad("combining-pileup", "3" + "\u0301" * 200 + "4", language="en"),
    # -- markup ------------------------------------------------------------------------------------
    Bad("html", "<b>34</b>"),
    Bad("script", "<script>alert('x')</script>"),
    Bad("img-onerror", '<img src=x onerror="alert(document.cookie)">', language="fr"),
    Bad("html-entities", "&lt;script&gt;&#x3C;/script&#62;&amp;", language="tr"),
    Bad("telegram-html", '<a href="tg://user?id=1">x</a><tg-spoiler>', language="ru"),
    Bad("markdown", "**34** _[x](javascript:alert(1))_", language="en"),
    # -- SQL and template fragments -------------------------------------------------------------------
    Bad("sql-drop", "'; DROP TABLE events; --", language="fi"),
    Bad("sql-or", "34' OR '1'='1", language="en"),
    Bad("sql-union", "1 UNION SELECT sender_id, data FROM events --", language="es"),
    Bad("sql-municipality", "Espoo'); DELETE FROM events WHERE ('1'='1", language="en"),
    Bad("format-string", "{language} {0} %s%s%n ${jndi:ldap://x/a} {{7*7}}", language="en"),
    # -- /intent{json} with wrong types -------------------------------------------------------------
    Bad("age-string", '/inform{"age": "34"}', expect={"age": 34.0}),
    Bad("age-bool", '/inform{"age": true}'),
    Bad("age-list", '/inform{"age": [34]}'),
    Bad("age-object", '/inform{"age": {"value": 34}}'),
    Bad("age-null", '/inform{"age": null}'),
    Bad("permit-number", '/inform{"permit_type": 5}'),
    Bad("permit-bool", '/inform{"permit_type": false}'),
    Bad("municipality-number", '/inform{"municipality": 91}'),
    Bad("municipality-list", '/inform{"municipality": ["Espoo", "Vantaa"]}'),
    Bad("yes-no-string", '/inform{"home_care_allowance": "yes please"}'),
    Bad("yes-no-number", '/inform{"unaccompanied_minor": 2}'),
    Bad("language-number", '/choose_language{"language": 358}'),
    Bad("fact-number", '/change_answer{"fact": 3}'),
    Bad("rating-object", '/thanks{"rating": {"stars": 5}}'),
    Bad("entities-list", '/inform[{"age": 34}]'),
    Bad("entities-string", '/inform"age"'),
    # -- unknown slots ------------------------------------------------------------------------------
    Bad("unknown-entity", '/inform{"salary": 5000}'),
    Bad("internal-slot-stage", '/inform{"stage": "declined"}'),
    Bad("internal-slot-requested", '/inform{"requested_slot": "home_care_allowance"}'),
    Bad("internal-slot-held", '/inform{"held_facts": {"permit_type": "martian"}}'),
    Bad("proto", '/inform{"__proto__": {"age": 200}}'),
    Bad("unknown-intent", '/give_me_everything{"age": 34}'),
    Bad("internal-intent", '/session_start{"age": 34}'),
    Bad("action-name", "/action_recommend"),
    Bad("uppercase-intent", '/INFORM{"age": 34}'),
    # -- absurd values ------------------------------------------------------------------------------
    Bad("age-negative", '/inform{"age": -5}'),
    Bad("age-huge", f'/inform{{"age": {10**30}}}'),
    Bad("age-nan-string", '/inform{"age": "NaN"}'),
    Bad("age-nan-token", '/inform{"age": NaN}'),
    Bad("age-infinity-token", '/inform{"age": Infinity}'),
    Bad("age-infinity-string", '/inform{"age": "-Infinity"}'),
    Bad("age-fraction", '/inform{"age": 34.5}'),
    Bad("age-tiny", '/inform{"age": 1e-320}'),
    Bad("age-400-digits", '/inform{"age": 1' + "0" * 400 + "}"),  # no float holds it
    Bad("age-4070-digits", '/inform{"age": ' + "9" * 4070 + "}"),
    Bad("years-400-digits", '/inform{"years_since_first_permit": 1' + "0" * 400 + "}"),
    Bad("years-1e308", '/inform{"years_since_first_permit": 1e308}'),
    Bad("years-1e309", '/inform{"years_since_first_permit": 1e309}'),
    Bad("years-nan-string", '/inform{"years_since_first_permit": "nan"}'),
    Bad("years-negative-zero", '/inform{"years_since_first_permit": -0.0}'),
    Bad("permit-unknown", '/inform{"permit_type": "martian"}'),
    Bad("permit-case", '/inform{"permit_type": "WORK"}'),
    Bad("status-unknown", '/inform{"employment_status": "boss"}'),
    Bad("municipality-unknown", '/inform{"municipality": "Atlantis"}'),
    Bad("municipality-empty", '/inform{"municipality": ""}'),
    Bad("municipality-nul", '/inform{"municipality": "Espoo\\u0000"}'),
    Bad("municipality-surrogate", '/inform{"municipality": "Esp\\ud800oo"}'),
    Bad("municipality-sql", '/inform{"municipality": "x\' OR 1=1 --"}'),
    Bad("language-unknown", '/choose_language{"language": "xx"}'),
    Bad("language-tag", '/choose_language{"language": "fi-FI-x-private"}', expect={"language": "fi"}),
    Bad("typed-age-words", "I am 10000000000000000000000000000000 years old"),
    Bad("typed-age-negative", "I am -5 years old"),
    Bad("typed-age-nan", "NaN"),
    Bad("typed-age-exponent", "1e308"),
    # -- malformed JSON after an intent -----------------------------------------------------------------
    Bad("json-unclosed", '/inform{"age": 34'),
    Bad("json-bare-keys", "/inform{age: 34}"),
    Bad("json-single-quotes", "/inform{'age': 34}"),
    Bad("json-extra-brace", '/inform{"age": 34}}'),
    Bad("json-trailing-words", '/inform{"age": 34} and more'),
    Bad("json-empty", "/inform{}"),
    Bad("json-duplicate-keys", '/inform{"age": 34, "age": 200}'),
    Bad("json-deep-nesting", '/inform{"age": ' + _nested(1500) + "}"),
    Bad("json-deep-objects", '/inform{"age": ' + '{"a":' * 600 + "1" + "}" * 600 + "}"),
    Bad("json-lone-surrogate", '/inform{"age": "\\udc80"}'),
    Bad("json-escaped-control", '/inform{"age": "3\\u00004"}'),
    Bad("restart-with-json", '/restart{"age": 34}'),
    # -- numbers in every script we support ------------------------------------------------------------
    Bad("digits-ascii", "34", expect={"age": 34.0}),
    Bad("digits-arabic-indic", "٣٤", language="ar", expect={"age": 34.0}),
    Bad("digits-arabic-sentence", "عمري ٣٤ سنة", language="ar", expect={"age": 34.0}),
    Bad("digits-persian", "۳۴", language="fa", expect={"age": 34.0}),
    Bad("digits-persian-sentence", "۳۴ سالمه", language="fa", expect={"age": 34.0}),
    Bad("digits-fullwidth", "３４", language="zh", expect={"age": 34.0}),
    Bad("digits-fullwidth-sentence", "我今年３４岁", language="zh", expect={"age": 34.0}),
    Bad("numerals-chinese", "三十四", language="zh", expect={"age": 34.0}),
    Bad("numerals-chinese-sentence", "我三十四岁", language="zh", expect={"age": 34.0}),
    Bad("digits-arabic-in-english", "٣٤", language="en", expect={"age": 34.0}),
    Bad("digits-mixed-scripts", "3٤", language="ar", expect={"age": 34.0}),
    Bad("digits-devanagari", "३४", language="en"),
)

assert len({bad.id for bad in BAD}) == len(BAD), "every entry needs its own id"

# What the socket can carry that JSON text cannot: raw bytes (a binary attachment) and
# lone surrogates (JSON's "\ud800" escape, which python-socketio's client sends as is).
SOCKET_ONLY: tuple[tuple[str, Any], ...] = (
    ("raw-bytes-invalid-utf8", b"\xff\xfe\xfd 34 \xc3\x28"),
    ("raw-bytes-valid-utf8", b"I am 34"),
    ("raw-bytes-empty", b""),
    ("lone-high-surrogate", "\ud800"),
    ("lone-low-surrogate-in-text", "I am \udc8034"),
    ("surrogate-pair-halves", "\ud83d 34 \ude00"),
)

# The same over REST: bodies with what JSON text cannot hold or clients get wrong, and the
# status each must get (SENDER is replaced by the conversation's id before sending).
REST_RAW: tuple[tuple[str, bytes, int], ...] = (
    ("lone-surrogate-escape", b'{"sender": "SENDER", "message": "\\ud800 34"}', 200),
    ("surrogate-only", b'{"sender": "SENDER", "message": "\\udfff"}', 200),
    ("invalid-utf8-body", b'{"sender": "SENDER", "message": "\xff\xfe 34"}', 400),
    ("deeply-nested-body", b'{"sender": "SENDER", "metadata": ' + _nested(5000).encode() + b"}", 400),
    ("nan-metadata", b'{"sender": "SENDER", "message": "hi", "metadata": {"language": NaN}}', 400),
    ("surrogate-sender", b'{"sender": "SENDER\\ud800", "message": "hi"}', 400),
    ("bom-body", b'\xef\xbb\xbf{"sender": "SENDER", "message": "hi"}', 200),
    ("utf16-body", '{"sender": "SENDER", "message": "hi"}'.encode("utf-16"), 200),
)


def rest_body(body: bytes, sender: str) -> bytes:
    """A REST_RAW body with the conversation's id in it, in the body's own encoding."""
    for encoding in ("utf-16-le", "utf-8"):
        if "SENDER".encode(encoding) in body:
            return body.replace("SENDER".encode(encoding), sender.encode(encoding))
    raise ValueError("no SENDER in the body")


@lru_cache(maxsize=1)
def _municipality_names() -> frozenset[str]:
    return frozenset(m.name_fi for m in load().municipalities.values())


def _allowed(name: str, value: Any) -> bool:
    """Whether ``value`` is allowed in slot ``name`` by contract §2."""
    if name == "language":
        return value in languages()
    fact = FACTS[name]
    if fact.kind == "municipality":
        return isinstance(value, str) and value in _municipality_names()
    if fact.kind == "age":
        return isinstance(value, float | int) and not isinstance(value, bool) and value in range(0, 121)
    if fact.kind == "years":
        return (
            isinstance(value, float | int)
            and not isinstance(value, bool)
            and value == value
            and 0 <= value <= 120
        )
    if fact.kind == "yes_no":
        return isinstance(value, bool)
    return value in fact.values


CONTRACT_SLOTS = ("language", *FACTS)


def contract_problems(slots: dict[str, Any]) -> list[str]:
    """Each §2 slot holding a value the contract does not allow (an unset slot is fine)."""
    return [
        f"{name}={slots[name]!r}"
        for name in CONTRACT_SLOTS
        if slots.get(name) is not None and not _allowed(name, slots[name])
    ]


def loop_problems(events: list[dict[str, Any]]) -> list[str]:
    """What says a turn did not end well: Rasa's loop breaker, a fallback action, a turn
    that did not end listening, or one that said more than a turn ever needs."""
    problems = []
    names = [e.get("name") for e in events if e.get("event") == "action"]
    if names and names[-1] != "action_listen":
        problems.append(f"the turn ended with {names[-1]}, not action_listen")
    for bad in ("action_default_fallback", "action_two_stage_fallback"):
        if bad in names:
            problems.append(f"{bad} ran")
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=-1)
    said = [e for e in events[last_user + 1 :] if e.get("event") == "bot"]
    if len(said) > 8:
        problems.append(f"{len(said)} messages for one turn")
    return problems


_PLACEHOLDER = re.compile(r"\{[^{}]*\}|\n")


@lru_cache(maxsize=16)
def _fragments(language: str) -> tuple[str, ...]:
    """Pieces of the language's texts long enough to tell the language (not in English)."""
    english = {message.id for message in _po(None) if isinstance(message.id, str) and message.id}
    english_text = "\n".join(english)

    def pieces(text: str) -> list[str]:
        return [p.strip() for p in _PLACEHOLDER.split(text) if len(p.strip()) >= 8]

    if language == "en":
        return tuple(p for text in english for p in pieces(text))
    found = []
    for message in _po(language):
        if message.id and isinstance(message.string, str) and message.string:
            found += [p for p in pieces(message.string) if p not in english_text]
    return tuple(found)


def _po(language: str | None) -> list[Any]:
    """The messages of a language's catalog (None: the template, English)."""
    from babel.messages.pofile import read_po

    path = LOCALES_DIR / (f"{language}/LC_MESSAGES/{DOMAIN}.po" if language else f"{DOMAIN}.pot")
    with path.open("rb") as f:
        return list(read_po(f))


@lru_cache(maxsize=16)
def _whole(language: str) -> frozenset[str]:
    """The language's texts as they are (short ones too: "Hello!")."""
    if language == "en":
        return frozenset(m.id for m in _po(None) if isinstance(m.id, str))
    return frozenset(m.string for m in _po(language) if isinstance(m.string, str) and m.string)


def written_in(text: str, language: str) -> bool:
    """Whether a reply holds one of the language's own texts (the catalogs'), so it is
    one the person can read: a reply in another language, or no text, is not."""
    return text.strip() in _whole(language) or any(fragment in text for fragment in _fragments(language))

"""The assistant's replies as Telegram messages: escaped HTML, inline keyboards, 4096 limit.

The Rasa REST channel answers with a list of messages: ``text`` (with ``buttons``), and
for the recommendations a ``custom`` payload (contract §3) that follows the same answer
as plain text. Telegram shows the payload's readable answer as one formatted message
instead of the plain paragraphs: headings in bold, phone numbers in the international
+358 form (Telegram turns them into links itself: its HTML has no ``tel:`` links), web
links and the public source pages (never the staff's file name).

Every text from the assistant is escaped: a person's own words quoted back, or a
provider's name with ``&``, can never become markup.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.i18n import translator

MAX_CHARS = 4096  # Telegram's limit for one message's text
# Telegram's limit for one button's callback data, in bytes.
MAX_CALLBACK_BYTES = 64


@dataclass(frozen=True)
class Outgoing:
    """One Telegram message to send: HTML text and inline buttons (title, payload) in rows."""

    html: str
    keyboard: tuple[tuple[tuple[str, str], ...], ...] = ()


def escape(text: object) -> str:
    return html.escape(str(text), quote=False)


def _link(url: str, title: str | None = None) -> str:
    if not re.match(r"https?://", url):
        return escape(title or url)
    return f'<a href="{html.escape(url, quote=True)}">{escape(title or url)}</a>'


def international(phone: str) -> str:
    """A Finnish number as Telegram links it: ``09 310 37577`` → ``+358 9 310 37577``.

    Short numbers (112) and numbers already international stay as they are.
    """
    number = phone.strip()
    digits = re.sub(r"\D", "", number)
    if number.startswith("+") or len(digits) <= 4:
        return number
    if number.startswith("00"):
        return "+" + number[2:].lstrip()
    if number.startswith("0"):
        return "+358 " + number[1:].lstrip()
    return number


# A web address in the readable answer ("… (https://www.espoo.fi/…)"), without the
# punctuation that closes the sentence around it.
_URL = re.compile(r"https?://[^\s<>()]+[^\s<>().,;:]")
# The numbered heading of each service ("1. Integration services of the municipality: …").
_HEADING = re.compile(r"^\d+\. ")


def _linked(line: str) -> str:
    """One line escaped, its web addresses as links."""
    out, last = [], 0
    for match in _URL.finditer(line):
        out.append(escape(line[last : match.start()]))
        out.append(_link(match.group()))
        last = match.end()
    out.append(escape(line[last:]))
    return "".join(out)


def recommendations(payload: dict[str, Any], fallback_language: str) -> str:
    """The recommendation message as Telegram HTML.

    The payload's ``text`` is the readable answer (``bot/render.py``, in the person's
    language: sources as publisher and link, the deadline, what would change it), so
    every channel reads the same; here it is only escaped, its headings made bold, its
    web addresses linked and its phone numbers put in the +358 form.
    """
    _ = translator(payload.get("language") or fallback_language)
    phone = _("Phone") + ": "
    lines = []
    for number, line in enumerate(str(payload.get("text") or "").split("\n")):
        stripped = line.strip()
        if stripped.startswith(phone):
            line = line.replace(stripped, phone + international(stripped[len(phone) :]))
        shown = _linked(line)
        if number == 0 or _HEADING.match(stripped):
            shown = f"<b>{shown}</b>"
        lines.append(shown)
    return "\n".join(lines).strip("\n")

def utf16_length(text: str) -> int:
    """Telegram counts a message's length in UTF-16 code units (an emoji is two)."""
    return len(text.encode("utf-16-le")) // 2


def _cut_long_line(line: str, limit: int) -> list[str]:
    """A line longer than the limit, cut at spaces outside tags (at the limit if none)."""
    pieces: list[str] = []
    while utf16_length(line) > limit:
        cut, inside = -1, False
        for i, ch in enumerate(line):
            if utf16_length(line[: i + 1]) > limit:
                break
            if ch == "<":
                inside = True
            elif ch == ">":
                inside = False
            elif ch == " " and not inside:
                cut = i
        if cut <= 0:
            cut = i
            while cut > 0 and utf16_length(line[:cut]) > limit:
                cut -= 1
        pieces.append(line[:cut].rstrip())
        line = line[cut:].lstrip()
    pieces.append(line)
    return pieces


def split(text: str, limit: int = MAX_CHARS) -> list[str]:
    """``text`` in messages of at most ``limit`` characters, cut on line boundaries.

    Markup never spans lines here, so every part is valid HTML on its own.
    """
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for line in text.split("\n"):
        for piece in _cut_long_line(line, limit) if utf16_length(line) > limit else [line]:
            added = utf16_length(piece) + (1 if current else 0)
            if current and size + added > limit:
                parts.append("\n".join(current).strip("\n"))
                current, size = [], 0
                added = utf16_length(piece)
            current.append(piece)
            size += added
    if current:
        parts.append("\n".join(current).strip("\n"))
    return [p for p in parts if p.strip()] or [""]


def keyboard(buttons: Sequence[tuple[str, str]]) -> tuple[tuple[tuple[str, str], ...], ...]:
    """Buttons in rows: short titles two or three to a row, long ones alone."""
    if not buttons:
        return ()
    longest = max(len(title) for title, _ in buttons)
    per_row = 3 if longest <= 8 else 2 if longest <= 18 else 1
    rows = [tuple(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row)]
    return tuple(rows)


def _is_recommendation(reply: dict[str, Any]) -> bool:
    custom = reply.get("custom")
    return isinstance(custom, dict) and custom.get("recommendations") is not None


def _repeated(replies: list[dict[str, Any]]) -> set[int]:
    """The plain-text replies that a recommendation payload shows again.

    Rasa's REST channel sends the text of a message in paragraphs (one reply per
    ``\n\n``) and then its ``custom`` payload; the payload's ``text`` is that same text.
    """
    drop: set[int] = set()
    for i, reply in enumerate(replies):
        if not _is_recommendation(reply):
            continue
        paragraphs = {p.strip() for p in str(reply["custom"].get("text") or "").strip().split("\n\n")}
        j = i - 1
        while (
            j >= 0
            and not replies[j].get("buttons")
            and not replies[j].get("custom")
            and str(replies[j].get("text") or "").strip() in paragraphs
        ):
            drop.add(j)
            j -= 1
    return drop


def outgoing(replies: Iterable[dict[str, Any]], language: str) -> list[Outgoing]:
    """The Rasa REST replies of one message as Telegram messages, in order.

    The plain text that the recommendation payload repeats is replaced by the formatted
    message; buttons go with the last part of a long text.
    """
    replies = list(replies)
    repeated = _repeated(replies)
    messages: list[Outgoing] = []
    for index, reply in enumerate(replies):
        if index in repeated:
            continue
        if _is_recommendation(reply):
            body = recommendations(reply["custom"], language)
        elif reply.get("text"):
            body = escape(reply["text"])
        elif reply.get("buttons"):
            body = ""
        else:
            continue  # an image or another custom payload: nothing Telegram needs to show
        buttons = [
            (str(b.get("title", "")), str(b.get("payload", "")))
            for b in reply.get("buttons") or []
            if isinstance(b, dict) and b.get("payload")
        ]
        parts = split(body)
        if not parts[-1] and buttons:
            parts[-1] = "\u2060"  # Telegram needs some text for a keyboard
        for part in parts[:-1]:
            messages.append(Outgoing(part))
        messages.append(Outgoing(parts[-1], keyboard(buttons)))
    return messages


def plain(html_text: str) -> str:
    """The HTML of a message as plain text (when Telegram refuses the markup)."""
    return html.unescape(re.sub(r"<[^>]+>", "", html_text))

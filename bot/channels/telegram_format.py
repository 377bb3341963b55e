"""The assistant's replies as Telegram messages: escaped HTML, inline keyboards, 4096 limit.

The Rasa REST channel answers with a list of messages: ``text`` (with ``buttons``), and
for the recommendations a ``custom`` payload (contract §3) that follows the same answer
as plain text. Telegram shows the payload as one formatted message instead of the plain
text: each service with why, the contacts (phone numbers in the international +358 form,
which Telegram turns into links itself: its HTML has no ``tel:`` links), web links and
the public source page (``source_title``/``source_url``; never the staff's file name).

Every text from the assistant is escaped: a person's own words quoted back, or a
provider's name with ``&``, can never become markup.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from bot import ruleset
from bot.facts import FACTS
from bot.i18n import N_, Translator, translator

# The readable answer's labels are render.py's (one text, one translation); render.py
# keeps them next to the plain-text answer they also serve.
from bot.render import _CONTACT_LABELS as CONTACT_LABELS
from bot.render import INTERPRETER_TIP, SERVICE_TITLES

MAX_CHARS = 4096  # Telegram's limit for one message's text
# Telegram's limit for one button's callback data, in bytes.
MAX_CALLBACK_BYTES = 64
ASSUMED_TEXT = N_("This assumes that less than three years have passed since your first residence permit.")


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


def _contact_lines(contact: dict[str, Any], _: Translator) -> list[str]:
    lines = []
    for key, value in contact.items():
        if not value or key not in CONTACT_LABELS:
            continue
        if key == "phone":
            shown = escape(international(str(value)))
        elif key == "url":
            shown = _link(str(value))
        else:  # e-mail addresses and street addresses: Telegram links e-mail itself
            shown = escape(value)
        lines.append(f"{escape(_(CONTACT_LABELS[key]))}: {shown}")
    return lines


def _source_line(item: dict[str, Any], _: Translator) -> str | None:
    """The public page a person can open (contract §3), or nothing: never a file name."""
    title, url = item.get("source_title"), item.get("source_url")
    if not title and not url:
        return None
    shown = _link(str(url), str(title) if title else None) if url else escape(title)
    return escape(_("Source: {source}", source="\x00")).replace("\x00", shown)


def _ruleset_title(rules: dict[str, Any]) -> str | None:
    for rule_set in ruleset.packaged():
        if rule_set.id == rules.get("id"):
            return rule_set.title
    return None


def recommendations(payload: dict[str, Any], fallback_language: str) -> str:
    """The contract §3 payload as one formatted message (HTML), in the payload's language."""
    _ = translator(payload.get("language") or fallback_language)
    lines = [f"<b>{escape(_('What you are entitled to, and whom to contact:'))}</b>", ""]
    for number, rec in enumerate(payload.get("recommendations") or [], 1):
        title = _(SERVICE_TITLES[rec["service"]]) if rec.get("service") in SERVICE_TITLES else ""
        heading = (
            f"{number}. {title}: {rec.get('provider', '')}" if title else f"{number}. {rec.get('provider')}"
        )
        kind = _("Your right under the Integration Act") if rec.get("statutory") else _("Suggestion")
        lines.append(f"<b>{escape(heading)}</b>")
        lines.append(f"<i>{escape(kind)}</i>")
        if rec.get("reason"):
            lines.append(escape(_("Why: {reason}", reason=rec["reason"])))
        if rec.get("assumed"):
            lines.append(escape(_(ASSUMED_TEXT)))
        lines.extend(_contact_lines(rec.get("contact") or {}, _))
        source = _source_line(rec, _)
        if source:
            lines.append(source)
        lines.append("")
    not_entitled = payload.get("not_entitled") or []
    if not_entitled:
        lines.append(f"<b>{escape(_('Not available to you:'))}</b>")
        for item in not_entitled:
            title = _(SERVICE_TITLES[item["service"]]) if item.get("service") in SERVICE_TITLES else ""
            lines.append(
                escape(f"- {title}: {item.get('reason', '')}" if title else f"- {item.get('reason')}")
            )
            source = _source_line(item, _)
            if source:
                lines.append("  " + source)
        lines.append("")
    would_change = [f for f in payload.get("would_change") or [] if f in FACTS]
    if would_change:
        lines.append(escape(_("The answer could change if you tell me:")))
        lines.extend(escape(f"- {_(FACTS[f].question)}") for f in would_change)
        lines.append("")
    lines.append(escape(_(INTERPRETER_TIP)))
    rules = payload.get("rules") or {}
    title = _ruleset_title(rules)
    if title and rules.get("valid_from"):
        day = dt.date.fromisoformat(rules["valid_from"])
        lines.append(
            escape(
                _(
                    "Rules valid from {date}: {law}. This is general guidance, not an official decision.",
                    date=_.date(day),
                    law=_(title),
                )
            )
        )
    return "\n".join(lines).strip()


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

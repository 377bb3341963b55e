"""The web widget's own texts, in every language, from the Babel catalogs.

The widget (``web/``) has labels of its own (open, close, send, language, save,
delete...) and renders the recommendation cards with the same words as the readable
answer (``bot/render.py``). Both come from here as one JSON per language
(``/i18n/<lang>.json``, served by ``bot/widget_server.py``), so every text stays in
the catalogs and ``make catalogs`` finds it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from babel import Locale

from bot import render
from bot.conversation import texts
from bot.conversation.turns import payload
from bot.i18n import N_, languages, native_name, translator
from bot.ruleset import packaged

# What the widget's delete button sends. Rasa's /restart resets the conversation, and the
# tracker store (rasa_components/tracker_store.py) then deletes it from the database.
FORGET_PAYLOAD = "/restart"

# The first message of a conversation, sent by the widget when it is first opened, so
# the assistant introduces itself (in the hinted language) before the person types.
START_PAYLOAD = "/greet"

LABELS = {
    "title": N_("Kotobotti: services for newcomers"),
    "open": N_("Open the chat about services for newcomers"),
    "close": N_("Close the chat"),
    "send": N_("Send"),
    "message": N_("Your message"),
    "placeholder": N_("Write here…"),
    "language": N_("Language"),
    "conversation": N_("Conversation with Kotobotti"),
    "you": N_("You:"),
    "bot": N_("Kotobotti:"),
    "typing": N_("Kotobotti is writing…"),
    "connecting": N_("Connecting…"),
    "connected": N_("Connected."),
    "reconnecting": N_(
        "The connection was lost. Reconnecting… What you write is kept and sent when it is back."
    ),
    "save": N_("Save these contacts"),
    "download": N_("Download as text"),
    "print": N_("Print"),
    "delete": N_("Delete this conversation"),
    "delete_confirm": N_(
        "Delete this conversation? Kotobotti forgets your answers and this window is emptied."
    ),
    "delete_yes": N_("Yes, delete"),
    "cancel": N_("Cancel"),
    "deleted": texts.DELETED,
    "new_tab": N_("(opens in a new tab)"),
    "contacts_file": N_("Kotobotti: your contacts"),
}

# The demo municipal page at http://localhost:8080/ (web/index.html).
PAGE = {
    "page_site": N_("Example municipality"),
    "page_title": N_("Services for newcomers – Example municipality"),
    "page_heading": N_("Welcome to Finland"),
    "page_intro": N_(
        "Which integration and social services are for you, and whom to contact? Ask Kotobotti: open the chat in the corner of this page."
    ),
    "page_note": N_(
        "This is a demonstration page. A municipality puts the chat on its own pages with one line."
    ),
    "page_languages": N_("This page in other languages"),
}

# Texts of the readable answer (bot/render.py) that the cards show: the same message
# ids, so they share one translation; marked here too, so they stay in the catalogs.
ANSWER = {
    "heading": N_("What you are entitled to, and whom to contact:"),
    "statutory": N_("Your right under the Integration Act"),
    "suggestion": N_("Suggestion"),
    "why": N_("Why: {reason}"),
    "assumed": N_("This assumes that less than three years have passed since your first residence permit."),
    "source": N_("Source: {source}"),
    "not_entitled": N_("Not available to you:"),
    "interpreter": render.INTERPRETER_TIP,
    "rules": N_("Rules valid from {date}: {law}. This is general guidance, not an official decision."),
    "phone": N_("Phone"),
    "address": N_("Address"),
    "url": N_("Web"),
    "email": N_("E-mail"),
}


def direction(code: str) -> str:
    """``"rtl"`` for a language written right to left (Arabic, Persian), from CLDR."""
    return "rtl" if Locale.parse(code).character_order == "right-to-left" else "ltr"


def language_menu() -> list[dict[str, str]]:
    """Every language: its code, its name in itself, its direction, the payload that chooses it."""
    return [
        {
            "code": code,
            "name": native_name(code),
            "dir": direction(code),
            "payload": payload("choose_language", language=code),
        }
        for code in languages()
    ]


@lru_cache(maxsize=32)
def bundle(language: str) -> dict[str, Any]:
    """Everything the widget shows in ``language`` (a supported code), as one JSON object."""
    _ = translator(language)
    return {
        "language": _.language,
        "dir": direction(_.language),
        "labels": {key: _(text) for key, text in LABELS.items()},
        "page": {key: _(text) for key, text in PAGE.items()},
        "answer": {key: _(text) for key, text in ANSWER.items()},
        "services": {key: _(text) for key, text in render.SERVICE_TITLES.items()},
        "rulesets": {rules.id: _(rules.title) for rules in packaged()},
        "languages": language_menu(),
        "payloads": {"forget": FORGET_PAYLOAD, "start": START_PAYLOAD},
    }

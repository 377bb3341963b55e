"""Every text a person reads, in their language, from the Babel catalogs in ``locales/``.

Message ids are the English source texts with ``{name}`` placeholders. The catalogs
are the ``.po`` files themselves, read with Babel once per language per process (no
compiled ``.mo`` to forget to rebuild). A message missing from a catalog falls back
to English; ``tests/test_catalogs.py`` makes sure none is missing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
DEFAULT_LANGUAGE = "en"


def N_(message: str) -> str:
    """Mark a message for extraction where it is defined; translate it where it is shown."""
    return message


@lru_cache(maxsize=1)
def languages() -> tuple[str, ...]:
    """Languages with a catalog, English (the source language) included."""
    found = {p.parent.parent.name for p in LOCALES_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")}
    return tuple(sorted(found | {DEFAULT_LANGUAGE}))


def normalise_language(code: str | None) -> str | None:
    """``"fi-FI"``, ``"FI"``, ``"zh-hans"`` → a supported ISO 639-1 code, or None."""
    if not code:
        return None
    base = code.strip().replace("_", "-").split("-")[0].lower()
    return base if base in languages() else None


@lru_cache(maxsize=64)
def _catalog(language: str) -> dict[str, str]:
    path = LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.exists():
        return {}
    with path.open("rb") as f:
        catalog = read_po(f, locale=language)
    return {m.id: m.string for m in catalog if m.id and isinstance(m.string, str) and m.string}


@dataclass(frozen=True)
class Translator:
    """The texts of one language."""

    language: str

    def gettext(self, message: str, **values: object) -> str:
        text = _catalog(self.language).get(message, message) if self.language != "en" else message
        return text.format(**values) if values else text

    __call__ = gettext

    def date(self, day: dt.date) -> str:
        """A date written the way the language writes it (CLDR via Babel)."""
        return format_date(day, format="long", locale=self.language)

    def number(self, value: float) -> str:
        """A number written the way the language writes it ("1,5" in Finnish)."""
        return format_decimal(value, format="#,##0.#", locale=self.language)

    def language_name(self, code: str) -> str:
        """The name of language ``code`` in this language (CLDR via Babel)."""
        return Locale.parse(code).get_display_name(self.language) or code


def translator(language: str | None) -> Translator:
    """A translator for ``language``, English when it has no catalog."""
    return Translator(normalise_language(language) or DEFAULT_LANGUAGE)


def native_name(code: str) -> str:
    """A language's name in itself (``"suomi"``, ``"العربية"``), for language menus."""
    return Locale.parse(code).get_display_name(code) or code

"""Every catalog is complete: no missing or empty entry, no mismatched placeholder."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from bot.i18n import LOCALES_DIR, languages, translator

PLACEHOLDER = re.compile(r"{(\w+)}")


def _template_ids() -> list[str]:
    with (LOCALES_DIR / "messages.pot").open("rb") as f:
        return [m.id for m in read_po(f) if m.id]


def test_template_is_up_to_date():
    """The .pot holds every message the code and the rules use (run `make catalogs`)."""
    import importlib.util
    import pathlib

    path = pathlib.Path(__file__).resolve().parent.parent / "scripts" / "update_catalogs.py"
    spec = importlib.util.spec_from_file_location("update_catalogs", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    current = {m.id for m in module.template() if m.id}
    assert current == set(_template_ids())


@pytest.mark.parametrize("language", [lang for lang in languages() if lang != "en"])
def test_catalog_complete_and_placeholders_match(language):
    with (LOCALES_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f, locale=language)
    translated = {m.id: m.string for m in catalog if m.id}
    problems = []
    for msgid in _template_ids():
        text = translated.get(msgid)
        if not text or not text.strip():
            problems.append(f"missing: {msgid[:60]}")
        elif sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(text)):
            problems.append(f"placeholders differ: {msgid[:60]}")
        elif "fuzzy" in catalog[msgid].flags:
            problems.append(f"fuzzy: {msgid[:60]}")
    assert not problems, problems


def test_launch_languages_present():
    assert {"fi", "sv", "en"} <= set(languages())


def test_translator_falls_back_to_english_for_unknown_language():
    assert translator("xx").language == "en"
    assert translator("fi-FI").language == "fi"
    assert translator("fi")("Phone") != "Phone"

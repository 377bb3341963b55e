"""Values in free text, per language, from the lexicons (no trained model needed)."""

from __future__ import annotations

import pytest

from bot import understanding
from bot.facts import EMPLOYMENT_STATUSES, PERMIT_TYPES
from bot.i18n import languages
from tests.language_cases import CASES


def test_every_launch_language_has_a_lexicon_and_nlu_data():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    for code in CASES:
        assert code in understanding.lexicons(), code
        assert (root / "data" / "nlu" / f"{code}.yml").exists(), code
        assert code in languages(), code


@pytest.mark.parametrize("code", CASES)
def test_lexicon_covers_every_value(code):
    lex = understanding.lexicons()[code]
    for permit in PERMIT_TYPES:
        assert sum(p.value == permit for p in lex.permit_type) >= 3, (code, permit)
    for status in EMPLOYMENT_STATUSES:
        assert sum(p.value == status for p in lex.employment_status) >= 3, (code, status)
    assert len(lex.danger) >= 20
    assert {p.value for p in lex.yes_no} == {"yes", "no", "dont_know"}
    assert lex.own_age and lex.not_age


@pytest.mark.parametrize("code", CASES)
def test_one_message_gives_all_four_facts(code):
    case = CASES[code]
    heard = understanding.understand(case.facts, code)
    got = {
        "permit_type": heard.permit_type,
        "municipality": heard.municipality,
        "age": heard.age,
        "employment_status": heard.employment_status,
    }
    assert got == case.expected


@pytest.mark.parametrize(
    ("text", "language", "age"),
    [
        ("34", "en", 34),
        ("٣٤", "ar", 34),
        ("۳۴", "fa", 34),
        ("forty five", "en", 45),
        ("neljäkymmentäviisi", "fi", 45),
        ("fyrtiofem", "sv", 45),
        ("сорок пять", "ru", 45),
        ("四十五", "zh", 45),
        ("quarante-cinq", "fr", 45),
        ("cuarenta y cinco", "es", 45),
        ("kırk beş", "tr", 45),
        ("nelikümmend viis", "et", 45),
    ],
)
def test_ages_in_words_and_digits(text, language, age):
    assert understanding.age(text, language) == age


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("my employer took my passport", "en"),
        ("hän lyö minua", "fi"),
        ("я хочу покончити з собою", "uk"),
        ("زوجي يضربني", "ar"),
        ("I want to kill myself", "en"),
    ],
)
def test_danger_words_are_recognised(text, language):
    assert understanding.mentions_danger(text, language)


@pytest.mark.parametrize("text", ["I live in Espoo", "hei, olen 34", "thank you", "我住在赫尔辛基"])
def test_ordinary_messages_are_not_danger(text):
    assert not understanding.mentions_danger(text, "en")


def test_short_yes_no_words_count_only_in_their_own_language():
    # Swedish "ja" is "and" in Finnish.
    assert understanding.yes_no("ja", "sv") is True
    assert understanding.yes_no("minä ja lapset", "fi") is None

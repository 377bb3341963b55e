"""The scrubber of the opt-in log: what a kept message may no longer hold (bot/scrub.py)."""

from __future__ import annotations

import pytest

from bot.scrub import EMAIL, LINK, NAME, NUMBER, PHONE, scrub


@pytest.mark.parametrize(
    ("typed", "gone"),
    [
        ("I am 34 years old", "34"),
        ("عمري ٣٤ سنة", "٣٤"),  # Arabic-Indic digits
        ("۳۴ سال دارم", "۳۴"),  # Persian digits
        ("мне 52 года", "52"),
        ("我今年２８岁", "２８"),  # full-width digits
        ("我三十四岁", "三十四"),  # Chinese numerals
        ("I came in 2019 with 1,5 kids", "2019"),
        ("asun osoitteessa Kotikatu 12 B 7", "12"),
    ],
)
def test_numbers_of_every_script_are_removed(typed, gone):
    kept = scrub(typed)
    assert gone not in kept
    assert NUMBER in kept
    assert not any(ch.isdigit() for ch in kept)


@pytest.mark.parametrize(
    "typed",
    [
        "call me on +358 40 123 4567 please",
        "numeroni on 040-123 4567",
        "رقمي ٠٤٠١٢٣٤٥٦٧",
        "тел. (044) 987 65 43",
        "my number is 0401234567",
    ],
)
def test_phone_numbers_are_removed(typed):
    kept = scrub(typed)
    assert PHONE in kept
    assert not any(ch.isdigit() for ch in kept)


@pytest.mark.parametrize(
    "typed",
    [
        "write to ahmed.ali+kela@gmail.com",
        "sähköpostini on matti_virtanen@example.fi.",
        "بريدي fatima@mail.ru شكرا",
    ],
)
def test_email_addresses_are_removed(typed):
    kept = scrub(typed)
    assert EMAIL in kept and "@" not in kept


@pytest.mark.parametrize(
    "typed", ["see https://kela.fi/asumistuki?x=1", "www.migri.fi said so", "read infofinland.fi/en/living"]
)
def test_web_addresses_are_removed(typed):
    kept = scrub(typed)
    assert LINK in kept and ".fi" not in kept


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("my name is Zorbanella Qwintus and I need help", "Zorbanella"),
        ("My name is ahmed, what is kela", "ahmed"),
        ("Hei, olen Matti ja tarvitsen apua", "Matti"),
        ("nimeni on aino, missä on TE-toimisto", "aino"),
        ("jag heter Sven och bor i Esbo", "Sven"),
        ("меня зовут Олег, где работа", "Олег"),
        ("мене звати Олена", "Олена"),
        ("اسمي أحمد وأريد مساعدة", "أحمد"),
        ("اسم من مریم است", "مریم"),
        ("我叫王小明，我需要帮助", "王小明"),
        ("je m'appelle Amina et j'ai besoin d'aide", "Amina"),
        ("me llamo José y necesito ayuda", "José"),
        ("benim adım Ayşe", "Ayşe"),
        ("magacaygu waa Faadumo", "Faadumo"),
        ("minu nimi on Kadri", "Kadri"),
        ("Yesterday I talked to Zorbanella at the office", "Zorbanella"),  # capitalised, not a known word
        ("Мой друг Иван помог мне", "Иван"),
    ],
)
def test_names_are_removed(typed, name):
    kept = scrub(typed)
    assert name not in kept
    assert NAME in kept


@pytest.mark.parametrize(
    "typed",
    [
        "How do I apply for Kela housing allowance in Finland?",
        "I live in Espoo and work in Helsinki",
        "asun Kauhajoella ja olen työtön",
        "Where is the TE office on Monday?",
        "I speak Arabic and Ukrainian",
    ],
)
def test_known_words_and_places_stay(typed):
    """Staff need the question: institutions, places, languages and days are not names."""
    assert scrub(typed) == typed


def test_at_the_start_of_a_sentence_known_words_stay_and_unknown_ones_go():
    assert scrub("Where can I study Finnish? Maybe online") == "Where can I study Finnish? Maybe online"
    assert scrub("Zorbanella here, is this allowed?") == f"{NAME} here, is this allowed?"
    # Finnish in any case form is a word (Voikko), a first name is not.
    assert scrub("Kotoutumissuunnitelmasta kysyisin") == "Kotoutumissuunnitelmasta kysyisin"
    assert scrub("Matti kysyy") == f"{NAME} kysyy"


def test_everything_together():
    typed = (
        "My name is Zorbanella Qwintus, I am 41, I live in Kauhajoki. "
        "Call +358 44 987 6543 or zq@example.com, see https://example.com/x"
    )
    assert scrub(typed) == (
        f"My name is {NAME}, I am {NUMBER}, I live in Kauhajoki. Call {PHONE} or {EMAIL}, see {LINK}"
    )


def test_a_long_message_is_cut():
    assert len(scrub("word " * 1000)) <= 1000

"""Language detection reads prose only (bot/language.py): code, markup, SQL and addresses
never switch a conversation's language; real sentences, capitals included, still do.

Found by the bad-input tests (issue 14): "<script>alert('x')</script>" switched an
English conversation to Finnish, "1 UNION SELECT sender_id, data FROM events" a Spanish
one to English, and "action_recommend" an English one to French.
"""

from __future__ import annotations

import pytest

from bot.language import detect, prose


@pytest.mark.parametrize(
    "typed",
    [
        "<script>alert('x')</script>",
        "&lt;script&gt;&#x3C;/script&#62;&amp;",
        '<a href="tg://user?id=1">x</a><tg-spoiler>',
        "**34** _[x](javascript:alert(1))_",
        "1 UNION SELECT sender_id, data FROM events --",
        "'; DROP TABLE events; --",
        "action_recommend",
        'choose_language{"language": "fi-FI-x-private"}',
        "https://www.infofinland.fi/en/living-in-finland https://migri.fi/en/home",
        "{language} {0} %s%s%n ${jndi:ldap://x/a} {{7*7}}",
    ],
)
def test_code_and_markup_are_no_language(typed):
    assert detect(typed) is None


@pytest.mark.parametrize(
    "typed, language",
    [
        ("Asun Espoossa ja olen 34-vuotias ja työtön", "fi"),
        ("Olen TE-toimiston asiakas ja asun Espoossa", "fi"),  # an acronym among words
        ("I LIVE IN ESPOO AND I HAVE A WORK PERMIT", "en"),  # all in capitals
        ("я живу в Эспоо и у меня есть разрешение на работу", "ru"),
        ("أنا أعيش في إسبو ولدي تصريح عمل", "ar"),
        ("我住在埃斯波，有工作许可", "zh"),
        ("my email is ann@example.com and I live in Espoo, I have a work permit", "en"),
    ],
)
def test_prose_is_still_detected(typed, language):
    assert detect(typed) == language


def test_prose_leaves_out_code_and_keywords():
    assert prose("1 UNION SELECT sender_id, data FROM events --") == "1 data events --"
    assert prose("SHOUTING IS FINE") == "shouting is fine"
    assert prose("see <b>this</b> at https://x.fi") == "see at"

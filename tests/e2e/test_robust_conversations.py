"""End to end over REST, in six languages: people who say everything at once, who do not
know the optional facts, and who are never understood all reach an answer, never a loop.

Marked slow: it starts the real servers (`make test` runs it).
"""

from __future__ import annotations

import pytest

from bot.facts import FACTS
from bot.serve import send
from tests.e2e.conftest import tracker
from tests.language_cases import CASES

pytestmark = pytest.mark.slow
# "I don't know" as people type it, and a yes to the consent question.
DONT_KNOW = {
    "fi": "en muista",
    "sv": "vet inte",
    "en": "no idea",
    "ar": "لا أعرف",
    "ru": "не помню",
    "so": "ma xasuusto",
}
NONSENSE = ("blorp zzkx", "qwpo mnbv", "xkcd vvvv")
MAX_TURNS = 12


def slots(base: str, sender: str) -> dict:
    return tracker(base, sender)["slots"]


def recommendations(replies: list[dict]) -> list[dict] | None:
    found = [m["custom"]["recommendations"] for m in replies if "recommendations" in (m.get("custom") or {})]
    return found[0] if found else None


@pytest.mark.parametrize("language", DONT_KNOW)
def test_everything_in_the_first_message_then_i_dont_know_to_every_optional_question(server, language):
    case, sender = CASES[language], f"robust-all-{language}"
    send(server, sender, case.facts, {"language": language})
    replies = send(server, sender, case.yes)
    # The facts said before consent were kept: no required question is asked again.
    assert slots(server, sender)["requested_slot"] not in (
        None,
        *[n for n, f in FACTS.items() if not f.optional],
    )
    answered_unknown = []
    for _ in range(MAX_TURNS):
        if recommendations(replies) is not None:
            break
        asked = slots(server, sender)["requested_slot"]
        assert asked is not None and FACTS[asked].optional, (asked, replies)
        answered_unknown.append(asked)
        replies = send(server, sender, DONT_KNOW[language])
    recs = recommendations(replies)
    assert recs, f"no recommendations after {MAX_TURNS} turns"
    state = slots(server, sender)
    for name, value in case.expected.items():
        assert state[name] == value, (name, state[name])
    assert set(state["unknown_facts"] or []) == set(answered_unknown)
    assert answered_unknown, "the case asks at least one optional question"
    assumed = {fact for r in recs for fact in r["assumed"]}
    assert assumed <= set(answered_unknown) and assumed


@pytest.mark.parametrize("language", DONT_KNOW)
def test_nonsense_three_times_ends_in_general_guidance_not_a_loop(server, language):
    case, sender = CASES[language], f"robust-nonsense-{language}"
    send(server, sender, case.greet, {"language": language})
    send(server, sender, case.yes)
    assert slots(server, sender)["requested_slot"] == "permit_type"
    texts = []
    for message in NONSENSE:
        replies = send(server, sender, message)
        texts.append(" ".join(m.get("text") or "" for m in replies))
    assert len(set(texts)) == 3, "each answer is different: never the same question again"
    assert "infofinland" in texts[-1].lower()
    state = slots(server, sender)
    assert state["requested_slot"] is None and state["permit_type"] is None
    # and the person can still go on: the conversation is not stuck
    again = send(server, sender, "/start_over")
    assert again and slots(server, sender)["requested_slot"] == "permit_type"


def test_an_answer_that_could_mean_two_permits_is_asked_about_not_guessed(server):
    """ "I got protection in Finland" could be temporary protection or refugee status: the
    person is asked which, with the two as buttons, and the tapped one is taken."""
    sender = "robust-clarify-en"
    send(server, sender, CASES["en"].greet, {"language": "en"})
    send(server, sender, CASES["en"].yes)
    assert slots(server, sender)["requested_slot"] == "permit_type"
    replies = send(server, sender, "I got protection in Finland")
    assert slots(server, sender)["permit_type"] is None, "a close call is never guessed"
    buttons = [b for m in replies for b in m.get("buttons") or []]
    payloads = {b["payload"] for b in buttons}
    assert any("temporary_protection" in p for p in payloads), buttons
    assert any("international_protection" in p for p in payloads), buttons
    assert len(buttons) == 2
    assert "?" in " ".join(m.get("text") or "" for m in replies)
    chosen = next(p for p in payloads if "international_protection" in p)
    send(server, sender, chosen)
    state = slots(server, sender)
    assert state["permit_type"] == "international_protection"
    assert state["requested_slot"] != "permit_type"

"""End to end: the real servers, whole conversations over the REST channel (contract §1-3).

Marked slow: it starts Rasa (about half a minute). `make test` runs it.
"""

from __future__ import annotations

import pytest

from bot.conversation import texts
from bot.facts import FACTS
from bot.i18n import translator
from bot.serve import send
from tests.e2e.conftest import tracker

pytestmark = pytest.mark.slow

# language -> (messages, expected slots, expected (service, provider) in the payload)
CONVERSATIONS = {
    "fi": (
        [
            "hei",
            "kyllä",
            "olen kiintiöpakolainen",
            "asun Jyväskylässä",
            "40",
            "en ole töissä enkä työnhakija",
            '/inform{"years_since_first_permit": 0.5}',
        ],
        {
            "permit_type": "quota_refugee",
            "municipality": "Jyväskylä",
            "age": 40.0,
            "employment_status": "not_working",
            "years_since_first_permit": 0.5,
        },
        ("integration_social_services", "Keski-Suomen hyvinvointialue"),
    ),
    "en": (
        [
            "hello",
            "yes",
            "I'm 34, I have temporary protection and live in Espoo. I'm not working.",
            '/inform{"years_since_first_permit": 1.5}',
            # temporary protection: the municipality of residence changes the answer, so it is asked
            '/inform{"has_municipality_of_residence": true}',
        ],
        {
            "permit_type": "temporary_protection",
            "municipality": "Espoo",
            "age": 34.0,
            "employment_status": "not_working",
            "has_municipality_of_residence": True,
        },
        ("municipal_integration_services", "Koto-Espoo"),
    ),
    "ar": (
        [
            "مرحبا",
            "نعم",
            "أنا لاجئ حصلت على حماية دولية",
            "أعيش في إسبو",
            "٣٥",
            "أنا باحث عن عمل مسجل",
            '/inform{"years_since_first_permit": 1.5}',
        ],
        {
            "permit_type": "international_protection",
            "municipality": "Espoo",
            "age": 35.0,
            "employment_status": "jobseeker",
        },
        ("employment_services", "Espoon työllisyyspalvelut"),
    ),
    "uk": (
        [
            "привіт",
            "так",
            "у мене тимчасовий захист",
            "Гельсінкі",
            "29",
            "я не працюю",
            '/inform{"years_since_first_permit": 0.5}',
            '/inform{"has_municipality_of_residence": true}',
        ],
        {
            "permit_type": "temporary_protection",
            "municipality": "Helsinki",
            "age": 29.0,
            "employment_status": "not_working",
            "has_municipality_of_residence": True,
        },
        ("integration_social_services", "Helsingin kaupunki"),
    ),
}


@pytest.mark.parametrize("language", CONVERSATIONS)
def test_conversation_reaches_recommendations(server, language):
    messages, slots, (service, provider) = CONVERSATIONS[language]
    sender = f"e2e-{language}"
    replies = [send(server, sender, messages[0], {"language": language})]
    replies += [send(server, sender, m) for m in messages[1:]]
    # The first answer is in the hinted language (metadata.language), before any detection.
    expected_welcome = texts.welcome(translator(language))[0].text
    assert replies[0][0]["text"] == expected_welcome
    state = tracker(server, sender)["slots"]
    assert state["language"] == language
    for name, value in slots.items():
        assert state[name] == value, (name, state[name])
    custom = [m["custom"] for m in replies[-1] if "custom" in m]
    assert len(custom) == 1, replies[-1]
    events = tracker(server, sender)["events"]
    assert not [e for e in events if e["event"] == "action_execution_rejected"], "answers go to the form"
    recommendations = custom[0]["recommendations"]
    assert (service, provider) in [(r["service"], r["provider"]) for r in recommendations]
    for rec in recommendations:
        assert {"service", "provider", "statutory", "reason", "contact", "source"} <= set(rec)
        assert rec["source_url"].startswith("http") and rec["source_title"]
    readable = custom[0]["text"] + " ".join(m.get("text", "") for m in replies[-1])
    assert ".txt" not in readable and ".md" not in readable


def test_typed_nonsense_values_are_refused_by_the_form(server):
    sender = "e2e-refuse"
    for message in ("hello", "yes", '/inform{"permit_type": "work", "municipality": "Oulu"}'):
        send(server, sender, message, {"language": "en"})
    replies = send(server, sender, '/inform{"age": -5}')
    english = translator("en")
    assert replies[0]["text"] == english(FACTS["age"].rephrased)
    state = tracker(server, sender)
    assert state["slots"]["age"] is None and state["slots"]["requested_slot"] == "age"
    # The form's validation answered, not a fallback after the form gave up.
    assert not [e for e in state["events"] if e["event"] == "action_execution_rejected"]


def test_correction_after_the_answer_updates_the_recommendations(server):
    sender = "e2e-correction"
    messages, _slots, _expected = CONVERSATIONS["en"]
    send(server, sender, messages[0], {"language": "en"})
    for message in messages[1:]:
        send(server, sender, message)
    replies = send(server, sender, "actually I live in Vantaa, not Espoo")
    custom = [m["custom"] for m in replies if "custom" in m]
    assert len(custom) == 1, replies
    providers = {r["service"]: r["provider"] for r in custom[0]["recommendations"]}
    assert providers["municipal_integration_services"] == "Vantaa"
    assert providers["integration_social_services"] == "Vantaan ja Keravan hyvinvointialue"
    assert tracker(server, sender)["slots"]["municipality"] == "Vantaa"


def test_danger_comes_before_the_welcome(server):
    replies = send(server, "e2e-danger", "my boss took my passport and hits me", {"language": "en"})
    assert "112" in replies[0]["text"]

"""End to end: the channels against the real servers.

- The REST channel (rasa_components/rest_channel.py) refuses what is not a message with a
  clear 4xx, answers every well-formed message, and checks a typed ``/intent{...}`` like
  any answer: no value outside contract §2, no internal action.
- The Telegram bridge, with the real python-telegram-bot against the fake Bot API
  (tests/telegram_fakes.py), through the real Rasa server to the recommendations.

Marked slow: it starts Rasa (about half a minute). `make test` runs it.
"""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request

import pytest

from bot.channels import telegram_format as fmt
from bot.conversation import texts
from bot.facts import FACTS
from bot.i18n import languages, translator
from bot.pseudonym import pseudonym
from bot.registry import load
from bot.serve import send
from tests.e2e.conftest import tracker
from tests.telegram_fakes import FakeBotApi, bridge_for, buttons, tap, text

pytestmark = pytest.mark.slow


def post(base: str, body: bytes, content_type: str = "application/json") -> tuple[int, object]:
    request = urllib.request.Request(f"{base}/webhooks/rest/webhook", body, {"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


# -- REST: malformed requests ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "body",
    [b"", b"[]", b'[{"sender": "a", "message": "hi"}]', b"{oops", b'{"message": "hi"}', b'{"sender": "a"}'],
)
def test_a_request_that_is_not_a_message_gets_400_with_a_reason(server, body):
    status, answer = post(server, body)
    assert status == 400 and answer["error"] == "bad_request" and answer["message"]


def test_the_channel_is_still_at_the_contracts_url(server):
    with urllib.request.urlopen(f"{server}/webhooks/rest/", timeout=10) as response:
        assert json.loads(response.read()) == {"status": "ok"}
    assert send(server, "e2e-url", "hello", {"language": "en"})


# -- REST: every well-formed message gets a reply ------------------------------------------------------
@pytest.mark.parametrize(
    "typed", ["/restart{", "/session_start", "/action_restart", "/back", "/", "/nlu_fallback"]
)
def test_odd_commands_get_a_reply_and_run_nothing_internal(server, typed):
    sender = f"e2e-odd-{typed.strip('/{') or 'slash'}"
    for message in ("hello", "yes", "I have a work permit"):
        send(server, sender, message, {"language": "en"})
    before = tracker(server, sender)["slots"]
    assert before["permit_type"] == "work"
    replies = send(server, sender, typed)
    assert replies and all(r.get("text") or r.get("buttons") for r in replies)
    after = tracker(server, sender)
    # Read as words ("restart", "session start"), some are the conversation's own "start
    # over": the answers may be cleared, the consent and the session stay.
    assert after["slots"]["stage"] == "consented"
    assert after["slots"]["permit_type"] in ("work", None)
    ran = [e["name"] for e in after["events"] if e["event"] == "action"]
    assert "action_restart" not in ran and "action_back" not in ran
    assert ran.count("action_session_start") == 1  # only the one that began the conversation


def test_restart_resets_and_greets_again_in_the_conversations_language(server):
    sender = "e2e-restart"
    for message in ("hei", "kyllä", "olen kiintiöpakolainen"):
        send(server, sender, message, {"language": "fi"})
    replies = send(server, sender, "/restart", {"language": "en"})  # Telegram's hint is English
    assert replies[0]["text"] == texts.welcome(translator("fi"))[0].text
    slots = tracker(server, sender)["slots"]
    assert slots["permit_type"] is None and slots["stage"] == "consent_pending"


@pytest.mark.parametrize(
    "typed",
    [
        '/inform{"age": -5}',
        '/inform{"age": 121}',
        '/inform{"age": "old"}',
        '/inform{"permit_type": "martian"}',
        '/inform{"employment_status": "boss"}',
        '/inform{"municipality": "Atlantis"}',
        '/inform{"years_since_first_permit": -1}',
        '/inform{"home_care_allowance": "maybe"}',
        '/choose_language{"language": "xx"}',
        '/change_answer{"fact": "stage"}',
        '/thanks{"rating": "<script>"}',
        '/inform{"stage": "declined"}',
        '/inform{"requested_slot": "age", "gave_up": true}',
    ],
)
def test_a_typed_intent_never_sets_a_value_outside_the_contract(server, typed):
    sender = f"e2e-typed-{abs(hash(typed))}"
    for message in ("hello", "yes", "I have a work permit and live in Oulu"):
        send(server, sender, message, {"language": "en"})
    replies = send(server, sender, typed)
    assert replies and replies[0].get("text")
    slots = tracker(server, sender)["slots"]
    assert slots["stage"] == "consented" and slots["language"] in languages()
    assert slots["age"] is None and slots["employment_status"] is None and slots["rating"] is None
    if not typed.startswith('/inform{"stage"') and not typed.startswith('/inform{"requested_slot"'):
        assert (slots["permit_type"], slots["municipality"]) == ("work", "Oulu")  # answered, kept
    for name, fact in FACTS.items():
        value = slots.get(name)
        if value is None:
            continue
        if fact.kind == "municipality":
            assert load().by_name(value)
        else:
            fact.check(value)


def test_a_typed_age_out_of_range_is_answered_with_the_question_again(server):
    sender = "e2e-typed-age"
    for message in ("hello", "yes", '/inform{"permit_type": "work", "municipality": "Oulu"}'):
        send(server, sender, message, {"language": "en"})
    replies = send(server, sender, '/inform{"age": -5}')
    assert replies[0]["text"] == translator("en")(FACTS["age"].rephrased)


# -- Telegram through the real Rasa server --------------------------------------------------------------
def test_telegram_conversation_to_the_recommendations(server):
    chat = 5101

    async def main() -> None:
        async with FakeBotApi().running() as api, bridge_for(api, server).serving(poll_timeout=1):
            await api.push(text(chat, "/start", "en"))
            sent = await api.wait_sent(2, chat)
            assert sent[0]["text"] == fmt.escape(texts.welcome(translator("en"))[0].text)
            consent = sent[1]
            assert buttons(consent)[0] == ("Yes, let's start", "/affirm")

            await api.push(tap(chat, consent, "/affirm", "en"))
            sent = await api.wait_sent(4, chat)
            assert api.of("answerCallbackQuery")
            question = sent[-1]
            assert question["text"] == fmt.escape(translator("en")(FACTS["permit_type"].question))
            await api.push(tap(chat, question, '/inform{"permit_type": "temporary_protection"}', "en"))
            await api.wait_sent(5, chat)
            await api.push(text(chat, "I'm 34, I live in Espoo and I'm not working.", "en"))
            sent = await api.wait_sent(6, chat)
            years = sent[-1]
            assert years["text"] == fmt.escape(translator("en")(FACTS["years_since_first_permit"].question))
            await api.push(text(chat, "1", "en"))
            # temporary protection: the municipality of residence changes the answer, so it is asked
            kotikunta = fmt.escape(translator("en")(FACTS["has_municipality_of_residence"].question))
            await api.wait_for(lambda: any(m["text"] == kotikunta for m in api.sent(chat)))
            count = len(api.sent(chat))
            await api.push(text(chat, "yes", "en"))
            await api.wait_for(lambda: any("Koto-Espoo" in m["text"] for m in api.sent(chat)[count:]))
            await api.wait_for(
                lambda: any("👍" in str(m.get("reply_markup")) for m in api.sent(chat)[count:])
            )
            answer = next(m for m in api.sent(chat)[count:] if "Koto-Espoo" in m["text"])
            assert answer["parse_mode"] == "HTML"
            assert answer["text"].startswith("<b>What you are entitled to, and whom to contact:</b>")
            assert "+358 40 6344480" in answer["text"] and '<a href="https://' in answer["text"]
            assert ".txt" not in answer["text"]
            assert sum("Koto-Espoo" in m["text"] for m in api.sent(chat)[count:]) == 1  # once, formatted

    asyncio.run(main())
    slots = tracker(server, pseudonym("telegram", chat))["slots"]
    assert (slots["permit_type"], slots["municipality"], slots["age"]) == (
        "temporary_protection",
        "Espoo",
        34.0,
    )

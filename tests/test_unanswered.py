"""The opt-in log's question and answer, without Rasa (bot/conversation/unanswered.py)."""

from __future__ import annotations

import pytest

from bot import conversation
from bot.conversation import State, unanswered
from bot.i18n import translator
from bot.scrub import NAME, PHONE

GIBBERISH = "blorp the frobnicated zibber"


def state(text: str, intent: str | None = "nlu_fallback", **slots) -> State:
    entities = slots.pop("entities", {})
    base = {"stage": "consented", "requested_slot": "age", "language": "en", "language_locked": True}
    return State(slots={**base, **slots}, intent=intent, confidence=0.9, text=text, entities=entities)


def asks(turn: conversation.Turn) -> bool:
    return any(m.text and m.text.startswith("May I keep the messages") for m in turn.messages)


def test_the_first_message_not_understood_in_the_form_asks_once_with_buttons():
    turn = conversation.validate(state(GIBBERISH))
    assert turn.slots[unanswered.SLOT] == unanswered.ASKED
    assert asks(turn) and turn.unanswered is None  # the message that prompted it is not kept
    question = turn.messages[-1]
    assert [payload for _, payload in question.buttons] == [
        '/affirm{"keep_unanswered": "yes"}',
        '/deny{"keep_unanswered": "no"}',
    ]
    assert "30 days" in question.text
    # Once answered (either way), or closed, it is never asked again.
    for answer in (unanswered.YES, unanswered.NO):
        again = conversation.validate(state(GIBBERISH, keep_unanswered=answer, misses=1))
        assert not asks(again) and unanswered.SLOT not in again.slots


def test_the_form_does_not_ask_its_own_question_in_the_same_turn():
    events = [
        {"event": "user", "text": GIBBERISH},
        {"event": "slot", "name": "misses", "value": 1},
        {"event": "slot", "name": unanswered.SLOT, "value": unanswered.ASKED},
    ]
    assert unanswered.asked_now(events)
    assert not unanswered.asked_now([*events, {"event": "user", "text": "yes"}])


@pytest.mark.parametrize(
    ("language", "text", "intent", "entities", "kept"),
    [
        ("en", "/affirm", "affirm", {"keep_unanswered": "yes"}, True),
        ("en", "/deny", "deny", {"keep_unanswered": "no"}, False),
        ("fi", "kyllä", "affirm", {}, True),
        ("ar", "نعم", "affirm", {}, True),
        ("zh", "不", "deny", {}, False),
        ("uk", "ні", "deny", {}, False),
        ("so", "haa", "affirm", {}, True),
    ],
)
def test_the_answer_by_button_or_typed_in_any_language(language, text, intent, entities, kept):
    asked = state(text, intent, keep_unanswered="asked", misses=1, language=language, entities=entities)
    turn = conversation.validate(asked)
    assert turn.slots == {unanswered.SLOT: unanswered.YES if kept else unanswered.NO}
    _ = translator(language)
    assert [m.text for m in turn.messages] == [_(unanswered.KEPT if kept else unanswered.NOT_KEPT)]
    # Outside the form (after the recommendations) the same.
    assert conversation.respond(
        state(text, intent, keep_unanswered="asked", language=language, entities=entities)
    ).slots[unanswered.SLOT] == (unanswered.YES if kept else unanswered.NO)


def test_any_other_message_closes_the_question_as_a_no_and_is_read_as_usual():
    turn = conversation.validate(state("I am 34", "inform", keep_unanswered="asked"))
    assert turn.slots[unanswered.SLOT] == unanswered.NO
    assert turn.slots["age"] == 34.0


def test_after_a_yes_messages_not_understood_are_kept_scrubbed():
    turn = conversation.validate(
        state(
            "my name is Zorbanella, call +358449876543 about blorp",
            keep_unanswered="yes",
            requested_slot="employment_status",
        )
    )
    assert turn.unanswered == f"my name is {NAME}, call {PHONE} about blorp"
    assert not asks(turn)
    out_of_scope = conversation.respond(
        state("where can I buy a cheap car", "out_of_scope", keep_unanswered="yes")
    )
    assert out_of_scope.unanswered == "where can I buy a cheap car"
    understood = conversation.validate(state("I am 34", "inform", keep_unanswered="yes"))
    assert understood.unanswered is None  # only what was not understood


def test_never_before_the_consent_to_answer_questions_nor_after_a_no():
    for stage in (None, "consent_pending", "declined"):
        turn = conversation.respond(state(GIBBERISH, stage=stage, requested_slot=None))
        assert not asks(turn) and unanswered.SLOT not in turn.slots
        assert turn.unanswered is None


def test_a_button_payload_is_never_kept():
    turn = conversation.respond(state('/inform{"fact": "x"}', "nlu_fallback", keep_unanswered="yes"))
    assert turn.unanswered is None


def test_after_a_new_fact_outside_the_form_it_waits_for_the_form():
    turn = conversation.respond(state(GIBBERISH, "inform", requested_slot=None))
    assert not asks(turn)


@pytest.mark.parametrize("phone", ["+358 40 987 6543", "040-987 6543", "(09) 816 2100", "0401234567"])
def test_a_phone_number_is_no_age(phone):
    """Found while testing the log: "+358 40 …" was taken as the age 40 and the message as understood."""
    turn = conversation.validate(state(f"call me at {phone} please"))
    assert "age" not in turn.slots
    assert conversation.validate(state("I am 40", "inform")).slots["age"] == 40.0

"""The conversation without Rasa: consent, several facts at once, corrections, refusals."""

from __future__ import annotations

from bot import conversation
from bot.conversation import State


def state(text: str = "", intent: str | None = "inform", **slots) -> State:
    entities = slots.pop("entities", {})
    metadata = slots.pop("metadata", {})
    base = {"stage": "consented", "requested_slot": "permit_type", "language": "en", "language_locked": True}
    return State(
        slots={**base, **slots},
        intent=intent,
        confidence=0.9,
        text=text,
        entities=entities,
        metadata=metadata,
    )


def test_first_message_explains_and_asks_consent():
    turn = conversation.first_contact(State(slots={}, intent="greet", text="hi", metadata={"language": "fi"}))
    assert turn.slots["stage"] == "consent_pending"
    assert turn.slots["language"] == "fi"
    first, second = turn.messages
    assert "chatbot" not in first.text  # it is in Finnish
    assert [payload for _, payload in second.buttons][:2] == ["/affirm", "/deny"]


def test_declining_still_gives_general_guidance():
    turn = conversation.consent(
        State(slots={"stage": "consent_pending", "language": "en"}, intent="deny", text="no")
    )
    assert turn.slots["stage"] == "declined"
    assert "infofinland.fi" in turn.messages[0].text
    assert "112" in turn.messages[0].text


def test_one_message_fills_several_slots():
    turn = conversation.validate(state("I'm a 45-year-old quota refugee in Tampere, at home with my kids"))
    assert turn.slots["permit_type"] == "quota_refugee"
    assert turn.slots["municipality"] == "Tampere"
    assert turn.slots["age"] == 45.0
    assert turn.slots["employment_status"] == "home_parent"


def test_correction_updates_the_slot_and_says_so():
    turn = conversation.validate(
        state("actually I live in Vantaa, not Espoo", municipality="Espoo", requested_slot="age")
    )
    assert turn.slots["municipality"] == "Vantaa"
    assert any("updated" in m.text for m in turn.messages)


def test_typed_entities_are_validated_not_trusted():
    for bad in ({"age": -5}, {"age": 300}, {"permit_type": "king"}, {"municipality": "Atlantis"}):
        slot = next(iter(bad))
        turn = conversation.validate(state("/inform" + str(bad), entities=bad, requested_slot=slot))
        assert slot not in turn.slots, bad
        assert turn.slots["misses"] == 1
        assert turn.messages[0].text == conversation.translator("en")(conversation.REPHRASED[slot])
    # refused even while another question is asked
    other = conversation.validate(
        state('/inform{"age": -5}', entities={"age": -5}, requested_slot="municipality")
    )
    assert "age" not in other.slots and "120" in other.messages[0].text
    ok = conversation.validate(state('/inform{"age": 34}', entities={"age": 34}, requested_slot="age"))
    assert ok.slots["age"] == 34.0


def test_unclear_answer_gets_a_rephrased_question_with_buttons_not_a_loop():
    first = conversation.question("permit_type", state(), conversation.translator("en"))
    turn = conversation.validate(state("blah blah", requested_slot="permit_type"))
    assert turn.slots["misses"] == 1
    again = conversation.question("permit_type", state(misses=1), conversation.translator("en"))
    assert again.text != first.text and len(again.buttons) == 11
    stuck = conversation.question("permit_type", state(misses=3), conversation.translator("en"))
    assert "person" in stuck.text


def test_municipality_candidates_become_buttons():
    turn = conversation.validate(state("Sallo", requested_slot="municipality"))
    assert set(turn.slots["municipality_candidates"]) >= {"Salo", "Salla"}
    asked = conversation.question(
        "municipality", state(municipality_candidates=["Salla", "Salo"]), conversation.translator("en")
    )
    assert [p for _, p in asked.buttons] == [
        '/inform{"municipality": "Salla"}',
        '/inform{"municipality": "Salo"}',
    ]


def test_danger_comes_first_with_112():
    turn = conversation.validate(state("my boss took my passport and I am afraid", intent="danger"))
    assert "112" in turn.messages[0].text
    assert "+358 2954 63177" in turn.messages[0].text
    first = conversation.first_contact(
        State(slots={}, intent="danger", confidence=0.9, text="help me he hits me")
    )
    assert "112" in first.messages[0].text  # before the welcome


def test_only_questions_that_matter_are_added():
    slots = {"permit_type": "work", "municipality": "Oulu", "age": 30.0, "employment_status": "jobseeker"}
    assert conversation.required_slots(slots) == [*conversation.REQUIRED, "years_since_first_permit"]
    slots["years_since_first_permit"] = 1.0
    assert conversation.required_slots(slots) == list(conversation.REQUIRED)


def test_recommendation_is_one_message_with_payload_and_text():
    slots = {
        "permit_type": "temporary_protection",
        "municipality": "Espoo",
        "age": 34.0,
        "employment_status": "not_working",
        "years_since_first_permit": 1.0,
        "language": "uk",
    }
    turn = conversation.recommend(state(**slots))
    message = turn.messages[0]
    assert message.custom["recommendations"][0]["provider"] == "Koto-Espoo"
    assert message.custom["text"] == message.text
    assert [p for _, p in turn.messages[1].buttons][0] == "/start_over"


def test_explicit_language_choice_wins_and_is_announced():
    turn = conversation.respond(
        State(
            slots={"stage": "consented", "language": "en"},
            intent="choose_language",
            text="/choose_language",
            entities={"language": "ar"},
        )
    )
    assert turn.slots["language"] == "ar" and turn.slots["language_locked"] is True
    arabic = conversation.translator("ar")
    announced = arabic(
        "I will continue in {language}. You can change the language at any time.",
        language=conversation.native_name("ar"),
    )
    assert turn.messages[0].text == announced
    assert announced != conversation.translator("en")(
        "I will continue in {language}. You can change the language at any time.", language="x"
    )


def test_a_message_already_handled_is_not_applied_twice():
    """Activating the form right after action_respond must not undo a correction."""
    corrected = state("actually I live in Vantaa, not Espoo", municipality="Vantaa", requested_slot=None)
    corrected.fresh = False
    assert conversation.validate(corrected).slots == {}

"""The conversation without Rasa: consent, several facts at once, corrections, refusals."""

from __future__ import annotations

import pytest

from bot import conversation
from bot.conversation import State
from bot.facts import FACTS


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
        assert turn.messages[0].text == conversation.translator("en")(FACTS[slot].rephrased)
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


def test_the_new_facts_are_asked_in_the_chat_only_where_they_change_the_answer():
    """Issue 11: the family tie is asked for a family permit, the municipality of residence for
    temporary protection (and trafficking victims); neither for a work permit. The form asks
    them through the same machinery as every optional fact (would_change -> required_slots),
    with yes/no and "I don't know" buttons, and the answer changes once they are told."""
    family = {
        "permit_type": "family",
        "municipality": "Kuopio",
        "age": 30.0,
        "employment_status": "home_parent",
    }
    family["years_since_first_permit"] = 1.0
    asked = conversation.required_slots(family)
    assert "family_of_protection_beneficiary" in asked and "has_municipality_of_residence" not in asked

    tp = {"permit_type": "temporary_protection", "municipality": "Espoo", "age": 34.0}
    tp |= {"employment_status": "not_working", "years_since_first_permit": 1.0}
    assert conversation.required_slots(tp) == [*conversation.REQUIRED, "has_municipality_of_residence"]

    work = {"permit_type": "work", "municipality": "Oulu", "age": 30.0, "employment_status": "employed"}
    work["years_since_first_permit"] = 1.0
    assert not {"family_of_protection_beneficiary", "has_municipality_of_residence"} & set(
        conversation.required_slots(work)
    )

    question = conversation.question(
        "has_municipality_of_residence",
        state(requested_slot="has_municipality_of_residence"),
        conversation.translator("en"),
    )
    assert "kotikunta" in question.text
    payloads = [p for _, p in question.buttons]
    assert '/inform{"has_municipality_of_residence": true}' in payloads and "/dont_know" in payloads

    # the answer, once told, is the other branch of the rules
    told = conversation.validate(
        state(
            '/inform{"has_municipality_of_residence": false}',
            entities={"has_municipality_of_residence": False},
            requested_slot="has_municipality_of_residence",
            **tp,
        )
    )
    assert told.slots["has_municipality_of_residence"] is False
    answer = conversation.recommend(state(**{**tp, "has_municipality_of_residence": False}))
    services = {r["service"] for r in answer.messages[1].custom["recommendations"]}
    assert "reception_services" in services and "integration_social_services" not in services
    assert ".txt" not in answer.messages[1].text


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
    based_on, message, closing = turn.messages
    # one line first with what the answer is based on, and a button to change an answer
    assert "Espoo" in based_on.text and [p for _, p in based_on.buttons] == ["/change_answer"]
    assert message.custom["recommendations"][0]["provider"] == "Koto-Espoo"
    assert message.custom["text"] == message.text
    assert [p for _, p in closing.buttons][0] == "/start_over"


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


# -- a conversation that always moves on (issue 10) ----------------------------------------
OPTIONAL_ASKED = {
    "permit_type": "quota_refugee",
    "municipality": "Tampere",
    "age": 45.0,
    "employment_status": "home_parent",
    "requested_slot": "years_since_first_permit",
}


def test_every_optional_question_offers_i_dont_know():
    for slot, fact in FACTS.items():
        asked = conversation.question(slot, state(requested_slot=slot), conversation.translator("fi"))
        payloads = [p for _, p in asked.buttons]
        assert ("/dont_know" in payloads) is fact.optional, slot


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("I don't know", "en"),
        ("ei hajuakaan", "fi"),
        ("لا أعرف", "ar"),
        ("не помню", "ru"),
        ("vet inte", "sv"),
    ],
)
def test_i_dont_know_to_an_optional_question_moves_on(text, language):
    turn = conversation.validate(state(text, intent="nlu_fallback", language=language, **OPTIONAL_ASKED))
    assert turn.slots["unknown_facts"] == ["years_since_first_permit"]
    assert "years_since_first_permit" not in turn.slots
    slots = {**OPTIONAL_ASKED, **turn.slots}
    assert "years_since_first_permit" not in conversation.required_slots(slots)


def test_the_dont_know_button_moves_on_too():
    turn = conversation.validate(state("/dont_know", intent="dont_know", **OPTIONAL_ASKED))
    assert turn.slots["unknown_facts"] == ["years_since_first_permit"]


def test_a_question_is_asked_at_most_twice_the_same_way_then_the_conversation_moves_on():
    slots = {"requested_slot": "permit_type"}
    prompts = []
    for _ in range(3):
        prompts.append(
            conversation.question("permit_type", state(**slots), conversation.translator("en")).text
        )
        turn = conversation.validate(state("blorp zzz", intent="nlu_fallback", **slots))
        slots.update(turn.slots)
    assert len(set(prompts)) == 3  # the question, re-phrased, then with a person to contact
    assert "person" in prompts[2]
    assert slots["gave_up"] is True and conversation.required_slots(slots) == []
    answer = conversation.recommend(state(**slots))
    assert not any(m.custom for m in answer.messages)
    assert "infofinland.fi" in " ".join(m.text or "" for m in answer.messages)


def test_an_optional_fact_never_understood_stays_unknown():
    slots = dict(OPTIONAL_ASKED)
    for _ in range(3):
        slots.update(conversation.validate(state("blorp zzz", intent="nlu_fallback", **slots)).slots)
    assert slots["unknown_facts"] == ["years_since_first_permit"] and not slots.get("gave_up")


def test_facts_before_consent_are_held_and_used_after_yes():
    first = conversation.first_contact(
        State(
            slots={},
            intent="inform",
            text="Hi, I'm 45, a quota refugee in Tampere, at home with my children",
            metadata={"language": "en"},
        )
    )
    held = first.slots["held_facts"]
    assert held == {k: v for k, v in OPTIONAL_ASKED.items() if k != "requested_slot"}
    assert "permit_type" not in first.slots  # nothing is used before consent
    yes = conversation.consent(State(slots={**first.slots}, intent="affirm", text="yes"))
    assert yes.slots["permit_type"] == "quota_refugee" and yes.slots["held_facts"] is None
    assert any("You already told me" in m.text and "Tampere" in m.text for m in yes.messages)
    no = conversation.consent(State(slots={**first.slots}, intent="deny", text="no"))
    assert "permit_type" not in no.slots and no.slots["held_facts"] is None


def test_every_fact_a_message_states_is_kept_whichever_question_was_asked():
    assistance = conversation.validate(
        state("Kela has paid me social assistance since the spring", requested_slot="municipality")
    )
    assert assistance.slots["social_assistance_over_2_months"] is True
    alone = conversation.validate(
        state("my parents stayed in Kabul, I crossed the border by myself at 16", requested_slot="age")
    )
    assert alone.slots["unaccompanied_minor"] is True
    assert "age" not in alone.slots  # 16 was the age on arrival, not the person's age


def test_the_age_is_read_only_where_it_is_the_persons():
    assert (
        conversation.validate(state("I'm 31, my kids are 2 and 5", requested_slot="age")).slots["age"] == 31
    )


def test_negation_is_read_not_the_keyword():
    text = "I'm without work at the moment but I never signed up with the employment services"
    turn = conversation.validate(state(text, requested_slot="employment_status"))
    assert turn.slots["employment_status"] == "not_working"
    turn = conversation.validate(state("I got refugee status after my asylum interview"))
    assert turn.slots["permit_type"] == "international_protection"


def test_two_close_values_are_asked_about_with_two_buttons():
    unsure = {"slot": "permit_type", "values": ["temporary_protection", "international_protection"]}
    asked = conversation.question("permit_type", state(unsure=unsure), conversation.translator("en"))
    assert asked.text.startswith("Did you mean")
    assert [p for _, p in asked.buttons] == [
        '/inform{"permit_type": "temporary_protection"}',
        '/inform{"permit_type": "international_protection"}',
    ]


@pytest.mark.parametrize(
    ("greeting", "language"), [("hei", "fi"), ("moi", "fi"), ("hej", "sv"), ("Hej!", "sv")]
)
def test_a_short_greeting_is_answered_in_its_language(greeting, language):
    turn = conversation.first_contact(State(slots={}, intent="greet", text=greeting))
    assert turn.slots["language"] == language


def test_changing_an_answer_clears_it_and_asks_again():
    slots = {**OPTIONAL_ASKED, "requested_slot": None}
    menu = conversation.respond(state("/change_answer", intent="change_answer", **slots))
    assert '/change_answer{"fact": "age"}' in [p for _, p in menu.messages[0].buttons]
    chosen = conversation.respond(
        state('/change_answer{"fact": "age"}', intent="change_answer", entities={"fact": "age"}, **slots)
    )
    assert chosen.slots["age"] is None


@pytest.mark.parametrize(
    ("slots", "text", "language"),
    [
        ({"language": "sv", "stage": "consented"}, "radera mina uppgifter", "sv"),  # the conversation's
        ({}, "poista tietoni", "fi"),  # a first message: the language it is written in
        ({}, "удали мои данные", "ru"),
    ],
)
def test_delete_my_data_is_confirmed_in_the_persons_language(slots, text, language):
    from bot.conversation import texts
    from bot.i18n import translator

    turn = conversation.forget(State(slots=slots, intent="forget", text=text))
    assert [m.text for m in turn.messages] == [translator(language)(texts.DELETED)]
    assert turn.slots["language"] == language
    assert translator(language)(texts.DELETED) != texts.DELETED  # really translated

"""The conversation's stages, one function per Rasa action, in plain Python.

Stages (slot ``stage``): None (first contact) → ``consent_pending`` → ``consented``
(questions, then recommendations) or ``declined`` (general guidance only). The Rasa
rules (``data/rules.yml``) only say which function runs in which stage.
"""

from __future__ import annotations

from typing import Any

from bot import language, understanding
from bot.conversation import reading, texts, unanswered
from bot.conversation.questions import MOVE_ON_AFTER
from bot.conversation.turns import Message, State, Turn, payload
from bot.eligibility import assess
from bot.facts import FACTS, OPTIONAL_ORDER, REQUIRED, FactError, Profile
from bot.i18n import N_, Translator, native_name, translator
from bot.render import text

PROFILE_SLOTS = tuple(FACTS)
# NLU must be this sure of the danger intent when no danger word is in the lexicons. At
# 0.5, words it had never seen ("blorp the frobnicated zibber") scored 0.50 and were
# answered with the emergency lines; messages about danger score above 0.9.
DANGER_CONFIDENCE = 0.6
# Slots that say where the questions are; cleared with the answers on "start over".
PROGRESS_SLOTS = ("misses", "municipality_candidates", "unknown_facts", "unsure", "gave_up")
INTERRUPTION_CONFIDENCE = 0.5
MOVED_ON = N_("That is fine, I will go on without it.")


# -- language and safety ---------------------------------------------------------------------
def choose_language(state: State, turn: Turn) -> Translator:
    """Decide the conversation's language for this turn and tell the person if it changed."""
    current = state.slots.get("language")
    explicit = language.from_hint(state.entities.get("language"))
    if explicit is None and state.intent == "choose_language":
        explicit = language.named_in(state.text)
    hinted = language.from_hint((state.metadata or {}).get("language"))
    typed = state.text and not state.text.startswith("/")
    chosen, announce = current, False
    if explicit:
        chosen, announce = explicit, explicit != current
    elif current is None and hinted:
        chosen = hinted
    elif current is None and typed and (greeted := language.greeting(state.text)):
        chosen = greeted  # "hei", "moi", "hej": Finnish or Swedish, not English
    elif not state.slots.get("language_locked") and typed:
        detected = language.detect(state.text)
        if detected and detected != current:
            chosen, announce = detected, current is not None
    chosen = chosen or "en"
    _ = translator(chosen)
    if chosen != current:
        turn.slots["language"] = chosen
    if explicit:
        turn.slots["language_locked"] = True
    if announce:
        turn.say(
            _(
                "I will continue in {language}. You can change the language at any time.",
                language=native_name(chosen),
            )
        )
    return _


def safety(state: State, _: Translator) -> list[Message]:
    """Words about danger, violence, exploitation or self-harm: 112 and the right lines first."""
    said_danger = state.intent == "danger" and state.confidence >= DANGER_CONFIDENCE
    if said_danger or understanding.mentions_danger(reading.utterance(state, _)):
        return [texts.safety(_)]
    return []


# -- which questions ---------------------------------------------------------------------------
def _profile(slots: dict[str, Any]) -> Profile | None:
    if any(slots.get(s) is None for s in REQUIRED):
        return None
    try:
        return Profile.from_facts(slots)
    except (FactError, TypeError):
        return None


def required_slots(slots: dict[str, Any]) -> list[str]:
    """The required facts, then only the optional ones that would change the answer and
    that the person has not said they do not know; none once we gave up on a fact."""
    if slots.get("gave_up"):
        return []
    profile = _profile(slots)
    if profile is None:
        return list(REQUIRED)
    unknown = set(slots.get("unknown_facts") or [])
    extra = [f for f in assess(profile).would_change if slots.get(f) is None and f not in unknown]
    return [*REQUIRED, *extra]


# -- answers to the questions ----------------------------------------------------------------
def interruption(state: State, _: Translator, turn: Turn) -> bool:
    """Answer a help, why, language, greeting... message; True when it was one."""
    intent = state.intent
    if intent == "help":
        turn.say(_(texts.HELP))
    elif intent == "why_ask":
        slot = state.requested
        reason = _(FACTS[slot].why) if slot in FACTS else ""
        turn.say(
            " ".join(
                p for p in (reason, _("I only ask what changes the answer, and I do not ask your name.")) if p
            )
        )
    elif intent == "bot_challenge":
        turn.say(_('I am a chatbot, not a person. If you want to talk to a person, write "person".'))
    elif intent == "talk_to_human":
        turn.messages.append(texts.human_contacts(state, _))
    elif intent == "choose_language":
        if not language.from_hint(state.entities.get("language")) and not language.named_in(state.text):
            turn.messages.append(texts.language_menu(_))
    elif intent == "greet":
        turn.say(_("Hello!"))
    elif intent == "thanks":
        turn.say(_("You are welcome!"))
    elif intent == "goodbye":
        turn.say(_("Goodbye, and good luck in Finland! Write to me again whenever you need."))
    elif intent == "out_of_scope":
        turn.say(
            _(
                "I can only help with integration and social services in Finland. InfoFinland answers many other questions in your language: {url}",
                url=texts.contacts.national("infofinland").contact["url"],
            )
        )
    else:
        return False
    return True


def _start_over(turn: Turn) -> None:
    turn.slots.update({s: None for s in PROFILE_SLOTS} | {s: None for s in PROGRESS_SLOTS} | {"misses": 0})


def _take(state: State, turn: Turn, heard: reading.Heard, _: Translator) -> None:
    """Keep every value the message gave; say so when one changed an earlier answer."""
    changed = [s for s, v in heard.values.items() if state.slots.get(s) not in (None, v)]
    turn.slots.update(heard.values)
    turn.slots["misses"] = 0
    turn.slots["municipality_candidates"] = None
    unsure = state.slots.get("unsure") or {}
    if unsure.get("slot") in heard.values:
        turn.slots["unsure"] = None
    if changed:
        turn.say(_("Thanks, I updated your answers."))


def validate(state: State) -> Turn:
    """The form's validation: take every value the message gives, refuse wrong ones, and
    move on after "I don't know" or answers that were not understood three times."""
    turn = Turn()
    if not state.fresh or asks_deletion(state):
        # "Delete my data": the form takes nothing from it, so Rasa's form rejects the
        # message and the rule for it (data/rules.yml) runs action_forget instead.
        return turn
    _ = choose_language(state, turn)
    turn.messages.extend(safety(state, _))
    if state.intent == "start_over":
        _start_over(turn)
        turn.say(_("Let's start again."))
        return turn
    if unanswered.answered(state, turn, _):
        return turn  # the form asks its question again
    heard = reading.read(state, _)
    for slot in heard.refused:  # a value that makes no sense: say why, ask again
        turn.say(_(FACTS[slot].rephrased))
    if heard.unsure and state.slots.get(heard.unsure["slot"]) is None:
        turn.slots["unsure"] = heard.unsure
    if heard.values:
        _take(state, turn, heard, _)
        return turn
    requested = state.requested
    if requested is None:
        return turn
    if heard.dont_know and FACTS[requested].optional:
        _move_on(state, turn, _)
        return turn
    if heard.unsure and heard.unsure["slot"] == requested:
        return turn  # the question now asks "did you mean A or B?"
    # A message the NLU is unsure of is not taken as "hello" or "thanks": it is a miss,
    # or a string of them would loop on the same question.
    sure = state.confidence >= INTERRUPTION_CONFIDENCE
    handled = bool(heard.refused) or (sure and interruption(state, _, turn)) or bool(turn.messages)
    # An interruption that sets no slot ("where can I buy a car?") makes Rasa reject the
    # form's turn and run action_respond instead: respond() keeps or asks, not here.
    if heard.refused or heard.dont_know or not handled:
        misses = int(state.slots.get("misses") or 0) + 1
        turn.slots["unsure"] = None
        turn.slots["municipality_candidates"] = list(heard.candidates) or None
        if misses >= MOVE_ON_AFTER:
            _move_on(state, turn, _)
        else:
            turn.slots["misses"] = misses
        if not (heard.refused or heard.dont_know):
            # Asked only when the form will ask its question again, not when it moves on.
            unanswered.not_understood(state, turn, _, may_ask=misses < MOVE_ON_AFTER, sorry=True)
    return turn


def _move_on(state: State, turn: Turn, _: Translator) -> None:
    """An optional fact stays unknown; a required one ends the questions (general guidance)."""
    requested = state.requested
    turn.slots["misses"] = 0
    turn.slots["municipality_candidates"] = None
    if requested and FACTS[requested].optional:
        turn.slots["unknown_facts"] = [*state.unknown, requested]
        turn.say(_(MOVED_ON))
    else:
        turn.slots["gave_up"] = True


# -- outside the questions -------------------------------------------------------------------
def _hold(state: State, turn: Turn, _: Translator) -> None:
    """Facts said before consent are held, used only if the person agrees."""
    heard = reading.read(state, _)
    if heard.values:
        turn.slots["held_facts"] = {**(state.slots.get("held_facts") or {}), **heard.values}


def first_contact(state: State) -> Turn:
    """The first message of a conversation: safety first, then who we are and consent."""
    turn = Turn()
    _ = choose_language(state, turn)
    turn.messages.extend(safety(state, _))
    turn.slots["stage"] = "consent_pending"
    _hold(state, turn, _)
    turn.messages.extend(texts.welcome(_))
    return turn


def consent(state: State) -> Turn:
    """The answer to the consent question: questions next, or general guidance only.

    Facts told before it are used now ("You already told me: …") or dropped.
    """
    turn = Turn()
    _ = choose_language(state, turn)
    turn.messages.extend(safety(state, _))
    held = state.slots.get("held_facts") or {}
    turn.slots["held_facts"] = None
    if state.intent == "affirm":
        turn.slots["stage"] = "consented"
        turn.say(_("Thank you. You can stop at any time."))
        if held:
            turn.slots.update(held)
            turn.say(_("You already told me: {facts}.", facts=texts.told(held, _)))
    else:
        turn.slots["stage"] = "declined"
        turn.messages.extend(texts.general_guidance(_))
    return turn


def _change_menu(state: State, _: Translator) -> Message:
    given = [s for s in FACTS if state.slots.get(s) is not None]
    return Message(
        _("Which answer do you want to change?"),
        tuple((texts.value_label(s, state.slots[s], _), payload("change_answer", fact=s)) for s in given),
    )


def respond(state: State) -> Turn:
    """Every other message outside the questions: help, greetings, corrections, ratings.

    It never changes the ``stage`` (first_contact and consent do), so the rules can
    tell from the stage alone what follows it.
    """
    turn = Turn()
    _ = choose_language(state, turn)
    turn.messages.extend(safety(state, _))
    if unanswered.answered(state, turn, _):
        return turn
    stage = state.slots.get("stage")
    intent = state.intent
    if intent == "thanks" and state.entities.get("rating") in ("helpful", "not_helpful"):
        turn.slots["rating"] = state.entities["rating"]
        turn.say(_("Thank you for your feedback!"))
        return turn
    if stage == "consented" and intent == "start_over":
        _start_over(turn)
        turn.say(_("Let's look at a new situation."))
        return turn
    if stage == "consented" and intent == "change_answer":
        fact = state.entities.get("fact")
        if fact in FACTS:
            turn.slots.update({fact: None, "gave_up": None, "misses": 0})
            turn.slots["unknown_facts"] = [f for f in state.unknown if f != fact] or None
        else:
            turn.messages.append(_change_menu(state, _))
        return turn
    if stage == "consent_pending":
        _hold(state, turn, _)
    if stage == "consented" and intent in ("inform", "affirm", "deny", "nlu_fallback", "dont_know"):
        heard = reading.read(state, _)
        if heard.values:
            turn.slots.update(heard.values)
            turn.slots["gave_up"] = None
            turn.say(_("Thanks, I updated your answers."))
            return turn
    if interruption(state, _, turn):
        if intent == "out_of_scope":
            unanswered.not_understood(state, turn, _)
        if stage == "consent_pending":
            turn.messages.append(texts.consent_question(_))
        return turn
    if turn.messages or turn.slots.get("held_facts"):
        if stage == "consent_pending":
            turn.messages.append(texts.consent_question(_))
        return turn
    turn.say(_(texts.NOT_UNDERSTOOD))
    # After "inform" the form runs next and may ask its question: the log's question waits.
    unanswered.not_understood(state, turn, _, may_ask=intent != "inform")
    if stage in ("consent_pending", "declined"):
        turn.messages.append(texts.consent_question(_))
    return turn


def recommend(state: State) -> Turn:
    """What the answer is based on, then the recommendations as one message (text and the
    contract §3 payload); general guidance with contacts when a required fact is missing."""
    turn = Turn()
    _ = translator(state.slots.get("language"))
    profile = _profile(state.slots)
    another = (_("Another situation"), payload("start_over"))
    if profile is None:
        turn.slots["gave_up"] = None
        guidance = texts.general_guidance(_, texts.GUIDANCE_WITHOUT_ANSWERS)[0]
        turn.say(guidance.text)
        turn.messages.append(Message(texts.human_contacts(state, _).text, (another,)))
        return turn
    known = {s: state.slots.get(s) for s in FACTS}
    turn.say(
        _("This answer is based on: {facts}.", facts=texts.told(known, _)),
        ((_("Change an answer"), payload("change_answer")),),
    )
    result = assess(profile, _.language)
    body = text(result, _)
    turn.say(body, custom={**result.payload(), "text": body})
    turn.say(
        _("Would you like to ask about another situation? Was this answer helpful?"),
        (another, ("👍", payload("thanks", rating="helpful")), ("👎", payload("thanks", rating="not_helpful"))),
    )
    return turn


__all__ = [
    "OPTIONAL_ORDER",
    "PROFILE_SLOTS",
    "REQUIRED",
    "choose_language",
    "consent",
    "first_contact",
    "recommend",
    "required_slots",
    "respond",
    "validate",
]


# -- deletion on request -----------------------------------------------------------------------
def asks_deletion(state: State) -> bool:
    """Whether the message asks to delete the person's data (the ``forget`` intent, surely)."""
    return state.intent == "forget" and state.confidence >= INTERRUPTION_CONFIDENCE


def forget(state: State) -> Turn:
    """The answer to "delete my data" (contract §6): the confirmation, in the person's language.

    Only what to say is decided here: the Rasa action then restarts the conversation, and
    the tracker store deletes every stored event of it at once. The language is the
    conversation's, or the one the request was written in when it is the first message.
    """
    found = Turn()
    _ = choose_language(state, found)
    return Turn([Message(_(texts.DELETED))], {"language": found.slots.get("language", state.slots.get("language"))})

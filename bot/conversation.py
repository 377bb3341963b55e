"""What the assistant says and remembers, turn by turn, without Rasa.

The Rasa actions (``actions/``) turn a tracker into a ``State``, call one function here,
and turn the ``Turn`` back into messages and slot events. Keeping the conversation in
plain Python means it is tested without a trained model and survives a Rasa upgrade.

Stages (slot ``stage``): None (first contact) → ``consent_pending`` → ``consented``
(questions, then recommendations) or ``declined`` (general guidance only).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from bot import contacts, language, registry, understanding
from bot.eligibility import assess
from bot.facts import (
    EMPLOYMENT_STATUSES,
    OPTIONAL_ORDER,
    PERMIT_TYPES,
    FactError,
    Profile,
    check_age,
    check_choice,
    check_years,
)
from bot.i18n import N_, Translator, languages, native_name, translator
from bot.render import FACT_QUESTIONS, INTERPRETER_TIP, text

REQUIRED = ("permit_type", "municipality", "age", "employment_status")
PROFILE_SLOTS = (*REQUIRED, *OPTIONAL_ORDER)
# NLU must be this sure of the danger intent when no danger word is in the lexicons.
DANGER_CONFIDENCE = 0.5
LARGEST_CITIES = ("Helsinki", "Espoo", "Tampere", "Vantaa", "Oulu", "Turku", "Jyväskylä", "Kuopio")
# After this many answers that were not understood, the question comes with a hint;
# after STUCK_AFTER, with a way out (help, a person, "Other"), so it never just loops.
HINT_AFTER = 1
STUCK_AFTER = 3
# A number said in passing (not to the age question) is taken as an age from this up.
MIN_AGE_IN_PASSING = 15

PERMIT_LABELS = {
    "quota_refugee": N_("Quota refugee"),
    "international_protection": N_("Refugee status or subsidiary protection"),
    "temporary_protection": N_("Temporary protection (for example from Ukraine)"),
    "family": N_("Family ties"),
    "work": N_("Work"),
    "study": N_("Studies"),
    "eu_registration": N_("EU, EEA or Nordic citizen (registered)"),
    "trafficking_victim": N_("Victim of human trafficking"),
    "asylum_seeker": N_("Asylum seeker, waiting for a decision"),
    "undocumented": N_("No valid residence permit"),
    "other": N_("Other"),
}
STATUS_LABELS = {
    "employed": N_("Working"),
    "jobseeker": N_("Registered jobseeker"),
    "not_working": N_("Not working, not registered as a jobseeker"),
    "home_parent": N_("At home with my children"),
    "student": N_("Studying"),
    "retired": N_("Retired"),
}
YEARS_CHOICES = (
    (0.5, N_("Less than a year ago")),
    (1.5, N_("1–2 years ago")),
    (2.5, N_("2–3 years ago")),
    (4.0, N_("More than 3 years ago")),
)
QUESTIONS = {
    "permit_type": N_("What kind of residence permit do you have?"),
    "municipality": N_("In which municipality do you live? Tap a city or write the name."),
    "age": N_("How old are you? Write your age in numbers, for example 34."),
    "employment_status": N_("What is your situation at the moment?"),
    **FACT_QUESTIONS,
}
REPHRASED = {
    "permit_type": N_(
        'I did not recognise the permit type. Which of these is closest? You can also describe it in your own words, for example "I came from Ukraine".'
    ),
    "municipality": N_(
        "I could not find that municipality. Please write the name of the town or municipality where you live, for example Espoo."
    ),
    "age": N_("Please write your age as one whole number between 0 and 120, for example 34."),
    "employment_status": N_("I did not understand your situation. Please choose the closest one."),
    "years_since_first_permit": N_("Please choose how long ago you got your first Finnish residence permit."),
    "home_care_allowance": N_("Please answer yes or no."),
    "social_assistance_over_2_months": N_("Please answer yes or no."),
    "unaccompanied_minor": N_("Please answer yes or no."),
}
WHY = {
    "permit_type": N_("Your residence permit decides which integration services the law gives you."),
    "municipality": N_(
        "Services are organised by your municipality and your wellbeing services county, so I need it to give you the right contacts."
    ),
    "age": N_(
        "Some services depend on age, for example support for young people who came without a guardian."
    ),
    "employment_status": N_(
        "Jobseekers get integration services from employment services; people outside the labour force from the municipality."
    ),
    "years_since_first_permit": N_(
        "Integration services are meant for the first three years after your first residence permit."
    ),
    "home_care_allowance": N_(
        "Parents who receive child home care allowance have a right to integration services."
    ),
    "social_assistance_over_2_months": N_(
        "People who have received basic social assistance for more than two months have a right to integration services."
    ),
    "unaccompanied_minor": N_(
        "Young people who came to Finland without a guardian get extra support until the age of 23."
    ),
}


@dataclass(frozen=True)
class Message:
    """One bot message: text, optional buttons (title, payload), optional custom payload."""

    text: str | None = None
    buttons: tuple[tuple[str, str], ...] = ()
    custom: dict[str, Any] | None = None


@dataclass
class State:
    """What an action knows: the slots, and the latest user message."""

    slots: dict[str, Any]
    intent: str | None = None
    confidence: float = 1.0
    text: str = ""
    entities: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)
    # False when another action already handled this message (the form is being
    # activated right after action_respond): its values must not be applied twice.
    fresh: bool = True

    @property
    def requested(self) -> str | None:
        return self.slots.get("requested_slot")


@dataclass
class Turn:
    """What to say, and which slots to change (None clears a slot)."""

    messages: list[Message] = field(default_factory=list)
    slots: dict[str, Any] = field(default_factory=dict)

    def say(
        self,
        message: str | None = None,
        buttons: tuple[tuple[str, str], ...] = (),
        custom: dict | None = None,
    ) -> None:
        self.messages.append(Message(message, buttons, custom))


def payload(intent: str, **entities: Any) -> str:
    """A button payload that Rasa reads as an intent with entities."""
    return f"/{intent}" + (json.dumps(entities, ensure_ascii=False) if entities else "")


# -- language ------------------------------------------------------------------------------
def choose_language(state: State, turn: Turn) -> Translator:
    """Decide the conversation's language for this turn and tell the person if it changed."""
    current = state.slots.get("language")
    explicit = language.from_hint(state.entities.get("language"))
    if explicit is None and state.intent == "choose_language":
        explicit = language.named_in(state.text)
    hinted = language.from_hint((state.metadata or {}).get("language"))
    chosen, announce = current, False
    if explicit:
        chosen, announce = explicit, explicit != current
    elif current is None and hinted:
        chosen = hinted
    elif not state.slots.get("language_locked") and state.text and not state.text.startswith("/"):
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


def language_menu(_: Translator) -> Message:
    buttons = tuple((native_name(code), payload("choose_language", language=code)) for code in languages())
    return Message(_("Choose your language:"), buttons)


# -- safety --------------------------------------------------------------------------------
def safety(state: State, _: Translator) -> list[Message]:
    """Words about danger, violence, exploitation or self-harm: 112 and the right lines first."""
    said_danger = state.intent == "danger" and state.confidence >= DANGER_CONFIDENCE
    if not said_danger and not understanding.mentions_danger(state.text, _.language):
        return []
    trafficking = contacts.national("trafficking_assistance").contact
    crisis = contacts.national("crisis_line").contact
    return [
        Message(
            "\n".join(
                [
                    _(
                        "If you are in danger now, call the emergency number 112. It is free and answers day and night."
                    ),
                    _(
                        "If someone forces you to work, keeps your passport or controls where you go, the assistance system for victims of human trafficking helps day and night: {phone}.",
                        phone=trafficking["phone"],
                    ),
                    _(
                        "If you are thinking about hurting yourself, call the MIELI crisis line: {phone}.",
                        phone=crisis["phone"],
                    ),
                ]
            )
        )
    ]


# -- questions -----------------------------------------------------------------------------
def question(slot: str, state: State, _: Translator) -> Message:
    """The question for a slot, with buttons for its choices; re-phrased after a miss."""
    misses = int(state.slots.get("misses") or 0)
    prompt = _(REPHRASED[slot]) if misses >= HINT_AFTER else _(QUESTIONS[slot])
    if slot == "permit_type":
        buttons = tuple((_(PERMIT_LABELS[p]), payload("inform", permit_type=p)) for p in PERMIT_TYPES)
    elif slot == "employment_status":
        buttons = tuple(
            (_(STATUS_LABELS[s]), payload("inform", employment_status=s)) for s in EMPLOYMENT_STATUSES
        )
    elif slot == "municipality":
        candidates = state.slots.get("municipality_candidates") or []
        cities = candidates or LARGEST_CITIES
        if candidates:
            prompt = _("Did you mean one of these? Tap the right one, or write the name again.")
        buttons = tuple(
            (registry.load().by_name(c).name(_.language), payload("inform", municipality=c)) for c in cities
        )
    elif slot == "years_since_first_permit":
        buttons = tuple(
            (_(label), payload("inform", years_since_first_permit=v)) for v, label in YEARS_CHOICES
        )
    elif slot in ("home_care_allowance", "social_assistance_over_2_months", "unaccompanied_minor"):
        buttons = (
            (_("Yes"), payload("inform", **{slot: True})),
            (_("No"), payload("inform", **{slot: False})),
        )
    else:
        buttons = ()
    if misses >= STUCK_AFTER:
        prompt += "\n" + _(
            'If you are not sure, choose the closest answer, write "help", or write "person" to find someone to talk to.'
        )
    return Message(prompt, buttons)


def _profile(slots: dict[str, Any]) -> Profile | None:
    if any(slots.get(s) is None for s in REQUIRED):
        return None
    try:
        return Profile(**{s: slots.get(s) for s in PROFILE_SLOTS})
    except (FactError, TypeError):
        return None


def required_slots(slots: dict[str, Any]) -> list[str]:
    """The four facts, then only the optional ones that would change the answer."""
    profile = _profile(slots)
    if profile is None:
        return list(REQUIRED)
    extra = [f for f in assess(profile).would_change if slots.get(f) is None]
    return [*REQUIRED, *extra]


# -- validating answers --------------------------------------------------------------------
def _check(slot: str, value: Any) -> Any:
    """A slot value from a button, an entity or free text, checked; FactError if wrong."""
    if slot == "permit_type":
        return check_choice(slot, str(value), PERMIT_TYPES)
    if slot == "employment_status":
        return check_choice(slot, str(value), EMPLOYMENT_STATUSES)
    if slot == "age":
        return float(check_age(value))
    if slot == "years_since_first_permit":
        return check_years(value)
    if slot == "municipality":
        found = registry.load().resolve(str(value))
        if found.municipality is None:
            raise FactError(slot, value, "a Finnish municipality")
        return found.municipality.name_fi
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise FactError(slot, value, "yes or no")


def extract(state: State, _: Translator) -> tuple[dict[str, Any], list[str], tuple[str, ...]]:
    """Slot values in this message: (values, slots given a wrong value, municipality candidates).

    Entities (button payloads, or ``/inform{...}`` typed by hand) are checked like any
    other answer: a typed ``/inform{"age": -5}`` is refused here, not trusted.
    """
    values: dict[str, Any] = {}
    refused: list[str] = []
    for slot in PROFILE_SLOTS:
        if slot in state.entities:
            try:
                values[slot] = _check(slot, state.entities[slot])
            except (FactError, TypeError, ValueError):
                refused.append(slot)
    candidates: tuple[str, ...] = ()
    if state.text and not state.text.startswith("/"):
        heard = understanding.understand(state.text, _.language, suggest=state.requested == "municipality")
        for slot, value in heard.slots().items():
            values.setdefault(slot, value)
        requested = state.requested
        current = state.slots.get("municipality")
        named = heard.municipality_candidates
        if heard.several_municipalities and current in named and len(named) == 2:
            # "actually I live in Vantaa, not Espoo": the one that is not the old answer.
            values.setdefault("municipality", next(m for m in named if m != current))
        elif requested == "municipality" and "municipality" not in values:
            candidates = named
        if requested == "age" and "age" not in values:
            numbers = understanding.numbers_in(state.text, _.language)
            if numbers:
                refused.append("age")
        if requested in ("home_care_allowance", "social_assistance_over_2_months", "unaccompanied_minor"):
            answer = understanding.yes_no(state.text, _.language)
            if answer is not None:
                values.setdefault(requested, answer)
        if requested == "years_since_first_permit" and requested not in values:
            numbers = [n for n in understanding.numbers_in(state.text, _.language) if 0 <= n <= 120]
            if len(numbers) == 1:
                values[requested] = float(numbers[0])
        # Outside the age question, a number is an age only if it could be an adult's or
        # a teenager's ("I'm 45, quota refugee"), not "2 kids" or "3 years ago".
        in_passing = requested != "age" and "age" not in state.entities and "age" in values
        if in_passing and (requested == "years_since_first_permit" or values["age"] < MIN_AGE_IN_PASSING):
            values.pop("age")
    return values, refused, candidates


def interruption(state: State, _: Translator, turn: Turn) -> bool:
    """Answer a help, why, language, greeting... message; True when it was one."""
    intent = state.intent
    if intent == "help":
        turn.say(
            _(
                'I tell you which integration and social services you may be entitled to in Finland, and whom to contact. Answer my questions by tapping a button or writing in your own words. You can write "start over" or change the language at any time.'
            )
        )
    elif intent == "why_ask":
        slot = state.requested
        reason = _(WHY[slot]) if slot in WHY else ""
        turn.say(
            " ".join(
                p for p in (reason, _("I only ask what changes the answer, and I do not ask your name.")) if p
            )
        )
    elif intent == "bot_challenge":
        turn.say(_('I am a chatbot, not a person. If you want to talk to a person, write "person".'))
    elif intent == "talk_to_human":
        turn.messages.extend(human_contacts(state, _))
    elif intent == "choose_language":
        if not language.from_hint(state.entities.get("language")) and not language.named_in(state.text):
            turn.messages.append(language_menu(_))
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
                url=contacts.national("infofinland").contact["url"],
            )
        )
    else:
        return False
    return True


def human_contacts(state: State, _: Translator) -> list[Message]:
    """Whom to talk to: the municipality's guidance (or InfoFinland), with the interpreter tip."""
    name = state.slots.get("municipality")
    lines = [_("You can talk to a person here:")]
    if name:
        reg = registry.load()
        provider = contacts.route("guidance", reg.by_name(name), reg)
        details = ", ".join(provider.contact.values())
        lines.append(f"- {provider.name}: {details}")
    info = contacts.national("infofinland")
    lines.append(f"- {info.name}: {info.contact['url']}")
    lines.append(_(INTERPRETER_TIP))
    return [Message("\n".join(lines))]


def validate(state: State) -> Turn:
    """The form's validation: take every value the message gives, refuse wrong ones."""
    turn = Turn()
    if not state.fresh:
        return turn
    _ = choose_language(state, turn)
    turn.messages.extend(safety(state, _))
    if state.intent == "start_over":
        turn.slots.update({s: None for s in PROFILE_SLOTS} | {"misses": 0, "municipality_candidates": None})
        turn.say(_("Let's start again."))
        return turn
    values, refused, candidates = extract(state, _)
    for slot in refused:  # a value that makes no sense: say why, ask again
        turn.say(_(REPHRASED[slot]))
    if values:
        previous = {s: state.slots.get(s) for s in values}
        changed = [s for s, v in values.items() if previous[s] is not None and previous[s] != v]
        turn.slots.update(values)
        turn.slots["misses"] = 0
        turn.slots["municipality_candidates"] = None
        if changed:
            turn.say(_("Thanks, I updated your answers."))
        return turn
    handled = bool(refused) or interruption(state, _, turn) or bool(turn.messages)
    if state.requested and (refused or not handled):
        turn.slots["misses"] = int(state.slots.get("misses") or 0) + 1
        turn.slots["municipality_candidates"] = list(candidates) or None
    return turn


# -- outside the questions -----------------------------------------------------------------
def welcome(_: Translator) -> list[Message]:
    return [
        Message(
            _(
                "Hello! I am Kotobotti, a chatbot, not a person. I help you find out which integration and social services you may be entitled to in Finland, and whom to contact. My answers are general guidance, not an official decision."
            )
        ),
        Message(
            _(
                "I will ask about your residence permit, municipality, age and work situation. I do not ask your name. Your answers are kept only in the service's memory, never in a database, and are gone when the service restarts. Do you agree to answer?"
            ),
            (
                (_("Yes, let's start"), payload("affirm")),
                (_("No, only general information"), payload("deny")),
                ("🌐 " + _("Language"), payload("choose_language")),
            ),
        ),
    ]


def general_guidance(_: Translator) -> list[Message]:
    info = contacts.national("infofinland").contact["url"]
    return [
        Message(
            "\n".join(
                [
                    _("That is fine. Here is general information that needs no questions:"),
                    _(
                        "- Every municipality gives immigrants free guidance and advice. InfoFinland has information about your municipality in many languages: {url}",
                        url=info,
                    ),
                    _("- In an emergency, call 112."),
                    _(INTERPRETER_TIP),
                ]
            ),
            ((_("Answer the questions after all"), payload("affirm")),),
        )
    ]


def first_contact(state: State) -> Turn:
    """The first message of a conversation: safety first, then who we are and consent."""
    turn = Turn()
    _ = choose_language(state, turn)
    turn.messages.extend(safety(state, _))
    turn.slots["stage"] = "consent_pending"
    turn.messages.extend(welcome(_))
    return turn


def consent(state: State) -> Turn:
    """The answer to the consent question: questions next, or general guidance only."""
    turn = Turn()
    _ = choose_language(state, turn)
    turn.messages.extend(safety(state, _))
    if state.intent == "affirm":
        turn.slots["stage"] = "consented"
        turn.say(_("Thank you. You can stop at any time."))
    else:
        turn.slots["stage"] = "declined"
        turn.messages.extend(general_guidance(_))
    return turn


def respond(state: State) -> Turn:
    """Every other message outside the questions: help, greetings, corrections, ratings.

    It never changes the ``stage`` (first_contact and consent do), so the rules can
    tell from the stage alone what follows it.
    """
    turn = Turn()
    _ = choose_language(state, turn)
    turn.messages.extend(safety(state, _))
    stage = state.slots.get("stage")
    intent = state.intent
    if intent == "thanks" and state.entities.get("rating") in ("helpful", "not_helpful"):
        turn.slots["rating"] = state.entities["rating"]
        turn.say(_("Thank you for your feedback!"))
        return turn
    if stage == "consented" and intent == "start_over":
        turn.slots.update({s: None for s in PROFILE_SLOTS} | {"misses": 0})
        turn.say(_("Let's look at a new situation."))
        return turn
    if stage == "consented" and intent in ("inform", "affirm", "deny", "nlu_fallback"):
        values, _refused, _candidates = extract(state, _)
        if values:
            turn.slots.update(values)
            turn.say(_("Thanks, I updated your answers."))
            return turn
    if interruption(state, _, turn):
        if stage == "consent_pending":
            turn.messages.extend(welcome(_)[1:])
        return turn
    if turn.messages:
        return turn
    turn.say(_('Sorry, I did not understand. You can tap a button or write "help".'))
    if stage in ("consent_pending", "declined"):
        turn.messages.extend(welcome(_)[1:])
    return turn


def recommend(state: State) -> Turn:
    """The recommendations: one message with the readable text and the contract payload."""
    turn = Turn()
    _ = translator(state.slots.get("language"))
    profile = _profile(state.slots)
    if profile is None:
        turn.say(_('Sorry, I did not understand. You can tap a button or write "help".'))
        return turn
    result = assess(profile, _.language)
    body = text(result, _)
    turn.say(body, custom={**result.payload(), "text": body})
    turn.say(
        _("Would you like to ask about another situation? Was this answer helpful?"),
        (
            (_("Another situation"), payload("start_over")),
            ("👍", payload("thanks", rating="helpful")),
            ("👎", payload("thanks", rating="not_helpful")),
        ),
    )
    return turn

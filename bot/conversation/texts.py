"""The fixed texts of the conversation: who we are, consent, help, safety, contacts.

Every sentence goes through the Babel catalogs (``locales/``); message ids are the
English texts, kept on one line so a text seen in a catalog is found with grep.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot import contacts, registry
from bot.conversation.turns import Message, State, payload
from bot.facts import FACTS
from bot.i18n import N_, Translator, languages, native_name
from bot.render import INTERPRETER_TIP
from bot.storage import retention_days

# The confirmation of a deletion on request ("delete my data", the widget's delete button).
DELETED = N_("Your conversation was deleted. You can start a new one at any time.")
NOT_UNDERSTOOD = N_('Sorry, I did not understand. You can tap a button or write "help".')
HELP = N_(
    'I tell you which integration and social services you may be entitled to in Finland, and whom to contact. Answer my questions by tapping a button or writing in your own words. You can write "start over" or change the language at any time.'
)
DONT_KNOW = N_("I don't know")


def language_menu(_: Translator) -> Message:
    buttons = tuple((native_name(code), payload("choose_language", language=code)) for code in languages())
    return Message(_("Choose your language:"), buttons)


def safety(_: Translator) -> Message:
    """112, the trafficking assistance line and the crisis line, before anything else."""
    trafficking = contacts.national("trafficking_assistance").contact
    crisis = contacts.national("crisis_line").contact
    return Message(
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


def welcome(_: Translator) -> list[Message]:
    return [
        Message(
            _(
                "Hello! I am Kotobotti, a chatbot, not a person. I help you find out which integration and social services you may be entitled to in Finland, and whom to contact. My answers are general guidance, not an official decision."
            )
        ),
        consent_question(_),
    ]


def consent_question(_: Translator) -> Message:
    return Message(
        _(
            "I will ask about your residence permit, municipality, age and work situation. I do not ask your name. Your answers are kept for {days} days after your last message, without the words you typed, and then deleted. Do you agree to answer?",
            days=retention_days(),
        ),
        (
            (_("Yes, let's start"), payload("affirm")),
            (_("No, only general information"), payload("deny")),
            ("🌐 " + _("Language"), payload("choose_language")),
        ),
    )


GUIDANCE_AFTER_NO = N_("That is fine. Here is general information that needs no questions:")
GUIDANCE_WITHOUT_ANSWERS = N_("I could not get every answer I need, so here is general guidance:")


def general_guidance(_: Translator, intro: str = GUIDANCE_AFTER_NO) -> list[Message]:
    info = contacts.national("infofinland").contact["url"]
    return [
        Message(
            "\n".join(
                [
                    _(intro),
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


# When the assistant's own actions cannot run (the action server is down): what a channel says.
UNAVAILABLE = N_(
    "Sorry, part of my service is not working right now, so I cannot go on with your questions. What you have told me is kept: write to me again in a few minutes and we continue where we left off. Until then, here is general guidance:"
)


def unavailable(slots: Mapping[str, Any], _: Translator) -> list[Message]:
    """What a channel says when the assistant could not run its actions: that it is a fault,
    that nothing is lost, and the general guidance with whom to contact (as when a required
    fact was never understood), so the person is never left with nothing.

    Said by the channel itself (``rasa_components/``), which knows only the stored slots: no
    buttons, since a tap would reach the same broken part.
    """
    guidance = general_guidance(_, UNAVAILABLE)[0]
    return [Message(guidance.text), human_contacts(State(slots=dict(slots)), _)]


def human_contacts(state: State, _: Translator) -> Message:
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
    return Message("\n".join(lines))


def value_label(slot: str, value: object, _: Translator) -> str:
    """A fact's value as a person reads it: the button label, the town's name, the number."""
    fact = FACTS[slot]
    for choice in fact.choices:
        if choice.value == value and fact.kind == "choice":
            return _(choice.label)
    if fact.kind == "municipality":
        return registry.load().by_name(str(value)).name(_.language)
    if fact.kind == "age":
        return _("{age} years old", age=int(float(str(value))))
    if fact.kind == "years":
        return _("first permit {years} years ago", years=_.number(float(str(value))))
    return _(fact.question) + " " + (_("Yes") if value else _("No"))


def told(values: dict[str, object], _: Translator) -> str:
    """What the person has told us, on one line, in the order of the questions."""
    return "; ".join(value_label(slot, values[slot], _) for slot in FACTS if values.get(slot) is not None)

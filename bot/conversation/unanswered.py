"""The opt-in log of messages not understood: asked once, kept only after a yes (contract §6).

Staff improve Kotobotti from what it did not understand, but what a person typed is
never kept without their word. So, at the first message it does not understand after
the person agreed to answer questions, Kotobotti says so and asks, apart from that
consent, whether such messages may be kept (Yes / No buttons, or yes / no typed in any
of the 13 languages). Asked then, not at the start: most people are understood and
never see the question, and whoever sees it has just seen why it matters. It is not
asked before that consent nor after a no to it (one question about their data at a
time), and a message that is not yes or no closes it as a no: it is never asked twice
in a conversation. The answer is the slot ``keep_unanswered`` (``asked`` → ``yes`` |
``no``).

The message that prompted the question is not kept (nothing typed is written anywhere
before the yes); after a yes, each message not understood is kept scrubbed
(``bot.scrub``) as ``Turn.unanswered``, which the action writes to its table with the
language and the day, without any id (``bot.tables``).
"""

from __future__ import annotations

from bot import understanding
from bot.conversation import reading
from bot.conversation.turns import Message, State, Turn, payload
from bot.i18n import N_, Translator
from bot.scrub import scrub
from bot.storage import retention_days

SLOT = "keep_unanswered"  # also the entity the buttons carry
ASKED, YES, NO = "asked", "yes", "no"
SURE = 0.5  # the NLU's affirm/deny counts as the answer only when it is this sure

SORRY = N_("Sorry, I did not understand that.")
QUESTION = N_(
    "May I keep the messages I do not understand, so that staff can improve me? I first remove numbers, e-mail and web addresses and names, and I do not keep who wrote them, so they cannot be deleted on request later. They are deleted after {days} days."
)
KEPT = N_("Thank you. That helps me improve.")
NOT_KEPT = N_("All right, I will not keep them.")


def question(_: Translator) -> Message:
    """The question, with its two buttons (the answer is in the payload, whatever the stage)."""
    return Message(
        _(QUESTION, days=retention_days()),
        ((_("Yes"), payload("affirm", **{SLOT: YES})), (_("No"), payload("deny", **{SLOT: NO}))),
    )


def _said(state: State, _: Translator) -> bool | None:
    """Yes (True) or no (False) when this message answers a yes/no question, else None."""
    tapped = state.entities.get(SLOT)
    if tapped in (YES, NO):
        return tapped == YES
    u = reading.utterance(state, _)
    if u.typed:
        said = understanding.yes_no(u)
        if said is not None:
            return said
    if state.intent in ("affirm", "deny") and state.confidence >= SURE:
        return state.intent == "affirm"
    return None


def answered(state: State, turn: Turn, _: Translator) -> bool:
    """Take the answer when the question is open: True when this message was the answer.

    Any other message closes the question as a no (silence is not consent) and goes on
    to be read as usual.
    """
    if state.slots.get(SLOT) != ASKED:
        return False
    said = _said(state, _)
    turn.slots[SLOT] = YES if said else NO
    if said is None:
        return False
    turn.say(_(KEPT if said else NOT_KEPT))
    return True


def not_understood(state: State, turn: Turn, _: Translator, *, may_ask: bool = True, sorry: bool = False) -> None:
    """A message Kotobotti did not understand: kept scrubbed after a yes, or the question
    asked, once, when the person has agreed to answer questions (``may_ask``: nothing
    else will be asked after it in this turn). ``sorry``: say first that it was not
    understood (when nothing else in the turn says so)."""
    consent = turn.slots.get(SLOT, state.slots.get(SLOT))
    typed = reading.utterance(state, _).typed
    if consent == YES and typed:
        turn.unanswered = scrub(state.text)
    elif consent is None and may_ask and typed and state.slots.get("stage") == "consented":
        if sorry:
            turn.say(_(SORRY))
        turn.slots[SLOT] = ASKED
        turn.messages.append(question(_))


def asked_now(events: list[dict]) -> bool:
    """Whether the question was put since the person's last message (Rasa events as dicts):
    the form then does not ask its own question in the same turn, so the last question the
    person sees is this one and their yes or no cannot be taken for an answer to the form's."""
    for event in reversed(events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "slot" and event.get("name") == SLOT and event.get("value") == ASKED:
            return True
    return False

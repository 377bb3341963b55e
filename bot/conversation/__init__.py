"""What the assistant says and remembers, turn by turn, without Rasa.

The Rasa actions (``actions/``) turn a tracker into a ``State``, call one function of
``stages``, and turn the ``Turn`` back into messages and slot events. Keeping the
conversation in plain Python means it is tested without a trained model and survives a
Rasa upgrade. Where to find what:

- ``turns``: State, Turn, Message, button payloads;
- ``texts``: the fixed texts (welcome, consent, help, safety, contacts);
- ``questions``: each question's wording and buttons, after misses too;
- ``reading``: which facts one message gives, in the context of the question asked;
- ``stages``: one function per Rasa action (first contact, consent, the form's
  validation, everything else, the recommendations).
"""

from bot.conversation.questions import question
from bot.conversation.stages import (
    PROFILE_SLOTS,
    REQUIRED,
    consent,
    first_contact,
    forget,
    recommend,
    required_slots,
    respond,
    validate,
)
from bot.conversation.turns import Message, State, Turn, payload
from bot.i18n import native_name, translator

__all__ = [
    "PROFILE_SLOTS",
    "REQUIRED",
    "Message",
    "State",
    "Turn",
    "consent",
    "first_contact",
    "forget",
    "native_name",
    "payload",
    "question",
    "recommend",
    "required_slots",
    "respond",
    "translator",
    "validate",
]

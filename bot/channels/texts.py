"""What a channel says itself, without the assistant: when Rasa is down, for a sticker,
for an empty or too long message, for ``/privacy`` and ``/forget``, and the command
menu. Every text is in the catalogs.
"""

from __future__ import annotations

from bot.i18n import N_, Translator
from bot.storage import retention_days

TRY_AGAIN = N_("Sorry, I cannot answer right now. Please try again shortly.")
TEXT_ONLY = N_("I can only read text. Please write your answer in words, or tap one of the buttons.")
# A message with nothing to read (spaces, control or invisible characters only), and one
# longer than bot.channels.inbound.MAX_MESSAGE_CHARS: answered without the assistant.
EMPTY_MESSAGE = N_("Your message was empty. Please write your answer in words, or tap one of the buttons.")
TOO_LONG = N_("Your message is too long for me. Please write it again more briefly, in a few sentences.")
EDITED = N_("I cannot read edited messages. Please send your correction as a new message.")
PRIVATE_ONLY = N_(
    "I only talk in private chats, so that what you tell me stays between us. Please open a private chat with me."
)
FORGOTTEN = N_("Done: I have forgotten your answers, and we start again from the beginning.")
PRIVACY = N_(
    "I am a chatbot. I ask about your residence permit, municipality, age and work situation, and a few more facts only when the answer depends on them. I do not ask your name. I know this chat only by a code made from it, never by your name or phone number, and I keep no pictures, voice messages or files. Write /forget at any time to delete your answers."
)

PRIVACY_KEPT = N_(
    "Your answers are kept for {days} days after your last message, without the words you typed, and then deleted. If you allow it, messages I do not understand are kept for {days} days without numbers, e-mail and web addresses, names or who wrote them: nothing links them to you, so /forget cannot delete them."
)


def privacy(_: Translator) -> str:
    """The whole /privacy notice: what is asked and kept, and for how long (contract §6)."""
    return _(PRIVACY) + " " + _(PRIVACY_KEPT, days=retention_days())


# The bot's command menu (Telegram's set_my_commands), in every language.
COMMANDS = (
    ("start", N_("Start the conversation")),
    ("language", N_("Choose your language")),
    ("help", N_("What I can do")),
    ("privacy", N_("What I keep about you")),
    ("forget", N_("Delete your answers")),
    ("restart", N_("Start again from the beginning")),
)

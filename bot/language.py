"""Which language to answer in: an explicit choice, the channel's hint, or detection.

Order (issue 3, contract §1): a choice the person made (button, command, "can you
speak Finnish?") wins; then the channel's hint (REST ``metadata.language``, Telegram
``language_code``, the widget's choice); then offline detection of free text with
lingua (its models ship in the wheel: no download), switching only when confident.
"""

from __future__ import annotations

import re
from functools import lru_cache

from babel import Locale

from bot.i18n import languages, normalise_language
from bot.text import has_cjk, key

# Detection must be this sure, and the text this long, before we switch languages.
MIN_CONFIDENCE = 0.85
MIN_LETTERS = 12
# Code, markup and addresses are not words of any language: "<script>alert('x')</script>"
# was read as Finnish, "sender_id", "action_recommend" as French, "https://..." would be
# English. A word holding one of these is left out of detection...
_CODE = re.compile(r"[<>{}\[\]=_\\|$@#*&^~`]|://|^www\.")
# ...and the rest must hold most of the message's letters, or it is not prose at all.
MIN_PROSE_SHARE = 0.75


@lru_cache(maxsize=1)
def _detector():  # type: ignore[no-untyped-def]
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    wanted = []
    for code in languages():
        try:
            wanted.append(Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())))
        except (AttributeError, ValueError):
            continue
    # Low-accuracy mode: trigram models only, 35 MB instead of 240 MB resident and
    # 10x faster; with MIN_CONFIDENCE it still tells our 13 languages apart on a sentence.
    return LanguageDetectorBuilder.from_languages(*wanted).with_low_accuracy_mode().build()


def prose(text: str) -> str:
    """The words of a message that say which language it is in: without code, markup,
    addresses, and upper-case keywords and acronyms ("SELECT", "DROP", "TE") among
    lower-case words; a message all in capitals is read in lower case."""
    shouting = not any(ch.islower() for ch in text)
    words = []
    for word in text.split():
        if _CODE.search(word):
            continue
        if not shouting and word.isupper() and sum(ch.isalpha() for ch in word) >= 2:
            continue
        words.append(word)
    kept = " ".join(words)
    return kept.lower() if shouting else kept


def detect(text: str) -> str | None:
    """The language of a free-text message, when detection is confident; else None.

    Only prose is detected (``prose``): a message that is mostly code or markup, an SQL
    fragment or an address keeps the conversation's language."""
    words = prose(text)
    letters = sum(ch.isalpha() for ch in words)
    if letters < MIN_PROSE_SHARE * sum(ch.isalpha() for ch in text):
        return None
    text = words
    chinese = any("\u4e00" <= ch <= "\u9fff" for ch in text)  # says a lot in few characters
    if letters < (2 if chinese else MIN_LETTERS):
        return None
    values = _detector().compute_language_confidence_values(text)
    if not values or values[0].value < MIN_CONFIDENCE:
        return None
    return normalise_language(values[0].language.iso_code_639_1.name.lower())


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    """Every way to name a supported language in any supported language (CLDR), → code."""
    names: dict[str, str] = {}
    for target in languages():
        for shown_in in languages():
            name = Locale.parse(shown_in).languages.get(target)
            if name:
                names[key(name)] = target
    return names


# Names people use that CLDR does not list under the language.
_EXTRA_NAMES = {"farsi": "fa", "dari": "fa", "pharsi": "fa", "mandarin": "zh", "putonghua": "zh"}


def named_in(text: str) -> str | None:
    """A supported language named in the text ("in Finnish", "suomeksi", "по-русски").

    Matches CLDR names by their beginning (all but the last two letters, at least 4),
    so inflected forms such as "suomeksi", "englanniksi" or "venäjäksi" are found.
    Two different languages named: None (the menu is shown instead).
    """
    text_key = key(text)
    words = text_key.split()
    found: set[str] = set()
    for name, code in (_names() | _EXTRA_NAMES).items():
        if has_cjk(name):
            if name in text_key:  # Chinese: no spaces between words
                found.add(code)
            continue
        stem = name[: max(4, len(name) - 2)]
        if any(word == name or word.startswith(stem) for word in words):
            found.add(code)
    return found.pop() if len(found) == 1 else None


def from_hint(value: object) -> str | None:
    """A channel's language hint (``fi``, ``fi-FI``, ``pt-br``) as a supported code."""
    return normalise_language(value) if isinstance(value, str) else None


# Greetings too short for detection that still say which language to answer in: a
# Finn writing "moi" should not be answered in English. Only words that are the
# greeting of one of our languages alone ("hei" is also Norwegian, which we do not
# speak; "salam" is shared by Persian and others, so it is left to the script check).
GREETINGS = {
    "fi": ("hei", "moi", "moikka", "moro", "terve", "terve terve", "heippa", "hei hei", "huomenta", "päivää"),
    "sv": ("hej", "hejsan", "tjena", "tja", "god dag", "god morgon", "hallå"),
    "et": ("tere", "tervist", "tsau", "tere hommikust"),
    "fr": ("bonjour", "salut", "bonsoir", "coucou"),
    "es": ("hola", "buenos días", "buenas", "buenas tardes"),
    "tr": ("merhaba", "selam", "selamlar", "günaydın"),
    "ru": ("привет", "здравствуйте", "добрый день", "здрасте"),
    "uk": ("привіт", "добрий день", "вітаю"),
    "so": ("iska warran", "nabad", "salaan"),
    "zh": ("你好", "您好", "嗨"),
}
_GREETING_LANGUAGE = {key(g): code for code, words in GREETINGS.items() for g in words}


def greeting(text: str) -> str | None:
    """The language of a short greeting ("hei", "hej!", "привет"), else None.

    Arabic and Persian share their greeting ("سلام"): a short Arabic-script text is
    Persian when it has a letter only Persian uses, else Arabic.
    """
    k = key(text)
    if k in _GREETING_LANGUAGE:
        return _GREETING_LANGUAGE[k]
    if k and len(k) <= 20 and all("\u0600" <= ch <= "\u06ff" or ch == " " for ch in k):
        return "fa" if any(ch in text for ch in "پچژگی") else "ar"
    return None

"""Text normalisation shared by the registry and the dialogue.

People type place names in any case, with or without Finnish letters, in Cyrillic,
Arabic or Persian script, or in Chinese. Every comparison in the registry happens on
the *key* this module makes, so that ``JYVÄSKYLÄ``, ``jyvaskyla`` and ``Jyväskylä``
meet, and so that the Arabic and Persian forms of one letter do too.
"""

from __future__ import annotations

import re
import unicodedata

# Arabic-script letters that people write interchangeably (alef forms, Persian yeh and
# keheh, teh marbuta at a word's end), folded to one form each.
_ARABIC_FOLD = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ی": "ي",
        "ئ": "ي",
        "ک": "ك",
        "ة": "ه",
        "ۀ": "ه",
        "ڤ": "ف",
        "پ": "ب",
        "گ": "غ",
        "ـ": None,  # tatweel
        # Persian zero-width non-joiner: "می‌کنم" is typed as often without it ("میکنم"),
        # and both are one word.
        "\u200c": None,
    }
)
_CYRILLIC_FOLD = str.maketrans({"ё": "е", "ʼ": "", "'": "", "’": ""})

# Arabic-Indic and Persian digits are digits too (an age typed as ٣٤ or ۳۴).
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")

_WORD = re.compile(r"[\w'’ʼ-]+", re.UNICODE)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_CJK_RUNS = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|[^\u3400-\u9fff\uf900-\ufaff]+")


# A phone number: a "+" or a leading 0 and at least 7 digits, or at least 9 digits, with
# spaces, dashes or brackets between them ("+358 40 123 4567", "040-123 4567", "(09) 816 21").
# Dots are left out: "01.03.2022" is a date.
_PHONE_RUN = re.compile(r"\+?\(?\d[\d \-–()]*\d")


def phone_spans(text: str) -> list[tuple[int, int]]:
    """Where the phone numbers of a message are (digits of any script)."""
    spans = []
    for match in _PHONE_RUN.finditer(text):
        run = match.group()
        digits = sum(ch.isdigit() for ch in run)
        first = run.lstrip("+(")[:1]
        if digits >= 9 or (digits >= 7 and (run.startswith("+") or first in "0٠۰")):
            spans.append(match.span())
    return spans


def without_phone_numbers(text: str) -> str:
    """The message with its phone numbers blanked: their digits are no age or year."""
    for start, end in reversed(phone_spans(text)):
        text = text[:start] + " " + text[end:]
    return text


def fold_digits(text: str) -> str:
    """Arabic-Indic and Persian digits as ASCII digits."""
    return text.translate(_DIGITS)


def strip_marks(text: str) -> str:
    """Remove combining marks: ``ä`` → ``a``, Arabic harakat → nothing."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def key(text: str) -> str:
    """The comparison key of a name: case-, mark- and script-variant-insensitive.

    ``key("Jyväskylä") == key("JYVASKYLA") == "jyvaskyla"``. Hyphens and spaces are
    kept as one space so that ``Mänttä-Vilppula`` and ``mantta vilppula`` meet.
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.translate(_ARABIC_FOLD).translate(_CYRILLIC_FOLD)
    text = strip_marks(text)
    text = re.sub(r"[\s\-_.,:;!?()\"«»،؛؟。，、！？：；（）—–]+", " ", text)
    return text.strip()


def tokens(text: str) -> list[str]:
    """Words of a message, punctuation removed, original case kept. Chinese writes no
    spaces, also not around a name in Latin letters ("在Porvoo", "住在Oulussa"): a run of
    Chinese characters and a run of other letters are separate words."""
    words = []
    for word in _WORD.findall(unicodedata.normalize("NFKC", text)):
        words += _CJK_RUNS.findall(word) if _CJK.search(word) else [word]
    return words


def has_cjk(text: str) -> bool:
    """Whether the text contains Chinese characters (which come without spaces)."""
    return bool(_CJK.search(text))

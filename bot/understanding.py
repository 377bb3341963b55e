"""Values inside free text: permit type, work situation, age, yes/no, danger, in any language.

Rasa's NLU tells *what kind* of message it is (an intent); this module finds the
*values*, from per-language lexicons (``bot/lexicon/<lang>.yml``, format in
``docs/nlu-spec.md``) and the registry. It is plain, deterministic Python, so the form's
validation can trust it and tests can check it without a trained model; and one message
can fill several slots ("I'm a 45-year-old quota refugee in Tampere").

Lexicons of every language are searched, the conversation's language first: people
mix languages ("olen refugee, asun Espoossa").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from bot import registry
from bot.facts import EMPLOYMENT_STATUSES, MAX_AGE, PERMIT_TYPES
from bot.text import fold_digits, has_cjk, key

# A phrase word this long also matches longer words that start with it (a stem).
STEM_MIN = 5
_DIGITS = re.compile(r"\d+")


def _digit_numbers(text: str) -> list[int]:
    """Numbers written in digits, not inside a word. Arabizi writes letters with single
    digits ("3omri", "laje2"), so one digit touching a letter is a letter; "45yo" is 45."""
    found = []
    for match in _DIGITS.finditer(text):
        before = text[match.start() - 1] if match.start() else " "
        after = text[match.end()] if match.end() < len(text) else " "
        if before.isalpha() and not has_cjk(before):
            continue
        if len(match.group()) == 1 and after.isalpha() and not has_cjk(after):
            continue
        if len(match.group()) <= 3:
            found.append(int(match.group()))
    return found


@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]
    value: Any
    cjk: bool

    @property
    def length(self) -> int:
        return sum(len(w) for w in self.words)

    def matches(self, message_words: list[str], message_key: str, stems: bool = True) -> bool:
        if self.cjk:
            phrase = " ".join(self.words)
            # One character ("是", "不") is a whole answer only: inside a sentence it is
            # part of other words.
            return message_key == phrase if len(phrase) == 1 else phrase in message_key
        n = len(self.words)
        for i in range(len(message_words) - n + 1):
            window = message_words[i : i + n]
            if all(_word_matches(p, w, stems) for p, w in zip(self.words, window, strict=True)):
                return True
        return False


def _word_matches(phrase_word: str, word: str, stems: bool = True) -> bool:
    stem = stems and len(phrase_word) >= STEM_MIN
    found = word.startswith(phrase_word) if stem else word == phrase_word
    # Arabic and Persian write "and" (و) joined to the next word: "ومتقاعد".
    if not found and word[:1] == "و" and phrase_word[:1] != "و" and len(word) > 2:
        return _word_matches(phrase_word, word[1:], stems)
    return found


@dataclass
class Lexicon:
    """The phrases of one language, keyed for matching."""

    language: str
    permit_type: list[Phrase] = field(default_factory=list)
    employment_status: list[Phrase] = field(default_factory=list)
    yes_no: list[Phrase] = field(default_factory=list)
    danger: list[Phrase] = field(default_factory=list)
    human: list[Phrase] = field(default_factory=list)
    numbers: dict[str, int] = field(default_factory=dict)
    connectors: frozenset[str] = frozenset()
    _index: dict[str, PhraseIndex] = field(default_factory=dict, repr=False)

    def candidates(self, attribute: str, words: list[str], cjk: bool) -> list[Phrase]:
        """The phrases of ``attribute`` that could match these words (checked by the caller)."""
        index = self._index.get(attribute)
        if index is None:
            index = self._index[attribute] = PhraseIndex(getattr(self, attribute))
        return index.candidates(words, cjk)


class PhraseIndex:
    """Phrases by their first word, so a message is checked against a handful, not all.

    Short first words are looked up whole; stems (STEM_MIN letters or more) by their
    first STEM_MIN letters; Chinese phrases are all tried (they match as substrings).
    """

    def __init__(self, phrases: list[Phrase]) -> None:
        self.whole: dict[str, list[Phrase]] = {}
        self.stems: dict[str, list[Phrase]] = {}
        self.cjk: list[Phrase] = []
        for phrase in phrases:
            first = phrase.words[0]
            if phrase.cjk:
                self.cjk.append(phrase)
            elif len(first) >= STEM_MIN:
                self.stems.setdefault(first[:STEM_MIN], []).append(phrase)
            else:
                self.whole.setdefault(first, []).append(phrase)

    def candidates(self, words: list[str], cjk: bool) -> list[Phrase]:
        found: dict[int, Phrase] = {}
        for word in words:
            for variant in (word, word[1:]) if word[:1] == "و" else (word,):
                for phrase in self.whole.get(variant, []) + self.stems.get(variant[:STEM_MIN], []):
                    found[id(phrase)] = phrase
        if cjk:
            for phrase in self.cjk:
                found[id(phrase)] = phrase
        return list(found.values())


def _phrase(text: str, value: Any) -> Phrase:
    k = key(str(text))
    return Phrase(tuple(k.split()), value, has_cjk(k))


def _phrases(mapping: dict[str, list[str]], allowed: Iterable[str]) -> list[Phrase]:
    allowed = set(allowed)
    found = [
        _phrase(p, value) for value, items in (mapping or {}).items() if value in allowed for p in items or []
    ]
    # Longer phrases first, so "not working" wins over "working".
    return sorted(found, key=lambda p: -sum(len(w) for w in p.words))


def parse_lexicon(language: str, data: dict[str, Any]) -> Lexicon:
    return Lexicon(
        language=language,
        permit_type=_phrases(data.get("permit_type", {}), PERMIT_TYPES),
        employment_status=_phrases(data.get("employment_status", {}), EMPLOYMENT_STATUSES),
        yes_no=_phrases({"yes": data.get("yes", []), "no": data.get("no", [])}, ("yes", "no")),
        danger=_phrases({"danger": data.get("danger", [])}, ("danger",)),
        human=_phrases({"human": data.get("human", [])}, ("human",)),
        numbers={key(str(w)): int(v) for w, v in (data.get("numbers") or {}).items()},
        connectors=frozenset(key(str(c)) for c in data.get("connectors") or []),
    )


@lru_cache(maxsize=1)
def lexicons() -> dict[str, Lexicon]:
    """Every packaged lexicon, by language code."""
    folder = resources.files("bot.lexicon")
    found = {}
    for f in folder.iterdir():
        if f.name.endswith(".yml"):
            data = yaml.safe_load(f.read_text("utf-8")) or {}
            found[f.name[:-4]] = parse_lexicon(f.name[:-4], data)
    return found


def _ordered(language: str | None) -> list[Lexicon]:
    all_ = lexicons()
    first = [all_[language]] if language in all_ else []
    return first + [lex for code, lex in sorted(all_.items()) if code != language]


# Phrases this short ("ja", "en", "no") are words of other languages too: they count
# only in the conversation's own language.
SHORT_PHRASE = 3


def _first(text: str, language: str | None, attribute: str) -> Any:
    """The value of the longest phrase of ``attribute`` in the message (own language first)."""
    message_key = key(fold_digits(text))
    words = message_key.split()
    best: tuple[int, Any] | None = None
    cjk = has_cjk(message_key)
    for lex in _ordered(language):
        # Another language's phrases count as whole words only: a stem is a prefix of
        # other languages' words too (French "enfermé" of Spanish "enfermera").
        own = language is None or lex.language == language
        for phrase in lex.candidates(attribute, words, cjk):
            length = phrase.length
            if length <= SHORT_PHRASE and not own and not phrase.cjk:
                continue
            if (best is None or length > best[0]) and phrase.matches(words, message_key, stems=own):
                best = (length, phrase.value)
    return None if best is None else best[1]


def permit_type(text: str, language: str | None = None) -> str | None:
    return _first(text, language, "permit_type")


def employment_status(text: str, language: str | None = None) -> str | None:
    return _first(text, language, "employment_status")


def yes_no(text: str, language: str | None = None) -> bool | None:
    value = _first(text, language, "yes_no")
    return None if value is None else value == "yes"


def mentions_danger(text: str, language: str | None = None) -> bool:
    return _first(text, language, "danger") is not None


def asks_for_human(text: str, language: str | None = None) -> bool:
    return _first(text, language, "human") is not None


def _segment(word: str, numbers: dict[str, int]) -> list[int] | None:
    """Split an unspaced number word into known parts: neljäkymmentäviisi → [40, 5]."""
    if word in numbers:
        return [numbers[word]]
    for cut in range(len(word) - 1, 0, -1):
        head = word[:cut]
        if head in numbers:
            rest = _segment(word[cut:], numbers)
            if rest is not None:
                return [numbers[head], *rest]
    return None


def _combine(parts: list[int], multiplies: bool) -> int:
    """Number words as said: [40, 5] → 45, [7, 10] (سبعة عشر) → 17; in Chinese a ten or a
    hundred after a digit multiplies: [4, 10, 5] (四十五) → 45."""
    current = 0
    for part in parts:
        if multiplies and part in (10, 100) and current and current < part:
            current *= part
        else:
            current += part
    return current


# Chinese numerals come without spaces inside words ("四十五岁"): runs of these are read.
_CJK_NUMERALS = re.compile(r"[零〇一二两兩三四五六七八九十百廿]+")


def _number_words(text: str, lex: Lexicon, own: bool) -> list[int]:
    """Numbers written in words of one language. Short number words of other languages
    ("on" is ten in Turkish, "bir" is a/one) are skipped: they are ordinary words too."""
    numbers = lex.numbers if own else {w: v for w, v in lex.numbers.items() if len(w) > SHORT_PHRASE}
    if has_cjk(text):
        # A lone 一 or 两 is "a"/"a pair" (一个, 两个孩子) unless a year or an age follows.
        words = [
            m.group()
            for m in _CJK_NUMERALS.finditer(text)
            if m.group() not in ("一", "两", "兩") or text[m.end() : m.end() + 1] in ("年", "岁", "歲")
        ]
    else:
        words = [w for w in re.split(r"[\s\-]+", key(text)) if w]
    found, run = [], []
    for word in [*words, ""]:
        stripped = word[1:] if word[:1] in lex.connectors and word[1:] in numbers else word
        parts = _segment(stripped, numbers) if stripped else None
        if parts:
            run.extend(parts)
        elif word in lex.connectors and run:
            continue
        elif run:
            found.append(_combine(run, multiplies=lex.language == "zh"))
            run = []
    return found


def numbers_in(text: str, language: str | None = None) -> list[int]:
    """Whole numbers in a message: digits of any script, and number words.

    Number words are read in the conversation's language only ("très" is French for
    very, "tres" Spanish for three); when the language is not known yet, in each
    language until one gives a number.
    """
    folded = fold_digits(text)
    found = _digit_numbers(folded)
    lexes = lexicons()
    for lex in [lexes[language]] if language in lexes else _ordered(None):
        if lex.numbers:
            words = _number_words(folded, lex, own=lex.language == language)
            if words:
                return found + words
    return found


def age(text: str, language: str | None = None) -> int | None:
    """An age in the message (0-120), when there is exactly one number that can be one.

    Digits are tried first: in "I'm 34 and have one child" the age is 34, and "one"
    is a word. Number words count when no digit gives an age.
    """
    for numbers in (_digit_numbers(fold_digits(text)), numbers_in(text, language)):
        unique = sorted({n for n in numbers if 0 <= n <= MAX_AGE})
        if len(unique) == 1:
            return unique[0]
        if len(unique) > 1:
            return None
    return None


@dataclass(frozen=True)
class Understood:
    """The slot values one message gives (None: not in this message)."""

    permit_type: str | None = None
    municipality: str | None = None
    municipality_candidates: tuple[str, ...] = ()
    several_municipalities: bool = False
    age: int | None = None
    employment_status: str | None = None

    def slots(self) -> dict[str, Any]:
        values = {
            "permit_type": self.permit_type,
            "municipality": self.municipality,
            "age": None if self.age is None else float(self.age),
            "employment_status": self.employment_status,
        }
        return {k: v for k, v in values.items() if v is not None}


def understand(text: str, language: str | None = None, *, suggest: bool = True) -> Understood:
    """Every contract slot value this message states, for a form to take at once.

    ``suggest``: look for misspelt municipality names in a sentence too (when the
    municipality is what was asked).
    """
    if not text or len(text) > 2000:
        return Understood()
    found = registry.load().resolve(text, suggest=suggest)
    return Understood(
        permit_type=permit_type(text, language),
        municipality=found.municipality.name_fi if found.municipality else None,
        municipality_candidates=tuple(m.name_fi for m in found.candidates),
        several_municipalities=found.method == "several",
        age=age(text, language),
        employment_status=employment_status(text, language),
    )


__all__ = [
    "Understood",
    "age",
    "asks_for_human",
    "employment_status",
    "lexicons",
    "mentions_danger",
    "numbers_in",
    "permit_type",
    "understand",
    "yes_no",
]

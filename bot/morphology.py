"""Finnish base forms of place names, through Voikko.

Finnish puts a place name in a case form with consonant gradation (``Turku`` →
``Turussa``, ``Lahti`` → ``Lahdessa``, ``Seinäjoki`` → ``Seinäjoella``, ``Kauniainen``
→ ``Kauniaisissa``), so stripping suffixes cannot find the base form. Voikko (Debian
``libvoikko1`` + ``voikko-fi``, installed by ``make install``) analyses the word and
gives its base form.

Users also type without ``ä``/``ö`` (``Jyvaskylassa``); Voikko rejects such words, so
we try the restorations of ``a``→``ä`` and ``o``→``ö`` too, a bounded number of them.
Without Voikko the registry still resolves names, Swedish names and other scripts, and
logs once that Finnish case forms are off.
"""

from __future__ import annotations

import itertools
import logging
from functools import lru_cache

log = logging.getLogger(__name__)

# At most 2**_MAX_RESTORE variants of one word are analysed (8 a/o positions).
_MAX_RESTORE = 8


@lru_cache(maxsize=1)
def _voikko():  # type: ignore[no-untyped-def]
    try:
        import libvoikko

        return libvoikko.Voikko("fi")
    except Exception as exc:  # OSError (library missing) or VoikkoException (no dictionary)
        log.warning("Voikko unavailable, Finnish case forms of place names are off: %s", exc)
        return None


def available() -> bool:
    """Whether Finnish morphology is on (Voikko and its Finnish dictionary load)."""
    return _voikko() is not None


def _restorations(word: str) -> list[str]:
    """``word`` with every combination of a→ä and o→ö, the word itself first."""
    swap = {"a": "ä", "o": "ö", "A": "Ä", "O": "Ö"}
    positions = [i for i, ch in enumerate(word) if ch in swap][:_MAX_RESTORE]
    if not positions:
        return [word]
    variants = []
    for flips in itertools.product((False, True), repeat=len(positions)):
        chars = list(word)
        for pos, flip in zip(positions, flips, strict=True):
            if flip:
                chars[pos] = swap[chars[pos]]
        variants.append("".join(chars))
    return variants


@lru_cache(maxsize=4096)
def place_baseforms(word: str) -> tuple[tuple[str, bool], ...]:
    """Base forms Voikko gives a word, each with whether Voikko calls it a place name.

    Place names come first. Empty when Voikko knows no analysis (or is missing).
    Only one word at a time: multi-word names are looked up whole by the registry.
    """
    voikko = _voikko()
    if voikko is None or not word or len(word) > 40:
        return ()
    for variant in _restorations(word):
        analyses = voikko.analyze(variant)
        if analyses:
            found: dict[str, bool] = {}
            for analysis in analyses:
                base = analysis.get("BASEFORM")
                if base:
                    found[base] = found.get(base, False) or analysis.get("CLASS") == "paikannimi"
            return tuple(sorted(found.items(), key=lambda item: not item[1]))
    return ()


# Spoken Finnish (and Estonian typed by Finns' neighbours) drops the final vowel of a
# case ending: "Tampereel" (Tampereella), "Lahdes" (Lahdessa), "Lappeenrannas",
# "Turust". The written endings these truncations stand for, to give Voikko.
SPOKEN_ENDINGS = (("st", ("a", "ä")), ("lt", ("a", "ä")), ("s", ("sa", "sä")), ("l", ("la", "lä")))


def spoken_forms(word: str) -> list[str]:
    """The written case forms a spoken, truncated one may stand for ("lahdes" →
    "lahdessa", "lahdessä"); Voikko then finds the base form. Empty for other words."""
    if len(word) < 4:
        return []
    for ending, completions in SPOKEN_ENDINGS:
        if word.lower().endswith(ending):
            return [word + c for c in completions]
    return []


_PERSON_NAMES = frozenset({"etunimi", "sukunimi"})


@lru_cache(maxsize=4096)
def common_word(word: str) -> bool:
    """Whether Voikko knows ``word`` as a Finnish word (in any case form) and never as a
    first name or surname: "Kotoutumissuunnitelmasta" is one; "Ahmed" is unknown, and
    "Matti" is a name even though "matti" is also checkmate."""
    voikko = _voikko()
    if voikko is None or not word or len(word) > 60:
        return False
    analyses = voikko.analyze(word) or voikko.analyze(word.lower())
    return bool(analyses) and not any(a.get("CLASS") in _PERSON_NAMES for a in analyses)

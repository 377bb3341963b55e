"""What a message not understood may keep before staff read it: its words, not who wrote them.

The unanswered-question log (``bot/conversation/unanswered.py``, only with the person's
yes) is the one place typed words are kept. Before a message is kept, :func:`scrub`
replaces what most often identifies a person with a placeholder:

- e-mail addresses → ``[email]``; web addresses (``https://…``, ``www.…``, ``kela.fi``)
  → ``[link]``;
- phone numbers (a ``+`` or ``0`` and at least 7 digits, or at least 9 digits, with
  spaces, dashes or brackets: ``bot.text.phone_spans``) → ``[phone]``;
- every other number → ``[number]``: digits of any script (``34``, Arabic-Indic ``٣٤``,
  Persian ``۳۴``, full-width ``３４``), and Chinese numerals (``三十四``);
- names → ``[name]``: the words after "my name is" and its like in the 13 languages
  (``nimeni on X``, ``je m'appelle X``, ``меня зовут X``, ``اسمي X``, ``我叫X`` …), and every
  capitalised word that is not a known word, at the start of a sentence too.

Known words are those of our own texts: the NLU examples, the lexicons and the meaning
examples (``data/nlu``, ``bot/lexicon``, ``bot/meanings``), every catalog (``locales``),
the names of countries, languages, months and days in the 13 languages (CLDR, through
Babel), the municipalities of the registry in any form it resolves, and the Finnish words
Voikko knows in any case form, but for first names and surnames.

Limits (the README says them too): this is data minimisation, not anonymisation. A name
written in lower case without a "my name is" phrase ("ahmed said", "olen matti"), or in
a script without capitals (Arabic, Persian, Chinese) outside those phrases, stays; so
does a name that is also a known word ("Anna", "Onni", "Salla", "Ali") or close to a
municipality's name (small typos of those are places), numbers written in words
("thirty-four"), and details that identify a person together (a rare job, a street).
The other way, a capitalised word we do not know (a rare word at a sentence's start) is
taken for a name. No Rasa import: the action server calls it, and the tests run it alone.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.text import phone_spans, strip_marks

ROOT = Path(__file__).resolve().parent.parent
MAX_CHARS = 1000  # kept at most; a longer message is cut (staff need the question, not an essay)

EMAIL, LINK, PHONE, NUMBER, NAME = "[email]", "[link]", "[phone]", "[number]", "[name]"
PLACEHOLDERS = (EMAIL, LINK, PHONE, NUMBER, NAME)

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
# A bare domain ("kela.fi", "migri.fi/en/home"): letters after the last dot, no space around.
_DOMAIN = re.compile(r"(?<![\w@.])(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,24}\b(?:/\S*)?")
_NUMBER = re.compile(r"\d+(?:[.,٫٬]\d+)*")
_CJK_NUMERAL = "〇零一二两兩三四五六七八九十百千万萬亿億"
_CJK_NUMBER = re.compile(f"[{_CJK_NUMERAL}]{{2,}}|[{_CJK_NUMERAL}](?=[岁歲年月日号號])")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# A word: letters, with apostrophes or hyphens inside ("Koto-Espoo", "m'appelle"); Chinese
# and Japanese characters are words apart ("Kela说我可以" is "Kela", then Chinese).
_LETTER = r"(?:(?![\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff])[^\W\d_])"
_WORD = re.compile(f"{_LETTER}+(?:['’ʼ-]{_LETTER}+)*")
_PARTS = re.compile(f"{_LETTER}+")

# "My name is X" and its like: X is a name whatever its case.
_NAME_MARKERS: tuple[str, ...] = (
    # en
    "my name is", "my name's", "i am called", "i'm called", "im called",
    "my first name is", "my surname is", "my last name is",
    # fi
    "nimeni on", "minun nimeni on", "mun nimi on", "minun nimi on", "mun nimeni on", "sukunimeni on",
    "etunimeni on", "minua kutsutaan",
    # sv
    "jag heter", "mitt namn är", "mitt namn ar", "jag kallas", "mitt förnamn är", "mitt efternamn är",
    # ru
    "меня зовут", "моё имя", "мое имя", "моя фамилия", "зовут меня",
    # uk
    "мене звати", "моє ім'я", "моє ім’я", "моє імʼя", "моє прізвище", "звати мене",
    # ar
    "اسمي", "إسمي", "انا اسمي", "أنا اسمي", "اسمي هو",
    # fa
    "اسمم", "اسم من", "نام من", "نامم", "اسم من هست", "اسمم هست",
    # so
    "magacaygu waa", "magacayga waa", "magacaygu", "magacayga", "waxaa la i yiraahdaa",
    "waxaa la igu magacaabaa", "magacay waa",
    # et
    "minu nimi on", "mu nimi on", "minu nimi", "mu nimi", "mind kutsutakse", "minu perekonnanimi on",
    # tr
    "benim adım", "benim adim", "adım", "adim", "ismim", "benim ismim", "soyadım", "soyadim",
    # fr
    "je m'appelle", "je m’appelle", "mon nom est", "mon prénom est", "mon prenom est",
    "mon nom c'est", "mon nom de famille est", "moi c'est", "on m'appelle",
    # es
    "me llamo", "mi nombre es", "mi apellido es", "me llaman", "mi nombre completo es",
)
# Chinese: the name follows without a space; two or three characters are taken.
_ZH_MARKERS = ("我的名字是", "我的名字叫", "我名字叫", "名字是", "名字叫", "我叫", "叫我", "我姓")
# Words that end a name in scripts without capitals ("اسم من علی است": "is").
_NAME_STOP = frozenset({"است", "هست", "هستم", "و", "وانا", "وأنا", "من", "في", "از", "در"})
_NAME_WORDS = 3  # at most this many words after a marker are taken as the name


def _cased(word: str) -> bool:
    """Whether the word's script has capitals at all (Latin, Cyrillic, Greek...)."""
    return word[:1].lower() != word[:1].upper()


def _norm(word: str) -> str:
    return strip_marks(word.casefold())


def _strings(data: Any) -> Iterator[str]:
    """Every string anywhere in a loaded YAML document (keys included)."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for k, v in data.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(data, list):
        for item in data:
            yield from _strings(item)


def _words_of(texts: Iterable[str]) -> set[str]:
    return {_norm(part) for text in texts for part in _PARTS.findall(text)}


def _cldr_words() -> set[str]:
    """Country, language, month and day names in the 13 languages (Babel's CLDR data)."""
    from babel import Locale

    from bot.i18n import languages

    texts: list[str] = []
    for code in languages():
        locale = Locale.parse(code)
        texts += locale.territories.values()
        texts += locale.languages.values()
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                texts += locale.months[context][width].values()
                texts += locale.days[context][width].values()
    return _words_of(texts)


_SOURCES = ("data/nlu/*.yml", "bot/lexicon/*.yml", "bot/meanings/*.yml", "locales/*/LC_MESSAGES/messages.po")
_COLLECTOR_VERSION = "2"  # change when _collect changes what it takes from the sources


def _source_files() -> list[Path]:
    return [path for pattern in _SOURCES for path in sorted(ROOT.glob(pattern))]


def _collect(files: list[Path]) -> frozenset[str]:
    import yaml
    from babel.messages.pofile import read_po

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ten times faster here
    texts: list[str] = []
    for path in files:
        if path.suffix == ".yml":
            texts += _strings(yaml.load(path.read_text("utf-8"), Loader=loader))
            continue
        with path.open("rb") as f:
            for message in read_po(f):
                for text in (message.id, message.string):
                    texts += [text] if isinstance(text, str) else list(text or ())
    return frozenset(_words_of(texts) | _cldr_words())


@lru_cache(maxsize=1)
def known_words() -> frozenset[str]:
    """The words of our own texts and of CLDR, lower case, without accents.

    Collecting them takes seconds; the list is cached in ``var/cache/`` under a hash of
    its sources, so only the first message after a change of text waits for it.
    """
    import babel

    from bot.semantic import CACHE_DIR

    files = _source_files()
    digest = hashlib.sha256(f"{_COLLECTOR_VERSION}|{babel.__version__}".encode())
    for path in files:
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    cached = CACHE_DIR / f"known-words-{digest.hexdigest()[:16]}.txt"
    with contextlib.suppress(OSError):
        return frozenset(cached.read_text("utf-8").split("\n"))
    words = _collect(files)
    with contextlib.suppress(OSError):  # a read-only checkout collects them at each start
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_name(f"{cached.stem}.{os.getpid()}.tmp")
        tmp.write_text("\n".join(sorted(words)), "utf-8")
        os.replace(tmp, cached)
    return words


def _is_place(word: str) -> bool:
    """A municipality in any form the registry resolves, small typos included ("Tampre")."""
    from bot import registry

    return registry.load().resolve(word).municipality is not None


STEM, ENDING = 5, 3  # "Migriin", "Migrile": a known word of 5+ letters and an ending of up to 3


def _known_part(part: str, words: frozenset[str]) -> bool:
    part = _norm(part)
    if part in words:
        return True
    return any(part[:-n] in words for n in range(1, ENDING + 1) if len(part) - n >= STEM)


def _known(word: str) -> bool:
    """A word of our texts or CLDR (or one with a case ending), a municipality, or a
    Finnish word that is no person's name."""
    from bot import morphology

    words = known_words()
    if all(_known_part(part, words) for part in _PARTS.findall(word)):
        return True
    return _is_place(word) or morphology.common_word(word)


def _replace_digits(text: str) -> str:
    """Phone numbers as ``[phone]`` (``bot.text.phone_spans``), then every other number."""
    out: list[str] = []
    last = 0
    for start, end in phone_spans(text):
        out += [_NUMBER.sub(NUMBER, text[last:start]), PHONE]
        last = end
    out.append(_NUMBER.sub(NUMBER, text[last:]))
    return "".join(out)


def _marker_pattern(marker: str) -> re.Pattern[str]:
    """A marker as a whole phrase, in any case, with any apostrophe."""
    body = re.escape(marker).replace("'", "['’ʼ]")
    return re.compile(r"(?<![^\W_])" + body + r"(?![^\W_])", re.IGNORECASE)


@lru_cache(maxsize=1)
def _markers() -> tuple[re.Pattern[str], ...]:
    return tuple(_marker_pattern(marker) for marker in _NAME_MARKERS)


def _after_markers(text: str) -> str:
    """The words after "my name is" and its like, as ``[name]``."""
    for marker in _ZH_MARKERS:
        text = re.sub(re.escape(marker) + r"\s*" + _HAN.pattern + "{1,3}", marker + NAME, text)
    found = [m.span() for pattern in _markers() for m in pattern.finditer(text)]
    # "mu nimi on Kadri": the longest marker counts, not "mu nimi" with "on" as the name.
    longest = [(a, b) for a, b in found if not any(s <= a and b <= e and (s, e) != (a, b) for s, e in found)]
    spans: set[tuple[int, int]] = set()
    for _start, end in longest:
        spans |= set(_name_after(text, end))
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + NAME + text[end:]
    return text


def _name_after(text: str, position: int) -> list[tuple[int, int]]:
    """The spans of the name that follows a marker ending at ``position``: the first word
    whatever it is, and the next ones while they are capitalised (or, in a script without
    capitals, while they are not known words: "اسم من علی است" stops at "است")."""
    spans: list[tuple[int, int]] = []
    gap = re.match(r"[\s:,\-–—]*", text[position:])
    offset = position + (gap.end() if gap else 0)
    for n in range(_NAME_WORDS):
        word = _WORD.match(text, offset)
        if word is None:
            break
        value = word.group()
        if n and _cased(value) and not value[:1].isupper():
            break
        if n and not _cased(value) and (value in _NAME_STOP or _known(value)):
            break
        spans.append((word.start(), word.end()))
        space = re.match(r"[ \t]+", text[word.end() :])
        if space is None:
            break
        offset = word.end() + space.end()
    return spans


def _capitalised_names(text: str) -> str:
    """Capitalised words that are not known words, as ``[name]``.

    At a sentence's start too: there the capital says nothing, but a word we do not know
    is more likely a name ("Zorbanella here") than a word staff need, and a needed word
    lost costs less than a name kept.
    """
    out: list[str] = []
    last = 0
    for word in _WORD.finditer(text):
        value = word.group()
        if (
            _cased(value)
            and value[:1].isupper()
            and text[word.start() - 1 : word.start()] != "["
            and not _known(value)
        ):
            out.append(text[last : word.start()] + NAME)
            last = word.end()
    out.append(text[last:])
    return "".join(out)


def scrub(text: str) -> str:
    """The message with e-mail and web addresses, phone numbers, numbers and names replaced."""
    text = re.sub(r"[^\S\n]+", " ", text).strip()[:MAX_CHARS]
    text = _EMAIL.sub(EMAIL, text)
    text = _URL.sub(LINK, text)
    text = _DOMAIN.sub(LINK, text)
    text = _replace_digits(text)
    text = _CJK_NUMBER.sub(NUMBER, text)
    text = _after_markers(text)
    text = _capitalised_names(text)
    return re.sub(r"(\[name\])(?:\s+\[name\])+", NAME, text)

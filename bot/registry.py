"""The municipality registry: 308 municipalities and whom each one routes to.

Each municipality has exactly one routing target for social services (its wellbeing
services county, the City of Helsinki, or Åland) and one employment area (the
jobseekers' provider since 1.1.2025). Data: ``bot/data/*.csv``, copied from
``shared/reference/`` (Statistics Finland 2025 classifications, see PROVENANCE.md).

``Registry.resolve`` turns whatever a person typed into one municipality, or into
``None`` with "did you mean" candidates: never a guess it is not sure of.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Literal

import yaml

from bot import morphology
from bot.text import has_cjk, key, tokens

CountyType = Literal[
    "wellbeing_services_county", "city_of_helsinki_organises_itself", "aland_autonomous_not_in_reform"
]
Method = Literal["exact", "alias", "morphology", "suffix", "transliteration", "typo", "several", "none"]

HELSINKI_CODE = "90"
ALAND_CODE = "91"


@dataclass(frozen=True)
class County:
    """A routing target for social services: a wellbeing services county, Helsinki or Åland."""

    code: str
    name_fi: str
    name_sv: str
    name_en: str
    kind: str
    website: str
    municipality_count: int


@dataclass(frozen=True)
class Municipality:
    """One municipality valid on 1.1.2025, with its routing targets."""

    code: str
    name_fi: str
    name_sv: str
    name_en: str
    county_code: str
    county_type: CountyType
    employment_area_code: str
    employment_area_fi: str
    employment_area_sv: str

    @property
    def is_helsinki(self) -> bool:
        return self.county_code == HELSINKI_CODE

    @property
    def is_aland(self) -> bool:
        return self.county_code == ALAND_CODE

    def name(self, language: str) -> str:
        """The name to show: Swedish in Swedish, Finnish otherwise (the official forms)."""
        return self.name_sv if language == "sv" else self.name_fi


@dataclass(frozen=True)
class Resolution:
    """What ``resolve`` made of a text: one municipality, or none and some candidates."""

    municipality: Municipality | None
    candidates: tuple[Municipality, ...] = ()
    method: Method = "none"  # "several": the text names more than one municipality

    @property
    def ok(self) -> bool:
        return self.municipality is not None


# Case endings added to a base form without gradation: Finnish as learners write it
# ("Helsinkissä", "Porisa" with one s), and Estonian ("Espoos", "Vantaal", "Tamperest"); tried only after
# Voikko. Each must leave an exact name, so no ending can make a wrong guess on its own.
# fmt: off
_FI_ENDINGS = (
    "ssa", "ssä", "sta", "stä", "lla", "llä", "lta", "ltä", "lle", "aan", "ään", "een",
    "iin", "oon", "uun", "yyn", "seen", "hin", "na", "nä", "n", "s", "sa", "sä",
    "sse", "st", "lt", "le", "l",
)
# fmt: on
# Turkish locative/ablative/dative endings, as typed without the apostrophe.
_TR_ENDINGS = ("de", "da", "te", "ta", "den", "dan", "ten", "tan", "ye", "ya", "nde", "nda")
# Municipality names that are also everyday words in a supported language: inside a
# sentence they count only when written with a capital ("har inga papper": inga is
# "none" in Swedish, not Ingå; "aura" in English; "sund", healthy, in Swedish).
COMMON_WORDS = frozenset({"inga", "aura", "sund", "koski", "salla", "eura", "vesanto", "ii"})
# Arabic proclitics written together with the next word: "بهلسنكي" (in Helsinki).
_AR_PROCLITICS = ("وفي", "في", "ال", "و", "ب", "ل", "ف")
# Persian enclitics written onto a name without the zero-width non-joiner: "هلسینکیم"
# (I'm in Helsinki), "اسپوام", "تامپره‌ست"; longest first.
_FA_ENCLITICS = ("اییم", "است", "ییم", "ایم", "ام", "یم", "ست", "م", "ه", "ی")
_ARABIC_LETTER = re.compile(r"[\u0600-\u06ff]")
# Finnish-oriented transliteration of Cyrillic: Ювяскюля → jyvaskyla.
_CYR_TO_LATIN = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "ґ": "g",
    "д": "d",
    "е": "e",
    "є": "je",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "і": "i",
    "ї": "ji",
    "й": "j",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "h",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "sch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "y",
    "я": "a",
}
_CYR_INITIAL = {"ю": "jy", "я": "ja", "е": "je", "є": "je"}


def _transliterate_cyrillic(word: str) -> str | None:
    word = word.casefold()
    if not any("\u0400" <= ch <= "\u04ff" for ch in word):
        return None
    out = [_CYR_INITIAL.get(word[0], _CYR_TO_LATIN.get(word[0], word[0]))]
    out += [_CYR_TO_LATIN.get(ch, ch) for ch in word[1:]]
    return "".join(out)


def edit_distance(a: str, b: str, limit: int) -> int:
    """Edits between ``a`` and ``b`` (a swap of two neighbours is one), at most ``limit + 1``.

    Optimal-string-alignment distance: "Kuopoi" is one edit from "Kuopio".
    """
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, before[j - 2] + 1)
            current.append(cost)
        if min(current) > limit:
            return limit + 1
        before, previous = previous, current
    return previous[-1]


# Names this many edits away are offered as "did you mean" candidates.
_CANDIDATE_DISTANCE = 2


def _typo_budget(word_key: str) -> int:
    """How many edits a typo may have and still be corrected without asking."""
    return 1 if len(word_key) < 9 else 2


@dataclass
class Registry:
    """All municipalities and counties, with the index that ``resolve`` searches."""

    municipalities: dict[str, Municipality]
    counties: dict[str, County]
    _index: dict[str, set[str]] = field(default_factory=dict, repr=False)
    _cjk: list[tuple[str, str]] = field(default_factory=list, repr=False)

    # -- building -----------------------------------------------------------------
    def _add_alias(self, alias: str, code: str) -> None:
        if has_cjk(alias):
            self._cjk.append((alias, code))
        self._index.setdefault(key(alias), set()).add(code)

    def index_names(self, aliases: dict[str, dict[str, list[str]]]) -> None:
        """Index official names (fi, sv, en) and the extra spellings of ``aliases``."""
        by_fi = {m.name_fi: m.code for m in self.municipalities.values()}
        for m in self.municipalities.values():
            for name in {m.name_fi, m.name_sv, m.name_en}:
                self._add_alias(name, m.code)
        for name_fi, by_language in aliases.items():
            code = by_fi[name_fi]  # KeyError: an alias file entry that is not a municipality
            for spellings in by_language.values():
                for spelling in spellings:
                    self._add_alias(spelling, code)

    # -- lookup -------------------------------------------------------------------
    def by_name(self, name_fi: str) -> Municipality:
        """The municipality with this official Finnish name (KeyError if none)."""
        for m in self.municipalities.values():
            if m.name_fi == name_fi:
                return m
        raise KeyError(name_fi)

    def county_of(self, municipality: Municipality) -> County:
        return self.counties[municipality.county_code]

    def employment_areas(self) -> dict[str, list[Municipality]]:
        """Employment area code → its municipalities."""
        areas: dict[str, list[Municipality]] = {}
        for m in self.municipalities.values():
            areas.setdefault(m.employment_area_code, []).append(m)
        return areas

    def _exact(self, text: str) -> set[str]:
        return self._index.get(key(text), set())

    def _found(self, codes: Iterable[str], method: Method) -> Resolution:
        found = sorted(set(codes))
        ms = tuple(self.municipalities[c] for c in found)
        if len(ms) == 1:
            return Resolution(ms[0], (), method)
        return Resolution(None, ms, "several")

    def resolve(self, text: str, *, suggest: bool = True) -> Resolution:
        """One municipality for what a person typed, or ``None`` and candidates.

        Tried in order, first hit wins: the whole text; each run of 1-3 words in it
        (so "I live in Espoo" works); Arabic proclitics; Chinese names inside
        unspaced text; Finnish case forms through Voikko; learner forms without
        gradation; Cyrillic transliteration; and finally small typos (corrected
        only when one name is clearly closest, else offered as candidates).
        Two different municipalities in one text give no answer, only candidates.
        ``suggest=False`` skips the typo search for texts of several words (a sentence
        answering another question need not be read as a misspelt town: it is also the
        slowest step).
        """
        text = (text or "").strip()
        if not text or len(text) > 500:
            return Resolution(None)
        if codes := self._exact(text):
            return self._found(codes, "exact")
        words = tokens(text)
        for method, finder in (
            ("alias", self._ngrams),
            ("alias", self._arabic),
            ("alias", self._chinese),
            ("morphology", self._morphology),
            ("suffix", self._suffixes),
            ("morphology", self._spoken),
            ("transliteration", self._cyrillic),
        ):
            codes = finder(text, words)
            if codes:
                return self._found(codes, method)  # type: ignore[arg-type]
        if not suggest and len(words) > 1:
            return Resolution(None)
        return self._typos(words)

    def _ngrams(self, text: str, words: list[str]) -> set[str]:
        for n in (3, 2, 1):
            hits: set[str] = set()
            for i in range(len(words) - n + 1):
                window = words[i : i + n]
                if len(words) > 1 and n == 1 and key(window[0]) in COMMON_WORDS and window[0].islower():
                    continue
                hits |= self._exact(" ".join(window))
            if hits:
                return hits
        return set()

    def _arabic(self, text: str, words: list[str]) -> set[str]:
        hits: set[str] = set()
        for word in words:
            for prefix in _AR_PROCLITICS:
                if word.startswith(prefix) and len(word) > len(prefix) + 2:
                    hits |= self._exact(word[len(prefix) :])
            if not hits and _ARABIC_LETTER.match(word):
                k = key(word)
                for ending in map(key, _FA_ENCLITICS):
                    if k.endswith(ending) and len(k) - len(ending) >= 3:
                        hits |= self._index.get(k[: -len(ending)], set())
        return hits

    def _chinese(self, text: str, words: list[str]) -> set[str]:
        if not has_cjk(text):
            return set()
        return {code for alias, code in self._cjk if alias in text}

    def _morphology(self, text: str, words: list[str]) -> set[str]:
        """Finnish case forms. In a sentence, a common noun that happens to be a
        municipality's name ("auran" → aura, a plough; Aura) counts only when written
        with a capital, as names are; a word alone is always taken."""
        hits: set[str] = set()
        for word in words:
            if word[:1].isalpha() and not has_cjk(word):
                for base, is_place in morphology.place_baseforms(word):
                    if key(base) in COMMON_WORDS and len(words) > 1 and not word[:1].isupper():
                        continue  # an everyday word: Somali "ii" (to me) is no Ii
                    if is_place or len(words) == 1 or word[:1].isupper():
                        hits |= self._exact(base)
        return hits

    def _spoken(self, text: str, words: list[str]) -> set[str]:
        """Spoken Finnish case forms ("asun tampereel", "lahdes", "lappeenrannas"),
        completed to the written form and read by Voikko, under the same rules as
        ``_morphology``: in a sentence only a place name or a capitalised word counts."""
        hits: set[str] = set()
        for word in words:
            if not word[:1].isalpha() or has_cjk(word):
                continue
            for form in morphology.spoken_forms(word):
                for base, is_place in morphology.place_baseforms(form):
                    if key(base) in COMMON_WORDS and len(words) > 1 and not word[:1].isupper():
                        continue
                    if is_place or len(words) == 1 or word[:1].isupper():
                        hits |= self._exact(base)
        return hits

    def _suffixes(self, text: str, words: list[str]) -> set[str]:
        hits: set[str] = set()
        for word in words:
            k = key(word)
            # Turkish writes the case ending after an apostrophe: "Tampere'de", "Espoo'da".
            for mark in ("'", "’"):
                if mark in word:
                    hits |= self._exact(word.split(mark)[0])
            for ending in _FI_ENDINGS:
                ending_key = key(ending)
                if k.endswith(ending_key) and len(k) - len(ending_key) >= 3:
                    hits |= self._index.get(k[: -len(ending_key)], set())
            # ... or, typed fast, with no apostrophe: "espooda", "helsinkide".
            for ending in _TR_ENDINGS:
                if k.endswith(ending) and len(k) - len(ending) >= 4:
                    hits |= self._index.get(k[: -len(ending)], set())
        return hits

    def _cyrillic(self, text: str, words: list[str]) -> set[str]:
        """Cyrillic names not in the alias table, transliterated. In a sentence only a
        capitalised word counts ("с ботом", with the bot, is not Bötom)."""
        hits: set[str] = set()
        for word in words:
            if len(words) > 1 and not word[:1].isupper():
                continue
            for form in (word, *_cyrillic_base_forms(word)):
                hits |= self._exact(form)
                latin = _transliterate_cyrillic(form)
                if latin:
                    hits |= self._index.get(latin, set())
            if hits:
                return hits
        return hits

    def _typos(self, words: list[str]) -> Resolution:
        """Closest names to each longer word: corrected when sure, else candidates."""
        scored: dict[str, int] = {}
        for word in words:
            k = _transliterate_cyrillic(word) or key(word)
            if len(k) < 4:
                continue
            for alias_key, codes in self._index.items():
                distance = edit_distance(k, alias_key, _CANDIDATE_DISTANCE)
                if distance <= _CANDIDATE_DISTANCE:
                    for code in codes:
                        scored[code] = min(scored.get(code, 99), distance)
        if not scored:
            return Resolution(None)
        ranked = sorted(scored, key=lambda c: (scored[c], self.municipalities[c].name_fi))
        best = scored[ranked[0]]
        runner_up = scored[ranked[1]] if len(ranked) > 1 else 99
        single_word = len(words) == 1
        budget = _typo_budget(key(words[0])) if single_word else 0
        if single_word and best <= budget and runner_up > best:
            return Resolution(self.municipalities[ranked[0]], (), "typo")
        return Resolution(None, tuple(self.municipalities[c] for c in ranked[:3]), "none")


# Russian and Ukrainian put a place name in the locative after в/у ("в Котке", "у Раумі")
# and in other cases elsewhere ("из Котки", "в Котку"): the endings that replace the
# nominative's -а/-я, and Ukrainian's softening before -і (Котка → Котці).
_CYRILLIC_CASE_ENDINGS = ("е", "і", "и", "ы", "у", "ю", "ой", "ей")
_UK_SOFTENED = {"ц": "к", "з": "г", "с": "х"}


def _cyrillic_base_forms(word: str) -> list[str]:
    """Nominative forms a Cyrillic case form may come from: Котке → Котка, Котця.

    Names that do not end in -а/-я in the nominative (Тампере, Оулу) are in the alias
    table as they are; these forms only add candidates, which must still be a name.
    """
    if not word or not ("\u0400" <= word[-1] <= "\u04ff"):
        return []
    forms: list[str] = []
    for ending in _CYRILLIC_CASE_ENDINGS:
        if word.endswith(ending) and len(word) > len(ending) + 2:
            stem = word[: -len(ending)]
            forms += [stem + "а", stem + "я"]
            if ending == "і" and stem[-1] in _UK_SOFTENED:
                forms.append(stem[:-1] + _UK_SOFTENED[stem[-1]] + "а")
    return forms


def _read_csv(name: str) -> list[dict[str, str]]:
    with resources.files("bot.data").joinpath(name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@lru_cache(maxsize=1)
def load() -> Registry:
    """The registry from the packaged data (loaded once per process)."""
    extra = {row["code"]: row for row in _read_csv("municipalities_extra.csv")}
    counties = {
        row["code"]: County(
            code=row["code"],
            name_fi=row["name_fi"],
            name_sv=row["name_sv"],
            name_en=row["name_en"],
            kind=row["type"],
            website="https://" + row["website_domain"],
            municipality_count=int(row["n_municipalities_2025"]),
        )
        for row in _read_csv("wellbeing_counties.csv")
    }
    municipalities = {}
    for row in _read_csv("municipalities.csv"):
        x = extra[row["code"]]
        municipalities[row["code"]] = Municipality(
            code=row["code"],
            name_fi=row["name_fi"],
            name_sv=row["name_sv"],
            name_en=x["name_en"],
            county_code=row["county_code"],
            county_type=x["county_type"],  # type: ignore[arg-type]
            employment_area_code=x["employment_area_code_2025"],
            employment_area_fi=x["employment_area_fi_2025"],
            employment_area_sv=x["employment_area_sv_2025"],
        )
    registry = Registry(municipalities, counties)
    aliases_text = resources.files("bot.data").joinpath("municipality_aliases.yml").read_text("utf-8")
    registry.index_names(yaml.safe_load(aliases_text))
    return registry

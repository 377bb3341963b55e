"""The municipality registry: its data, and resolving what people type."""

from __future__ import annotations

import pytest

from bot import morphology, registry
from bot.registry import ALAND_CODE, HELSINKI_CODE, edit_distance


def test_308_municipalities_each_with_exactly_one_routing_target(reg):
    assert len(reg.municipalities) == 308
    for m in reg.municipalities.values():
        county = reg.county_of(m)  # KeyError if the county code had no routing target
        assert county.code == m.county_code
        assert m.employment_area_code, m.name_fi


def test_counties_helsinki_and_aland(reg):
    wellbeing = [c for c in reg.counties.values() if c.kind == "wellbeing_services_county"]
    assert len(wellbeing) == 21
    assert [m.name_fi for m in reg.municipalities.values() if m.county_code == HELSINKI_CODE] == ["Helsinki"]
    assert sum(m.county_code == ALAND_CODE for m in reg.municipalities.values()) == 16
    # The municipality counts of the county file agree with the municipality file.
    for county in reg.counties.values():
        members = [m for m in reg.municipalities.values() if m.county_code == county.code]
        assert len(members) == county.municipality_count, county.name_fi


def test_employment_areas_45_plus_aland(reg):
    areas = reg.employment_areas()
    assert len(areas) == 46
    assert {m.name_fi for m in areas["1"]} == {"Espoo", "Kauniainen"}  # Espoo seed


def test_known_routes(reg):
    assert reg.county_of(reg.by_name("Espoo")).name_fi == "Länsi-Uudenmaan hyvinvointialue"
    assert reg.county_of(reg.by_name("Jyväskylä")).name_fi == "Keski-Suomen hyvinvointialue"
    assert reg.county_of(reg.by_name("Kuopio")).name_fi == "Pohjois-Savon hyvinvointialue"
    assert reg.by_name("Maarianhamina").is_aland
    assert reg.by_name("Helsinki").is_helsinki


SPELLINGS = {
    # case and diacritics
    "jyvaskyla": "Jyväskylä",
    "JYVÄSKYLÄ": "Jyväskylä",
    "espoo": "Espoo",
    "mantta-vilppula": "Mänttä-Vilppula",
    # Swedish names
    "Esbo": "Espoo",
    "Helsingfors": "Helsinki",
    "Åbo": "Turku",
    "Vasa": "Vaasa",
    "Grankulla": "Kauniainen",
    "Borgå": "Porvoo",
    "Karleby": "Kokkola",
    # Finnish case forms, consonant gradation, adessive names
    "Espoossa": "Espoo",
    "Helsingistä": "Helsinki",
    "Turussa": "Turku",
    "Lahdessa": "Lahti",
    "Tampereella": "Tampere",
    "Seinäjoella": "Seinäjoki",
    "Kauniaisissa": "Kauniainen",
    "Jyväskylään": "Jyväskylä",
    "Uudessakaupungissa": "Uusikaupunki",
    "Pieksämäellä": "Pieksämäki",
    "Jyvaskylassa": "Jyväskylä",
    "Helsinkissä": "Helsinki",
    # other scripts
    "Эспоо": "Espoo",
    "Гельсінкі": "Helsinki",
    "Ювяскюля": "Jyväskylä",
    "Хельсинки": "Helsinki",
    "هلسنكي": "Helsinki",
    "إسبو": "Espoo",
    "اسبو": "Espoo",
    "هلسینکی": "Helsinki",
    "赫尔辛基": "Helsinki",
    "赫爾辛基": "Helsinki",
    "坦佩雷": "Tampere",
    "Иисалми": "Iisalmi",  # transliterated, not in the alias table
    # inside a sentence
    "I live in Espoo": "Espoo",
    "asun Tampereella": "Tampere",
    "我住在赫尔辛基": "Helsinki",
    "أعيش في إسبو": "Espoo",
    "بهلسنكي": "Helsinki",
    "живу в Эспоо": "Espoo",
    "Tampere'de oturuyorum": "Tampere",
    "espooda yasiyorum": "Espoo",  # Turkish typed fast: no apostrophe, no diacritics
    "seinajokide oturuyorum": "Seinäjoki",
    # spoken Finnish and Estonian forms, as people type them (issue 10)
    "asun tampereel": "Tampere",
    "lahdes": "Lahti",
    "asun lappeenrannas": "Lappeenranta",
    "asun porisa": "Pori",
    "elan Helsingis": "Helsinki",
    "elan Vantaal": "Vantaa",
    # small typos
    "Tampre": "Tampere",
    "Helsnki": "Helsinki",
    "Kuopoi": "Kuopio",
    "Joensu": "Joensuu",
}


@pytest.mark.parametrize(("typed", "expected"), SPELLINGS.items())
def test_spellings_resolve(reg, typed, expected):
    needs_voikko = {"Espoossa", "Turussa", "Lahdessa", "Seinäjoella"}
    needs_voikko |= {"asun tampereel", "lahdes", "asun lappeenrannas"}
    if not morphology.available() and typed in needs_voikko:
        pytest.fail("Voikko is required for Finnish case forms: make install installs it")
    result = reg.resolve(typed)
    assert result.municipality is not None, (typed, [c.name_fi for c in result.candidates])
    assert result.municipality.name_fi == expected


def test_every_official_name_resolves_to_itself(reg):
    for m in reg.municipalities.values():
        assert reg.resolve(m.name_fi).municipality == m
        assert reg.resolve(m.name_sv).municipality == m


def test_every_alias_in_the_file_resolves(reg):
    from importlib import resources

    import yaml

    aliases = yaml.safe_load(
        resources.files("bot.data").joinpath("municipality_aliases.yml").read_text("utf-8")
    )
    for name_fi, by_language in aliases.items():
        for spellings in by_language.values():
            for spelling in spellings:
                assert reg.resolve(spelling).municipality.name_fi == name_fi, spelling


def test_thirty_largest_have_cyrillic_arabic_and_chinese_spellings():
    from importlib import resources

    import yaml

    aliases = yaml.safe_load(
        resources.files("bot.data").joinpath("municipality_aliases.yml").read_text("utf-8")
    )
    full = [name for name, langs in aliases.items() if {"ru", "uk", "ar", "zh"} <= set(langs)]
    assert len(full) >= 30
    for seed_city in ("Espoo", "Kauniainen", "Jyväskylä", "Kuopio", "Helsinki"):
        assert seed_city in full


@pytest.mark.parametrize("typed", ["Vantaa ja Espoo", "Sallo", "from Turku to Tampere"])
def test_unsure_input_gives_candidates_not_a_guess(reg, typed):
    result = reg.resolve(typed)
    assert result.municipality is None
    assert len(result.candidates) >= 2


@pytest.mark.parametrize("typed", ["", "   ", "xyz", "Stockholm", "Berlin", "12345", "x" * 600, "🙂"])
def test_unknown_input_gives_none(reg, typed):
    result = reg.resolve(typed)
    assert result.municipality is None


def test_near_miss_offers_the_right_candidate(reg):
    result = reg.resolve("Sallo")
    assert {"Salo", "Salla"} <= {m.name_fi for m in result.candidates}


def test_edit_distance_counts_a_swap_as_one():
    assert edit_distance("kuopoi", "kuopio", 3) == 1
    assert edit_distance("tampre", "tampere", 3) == 1
    assert edit_distance("abc", "xyzuvw", 2) == 3  # capped at limit + 1


@pytest.mark.parametrize(
    "text, name",
    [
        ("я живу в Котке", "Kotka"),  # Russian locative -а → -е
        ("мы переехали в Ювяскюле", "Jyväskylä"),  # -я → -е
        ("працюю у Раумі", "Rauma"),  # Ukrainian locative -а → -і
        ("живу в Котці", "Kotka"),  # Ukrainian softening к → ц before -і
        ("из Коуволы", "Kouvola"),  # genitive -ы
        ("我住在Porvoo，一个小城市", "Porvoo"),  # a Latin name inside Chinese, no spaces
        ("تو کراوا زندگی می‌کنم", "Kerava"),
        ("تو هلسینکیم", "Helsinki"),  # Persian "-م" (I am) joined without the ZWNJ
        ("الان تو اسپوام", "Espoo"),  # "-ام"
        ("ما تو وانتاییم", "Vantaa"),  # "-ییم" (we are)
    ],
)
def test_names_inside_sentences_of_other_scripts(text, name):
    found = registry.load().resolve(text, suggest=False)
    assert found.municipality is not None and found.municipality.name_fi == name


@pytest.mark.parametrize(
    "text", ["olen töis", "en oo kirjoilla", "Kelas kävin", "oon vaan kotona", "mies on töissä"]
)
def test_spoken_forms_complete_only_to_place_names(reg, text):
    """A truncated spoken form ("töis", "kirjoilla") completed for Voikko is no town."""
    assert reg.resolve(text, suggest=False).municipality is None


@pytest.mark.parametrize("text", ["من ۳۰ سالمه", "تو سالن کار میکنم", "پسرم کار میکنه"])
def test_persian_enclitics_make_no_name_of_an_ordinary_word(text):
    """Only an exact name is left once "-م"/"-ه" is cut: "سالمه" (I'm N years) is no Salo."""
    assert registry.load().resolve(text, suggest=False).municipality is None


@pytest.mark.parametrize(
    "text, name",
    [
        ("در پوروو زندگی میکنم", "Porvoo"),
        ("تو لاپنرانتا", "Lappeenranta"),
        ("我今年二十九，住在赫尔新基", "Helsinki"),  # a homophone typed by the input method
        ("我住在坦配雷", "Tampere"),
    ],
)
def test_persian_and_chinese_spellings_people_type(text, name):
    found = registry.load().resolve(text, suggest=False)
    assert found.municipality is not None and found.municipality.name_fi == name

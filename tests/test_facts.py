"""One place for each fact: the facts table, the profile, the domain and the command line agree."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml

from bot import cli, semantic, understanding
from bot.facts import FACTS, FactError, Profile

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text("utf-8"))
SLOT_TYPES = {
    "choice": "categorical",
    "municipality": "text",
    "age": "float",
    "years": "float",
    "yes_no": "bool",
}


def test_profile_fields_are_the_facts_in_order():
    assert [f.name for f in dataclasses.fields(Profile)] == list(FACTS)


@pytest.mark.parametrize("name", FACTS)
def test_domain_slot_matches_the_fact(name):
    fact, slot = FACTS[name], DOMAIN["slots"][name]
    assert slot["type"] == SLOT_TYPES[fact.kind]
    if fact.kind == "choice":
        assert tuple(slot["values"]) == fact.values
    assert f"action_ask_{name}" in DOMAIN["actions"]
    assert name in DOMAIN["entities"]


@pytest.mark.parametrize("name", FACTS)
def test_every_fact_is_a_command_line_flag(name):
    fact = FACTS[name]
    flags = {a.dest: a for a in cli.build_parser()._subparsers._group_actions[0].choices["check"]._actions}
    assert flags[name].required is not fact.optional
    assert fact.flag in flags[name].option_strings


def test_a_wrong_value_for_each_fact_is_refused():
    for fact in FACTS.values():
        if fact.kind == "municipality":
            continue
        with pytest.raises(ValueError):
            fact.check("certainly not a value" if fact.kind != "yes_no" else "maybe")


@pytest.mark.parametrize(
    "value",
    [-5, 121, 34.5, 10**30, 10**400, "1" + "0" * 400, "NaN", float("nan"), float("inf"), "-Infinity"]
    + [True, [34], None],
)
def test_an_absurd_age_is_refused_never_a_crash(value):
    """10**400 (a typed /inform{"age": 1000...}) is an int no float holds: OverflowError
    crashed the validation action until it was refused like any other wrong value."""
    with pytest.raises(FactError):
        FACTS["age"].check(value)


@pytest.mark.parametrize("value", [-1, 121, 1e308, 10**400, "nan", float("inf"), False, {"years": 1}])
def test_an_absurd_number_of_years_is_refused_never_a_crash(value):
    with pytest.raises(FactError):
        FACTS["years_since_first_permit"].check(value)


def test_lexicon_with_an_unknown_key_or_value_is_an_error():
    with pytest.raises(understanding.LexiconError):
        understanding.parse_lexicon("en", {"language": "en", "permit_typ": {}})
    with pytest.raises(understanding.LexiconError):
        understanding.parse_lexicon("en", {"language": "en", "permit_type": {"refugee": ["refugee"]}})
    with pytest.raises(understanding.LexiconError):
        understanding.parse_lexicon("en", {"language": "en", "yes": [True]})  # an unquoted yes


def test_meanings_with_an_unknown_fact_or_value_are_an_error():
    with pytest.raises(semantic.MeaningsError):
        semantic.parse_meanings("en", {"language": "en", "permit": {"work": ["I work"]}})
    with pytest.raises(semantic.MeaningsError):
        semantic.parse_meanings("en", {"language": "en", "employment_status": {"busy": ["I am busy"]}})
    with pytest.raises(semantic.MeaningsError):
        semantic.parse_meanings("en", {"language": "en", "answer": {"yes": [True]}})
    with pytest.raises(semantic.MeaningsError):  # a combined sentence must name its facts
        semantic.parse_meanings("en", {"language": "en", "combined": [{"text": "I came with my wife"}]})
    with pytest.raises(semantic.MeaningsError):
        semantic.parse_meanings(
            "en", {"language": "en", "combined": [{"text": "x y", "facts": {"permit_type": "refugee"}}]}
        )


def test_a_combined_sentence_teaches_each_of_its_facts_and_none_to_the_others():
    [example] = semantic.parse_meanings(
        "en",
        {
            "language": "en",
            "combined": [
                {
                    "text": "I joined my husband, he has refugee status",
                    "facts": {"permit_type": "family", "family_of_protection_beneficiary": True},
                }
            ],
        },
    )
    assert example.label("permit_type") == "family"
    assert example.label("family_of_protection_beneficiary") is True
    assert example.label("employment_status") == semantic.NONE


def test_every_language_has_meanings_for_every_value():
    examples = semantic.load_examples()
    languages = {e.language for e in examples}
    assert len(languages) == 13
    for language in languages:
        mine = [e for e in examples if e.language == language]
        for attribute, values in semantic.ATTRIBUTES.items():
            for value in values:
                assert sum(e.label(attribute) == value for e in mine) >= 3, (
                    language,
                    attribute,
                    value,
                )

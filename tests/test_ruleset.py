"""Rule files: the checks that refuse a broken file, and choosing the file in force."""

from __future__ import annotations

import datetime as dt

import pytest

from bot import ruleset
from bot.eligibility import assess
from bot.facts import Profile


def test_packaged_rules_cite_sources_and_the_law_period():
    (current,) = [s for s in ruleset.packaged() if s.id == "integration-act-681-2023"]
    assert current.valid_from == dt.date(2025, 1, 1)
    for rule in current.rules:
        assert rule.source.strip(), rule.id
        assert any(
            word in rule.source
            for word in (".txt", "§", "contacts.md", "integration_act_notes", ".fi", ".ax")
        ), rule.id


SOURCE = 'source: "y"\n    source_title: "Page"\n    source_url: "https://example.org/page"'
BROKEN = {
    "unknown fact": ("review_by: 2026-01-01", "when: {colour: [red]}", SOURCE),
    "unknown permit": ("review_by: 2026-01-01", "when: {permit_type: [tourist]}", SOURCE),
    "unknown comparison": ("review_by: 2026-01-01", "when: {age: {about: 3}}", SOURCE),
    "no review_by": ("", "when: {aland: false}", SOURCE),
    "no page for a person": ("review_by: 2026-01-01", "when: {aland: false}", 'source: "notes.md §2"'),
    "a file name as the page": (
        "review_by: 2026-01-01",
        "when: {aland: false}",
        'source: "y"\n    source_title: "seed"\n    source_url: "espoo.en.txt"',
    ),
}


@pytest.mark.parametrize(("head", "when", "source"), BROKEN.values(), ids=BROKEN.keys())
def test_broken_rule_files_are_refused(head, when, source):
    text = f"""
ruleset: {{id: t, title: T, valid_from: 2025-01-01, {head}}}
rules:
  - id: r
    {when}
    service: general_guidance
    provider: guidance
    statutory: true
    reason: "x"
    {source}
"""
    with pytest.raises(ruleset.RuleFileError):
        ruleset.parse(text)


def test_every_packaged_rule_file_has_a_review_day_and_pages_a_person_can_open():
    for rules in ruleset.packaged():
        assert rules.review_by > rules.valid_from
        for rule in rules.rules:
            assert rule.source_url.startswith(("https://", "http://")), rule.id
            assert rule.source_title and not rule.source_title.endswith((".txt", ".md")), rule.id
    (current,) = [s for s in ruleset.packaged() if s.id == "integration-act-681-2023"]
    assert current.review_by == dt.date(2027, 1, 1)
    assert not current.review_due(dt.date(2026, 12, 31)) and current.review_due(dt.date(2027, 1, 1))


def test_a_new_rule_file_is_enough_to_follow_a_change_in_the_law():
    # The government plans to lift municipal integration duties on 1.1.2027 (notes §9).
    future = ruleset.parse("""
ruleset: {id: after-2027, title: "Hypothetical 2027 act", valid_from: 2027-01-01, review_by: 2028-01-01}
rules:
  - id: guidance-only
    when: {aland: false}
    service: general_guidance
    provider: guidance
    statutory: false
    reason: "Guidance only."
    source: "test"
    source_title: "Hypothetical page"
    source_url: "https://example.org/2027"
""")
    sets = (*ruleset.packaged(), future)
    assert ruleset.in_force(dt.date(2026, 12, 31), sets).id == "integration-act-681-2023"
    assert ruleset.in_force(dt.date(2027, 1, 1), sets) is future
    profile = Profile("quota_refugee", "Espoo", 30, "not_working", years_since_first_permit=1)
    result = assess(profile, day=dt.date(2027, 2, 1), rules=ruleset.in_force(dt.date(2027, 2, 1), sets))
    assert [r.service for r in result.recommendations] == ["general_guidance"]
    assert result.valid_from == dt.date(2027, 1, 1)
    assert not result.review_due  # the new file has its own review day


def test_no_rules_before_the_act():
    with pytest.raises(LookupError):
        ruleset.in_force(dt.date(2024, 6, 1))

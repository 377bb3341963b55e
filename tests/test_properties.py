"""Properties that hold for every valid profile (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot import registry, ruleset
from bot.eligibility import assess
from bot.facts import EMPLOYMENT_STATUSES, PERMIT_TYPES, YES_NO_FACTS, Profile
from bot.i18n import languages
from tests.conftest import DAY

NAMES = sorted(m.name_fi for m in registry.load().municipalities.values())
maybe_bool = st.none() | st.booleans()

profiles = st.builds(
    Profile,
    permit_type=st.sampled_from(PERMIT_TYPES),
    municipality=st.sampled_from(NAMES),
    age=st.integers(0, 120),
    employment_status=st.sampled_from(EMPLOYMENT_STATUSES),
    years_since_first_permit=st.none() | st.floats(0, 50, allow_nan=False),
    home_care_allowance=maybe_bool,
    social_assistance_over_2_months=maybe_bool,
    unaccompanied_minor=maybe_bool,
    family_of_protection_beneficiary=maybe_bool,
    has_municipality_of_residence=maybe_bool,
)


@settings(max_examples=400, deadline=None)
@given(profiles, st.sampled_from(languages()))
def test_every_profile_gets_a_sourced_contactable_answer(profile, language):
    result = assess(profile, language, day=DAY)
    assert result.recommendations, profile
    rule_by_id = {r.id: r for r in ruleset.in_force(DAY).rules}
    services = [r.service for r in result.recommendations]
    assert len(services) == len(set(services))
    for rec in result.recommendations:
        assert rec.contact.get("url") or rec.contact.get("phone"), rec
        assert rec.source and rec.contact_source and rec.reason and rec.provider
        assert rec.source_title and rec.source_url and rec.contact_source_title and rec.contact_source_url
        rule = rule_by_id[rec.rule]
        # statutory only where the rule that fired says so
        assert rec.statutory == rule.statutory
        assert rec.service == rule.service
    for item in result.not_entitled:
        assert item.service not in services or not any(
            r.statutory for r in result.recommendations if r.service == item.service
        )


@settings(max_examples=300, deadline=None)
@given(profiles)
def test_telling_a_fact_not_asked_for_changes_nothing(profile):
    """The dialogue skips facts outside would_change: telling one must change no answer."""
    base = assess(profile, day=DAY)

    def answer(result):
        return (
            [(r.service, r.provider, r.statutory) for r in result.recommendations],
            [n.rule for n in result.not_entitled],
        )

    for fact in YES_NO_FACTS:
        if getattr(profile, fact) is None and fact not in base.would_change:
            for value in (True, False):
                told = assess(Profile(**{**profile.__dict__, fact: value}), day=DAY)
                assert answer(told) == answer(base), (fact, value)

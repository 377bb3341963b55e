"""What the readable answer says beyond the rules (issue 11): the review notice after
``review_by``, the deadline for an integration plan, the step that would open a service,
and sources a person can open (never a file name)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import contacts, ruleset
from bot.eligibility import assess
from bot.facts import Profile
from bot.i18n import languages, translator
from bot.render import REVIEW_NOTICE, text
from tests.conftest import DAY, run
from tests.test_properties import profiles

# What a person must never see: a seed or notes file, a section of the notes.
FILE_NAME = re.compile(r"\.(txt|md|csv|ya?ml)\b|integration_act_notes|contacts\.md|seeds/", re.IGNORECASE)
REVIEW_BY = ruleset.in_force(DAY).review_by
AFTER_REVIEW = REVIEW_BY + dt.timedelta(days=30)


@pytest.mark.parametrize("language", languages())
def test_after_review_by_every_answer_says_the_rules_may_have_changed(language):
    _ = translator(language)
    profile = Profile("quota_refugee", "Espoo", 30, "not_working", years_since_first_permit=1)
    later = text(assess(profile, language, day=AFTER_REVIEW), _)
    before = text(assess(profile, language, day=REVIEW_BY - dt.timedelta(days=1)), _)
    notice = _(REVIEW_NOTICE, date=_.date(REVIEW_BY), url=contacts.national("infofinland").contact["url"])
    assert later.startswith(notice)
    assert "infofinland.fi" in later and "infofinland.fi" in notice
    assert notice not in before
    if language != "en":  # in the person's language, not the English source text
        assert _(REVIEW_NOTICE, date="D", url="U") != translator("en")(REVIEW_NOTICE, date="D", url="U")


def test_the_payload_says_when_the_review_is_due():
    profile = Profile("work", "Oulu", 30, "employed")
    assert assess(profile, day=AFTER_REVIEW).payload()["rules"]["review_due"] is True
    assert assess(profile, day=DAY).payload()["rules"] == {
        "id": "integration-act-681-2023",
        "valid_from": "2025-01-01",
        "review_by": "2027-01-01",
        "review_due": False,
    }


@settings(max_examples=300, deadline=None)
@given(profiles, st.sampled_from(languages()), st.sampled_from([DAY, AFTER_REVIEW]))
def test_no_readable_answer_shows_a_file_name(profile, language, day):
    result = assess(profile, language, day=day)
    readable = text(result, translator(language))
    assert not FILE_NAME.search(readable), FILE_NAME.search(readable)
    for rec in result.recommendations:
        assert rec.source_url.startswith("http") and rec.source_title, rec.rule
        assert rec.contact_source_url.startswith("http") and rec.contact_source_title, rec.rule
        assert rec.source_url in readable
    for item in result.not_entitled:
        assert item.source_url in readable


def test_months_left_to_ask_for_an_integration_plan():
    result = run("temporary_protection", "Espoo", 34, "not_working", years_since_first_permit=2 + 1 / 3)
    assert result.deadline is not None and result.deadline.months_left == 8
    assert result.deadline.provider == "Koto-Espoo"
    assert "About 8 months are left of the 3 years in which you can ask Koto-Espoo" in text(
        result, translator("en")
    )
    fi = text(
        run("temporary_protection", "Espoo", 34, "not_working", "fi", years_since_first_permit=2.5),
        translator("fi"),
    )
    assert "6" in fi and "Koto-Espoo" in fi and "About" not in fi


def test_less_than_two_months_left():
    result = run("work", "Oulu", 30, "jobseeker", years_since_first_permit=2.95)
    assert result.deadline.months_left == 1
    assert "Less than two months are left" in text(result, translator("en"))


def test_when_the_window_has_passed_the_answer_says_what_is_still_open():
    result = run("international_protection", "Tampere", 30, "not_working", years_since_first_permit=4)
    assert result.deadline is not None and result.deadline.passed
    readable = text(result, translator("en"))
    line = next(x for x in readable.splitlines() if x.startswith("The 3 years"))
    assert "Social services supporting integration (Pirkanmaan hyvinvointialue)" in line
    assert "Guidance and information" in line


def test_no_deadline_line_when_the_years_are_unknown_or_do_not_matter():
    assert run("temporary_protection", "Espoo", 34, "not_working").deadline is None
    assert run("asylum_seeker", "Espoo", 34, "not_working", years_since_first_permit=1).deadline is None


def test_registering_as_a_jobseeker_opens_the_employment_services_integration_plan():
    result = run("work", "Tampere", 31, "not_working", years_since_first_permit=1)
    (opening,) = result.openings
    assert opening.step == "register_as_jobseeker"
    assert opening.services == (("employment_services", "Tampereen seudun työllisyysalue"),)
    # computed by the engine: the same profile as a jobseeker really has that right
    jobseeker = run("work", "Tampere", 31, "jobseeker", years_since_first_permit=1)
    assert any(r.service == "employment_services" and r.statutory for r in jobseeker.recommendations)
    line = (
        "If you register as a jobseeker, you would also have a right to: "
        "Employment services (Tampereen seudun työllisyysalue)."
    )
    assert line in text(result, translator("en"))


def test_no_step_is_suggested_where_it_opens_nothing_or_only_moves_a_service():
    # already a jobseeker, or employed: no step
    assert run("work", "Tampere", 31, "jobseeker", years_since_first_permit=1).openings == ()
    assert run("work", "Tampere", 31, "employed", years_since_first_permit=1).openings == ()
    # a refugee outside the labour force would only move from the municipality to employment services
    assert run("quota_refugee", "Tampere", 31, "not_working", years_since_first_permit=1).openings == ()
    # after three years registering opens no integration plan
    assert run("work", "Tampere", 31, "not_working", years_since_first_permit=5).openings == ()


def test_a_municipality_of_residence_opens_the_county_social_services():
    result = run("temporary_protection", "Jyväskylä", 40, "not_working", has_municipality_of_residence=False)
    steps = {o.step: o.services for o in result.openings}
    assert steps["get_municipality_of_residence"] == (
        ("integration_social_services", "Keski-Suomen hyvinvointialue"),
    )


def test_payload_names_the_pages_and_the_extra_keys():
    payload = run("trafficking_victim", "Espoo", 26, "not_working", years_since_first_permit=1).payload()
    first = payload["recommendations"][0]
    assert first["source_url"].startswith("https://migri.fi/")
    assert {"source_title", "source_url", "contact_source_title", "contact_source_url"} <= set(first)
    assert payload["deadline"] == {
        "limit_years": 3.0,
        "months_left": 24,
        "passed": False,
        "provider": "Koto-Espoo",
    }
    assert payload["what_would_change"] == []

"""One table test per rule, each citing the passage it checks (bot/rules/*.yml)."""

from __future__ import annotations

import pytest

from tests.conftest import run, services

# (permit, municipality, age, status, optional facts) -> service: (provider, statutory)
CASES = [
    pytest.param(
        ("temporary_protection", "Espoo", 34, "not_working", {"years_since_first_permit": 1}),
        {
            "municipal_integration_services": ("Koto-Espoo", True),
            "integration_social_services": ("Länsi-Uudenmaan hyvinvointialue", True),
        },
        id="espoo-seed: temporary protection outside the labour force -> Koto-Espoo; LUVN social services",
    ),
    pytest.param(
        ("quota_refugee", "Jyväskylä", 40, "not_working", {"years_since_first_permit": 0.5}),
        {"integration_social_services": ("Keski-Suomen hyvinvointialue", True)},
        id="central-finland-seed 'For whom': quota refugee in Jyväskylä -> Central Finland social services",
    ),
    pytest.param(
        ("work", "Kauniainen", 29, "jobseeker", {"years_since_first_permit": 2}),
        {"employment_services": ("Espoon työllisyyspalvelut", True)},
        id="espoo-seed jobseekers: Kauniainen is served by Espoo Employment Services",
    ),
    pytest.param(
        ("eu_registration", "Tampere", 31, "jobseeker", {"years_since_first_permit": 1}),
        {"employment_services": ("Tampereen seutu (työllisyysalue)", True)},
        id="notes §7: jobseekers -> the employment services of their employment area",
    ),
    pytest.param(
        ("work", "Tampere", 31, "jobseeker", {"years_since_first_permit": 5}),
        {"employment_services": ("Tampereen seutu (työllisyysalue)", False)},
        id="notes §3: after three years a jobseeker gets employment services, not an integration plan",
    ),
    pytest.param(
        ("trafficking_victim", "Espoo", 26, "not_working", {"years_since_first_permit": 6}),
        {
            "emergency": ("Hätäkeskus", False),
            "trafficking_assistance": ("Ihmiskaupan uhrien auttamisjärjestelmä", False),
            "municipal_integration_services": ("Koto-Espoo", True),
            "integration_social_services": ("Länsi-Uudenmaan hyvinvointialue", True),
        },
        id="notes §3: no three-year limit for trafficking victims; always referred to the assistance system",
    ),
    pytest.param(
        ("family", "Vantaa", 30, "home_parent", {"years_since_first_permit": 1, "home_care_allowance": True}),
        {"municipal_integration_services": ("Vantaa", True)},
        id="espoo-seed: parents receiving child home care allowance",
    ),
    pytest.param(
        (
            "work",
            "Oulu",
            45,
            "not_working",
            {
                "years_since_first_permit": 2,
                "home_care_allowance": False,
                "social_assistance_over_2_months": True,
            },
        ),
        {"municipal_integration_services": ("Oulu", True)},
        id="espoo-seed: basic social assistance for more than two consecutive months",
    ),
    pytest.param(
        (
            "international_protection",
            "Kuopio",
            19,
            "student",
            {"years_since_first_permit": 1, "unaccompanied_minor": True},
        ),
        {
            "integration_social_services": ("Pohjois-Savon hyvinvointialue", True),
            "municipal_integration_services": ("Kuopio", True),
        },
        id="north-savo-seed + notes §6: international protection, unaccompanied minor",
    ),
    pytest.param(
        ("family", "Pori", 21, "student", {"years_since_first_permit": 1, "unaccompanied_minor": True}),
        {"integration_social_services": ("Satakunnan hyvinvointialue", True)},
        id="notes §6: support into adulthood until 23 (not 25 as the Central Finland seed says)",
    ),
    pytest.param(
        ("asylum_seeker", "Helsinki", 25, "not_working", {}),
        {
            "reception_services": ("Maahanmuuttovirasto", False),
            "general_guidance": ("Helsingin kaupunki", False),
        },
        id="notes §1: asylum seekers -> reception services, not municipal integration services",
    ),
    pytest.param(
        ("undocumented", "Jyväskylä", 35, "not_working", {}),
        {"integration_social_services": ("Keski-Suomen hyvinvointialue", False)},
        id="central-finland-seed: undocumented people get essential social services",
    ),
    pytest.param(
        ("quota_refugee", "Helsinki", 33, "not_working", {"years_since_first_permit": 1}),
        {
            "integration_social_services": ("Helsingin kaupunki", True),
            "municipal_integration_services": ("Helsingin työllisyyspalvelut", True),
        },
        id="notes §10: Helsinki organises its social services itself",
    ),
    pytest.param(
        ("quota_refugee", "Maarianhamina", 33, "not_working", {"years_since_first_permit": 1}),
        {"general_guidance": ("Ålands landskapsregering", False)},
        id="notes §10: Åland -> Åland's own authorities, no mainland services",
    ),
    pytest.param(
        ("work", "Turku", 35, "employed", {"years_since_first_permit": 1}),
        {
            "municipal_integration_services": ("Turku", False),
            "general_guidance": ("International House Turku", True),
        },
        id="espoo-seed: outside the groups, an assessment can be asked for (a suggestion, not a right)",
    ),
]


@pytest.mark.parametrize(("profile", "expected"), CASES)
def test_rule_table(profile, expected):
    permit, municipality, age, status, optional = profile
    got = services(run(permit, municipality, age, status, **optional))
    for service, provider_statutory in expected.items():
        assert got.get(service) == provider_statutory, (service, got)


def test_aland_gets_no_mainland_services():
    got = services(run("quota_refugee", "Maarianhamina", 33, "jobseeker", years_since_first_permit=1))
    assert set(got) == {"general_guidance", "employment_services"}
    assert got["employment_services"][0].startswith("Ålands arbetsmarknads")


def test_asylum_seekers_are_told_integration_services_are_not_theirs():
    result = run("asylum_seeker", "Espoo", 25, "not_working")
    assert "municipal_integration_services" not in services(result)
    assert [n.rule for n in result.not_entitled] == ["asylum-not-integration"]


def test_employed_people_are_told_honestly():
    result = run("work", "Vantaa", 35, "employed", years_since_first_permit=1)
    assert [n.rule for n in result.not_entitled] == ["not-in-statutory-groups"]
    assert all(not r.statutory for r in result.recommendations if r.service != "general_guidance")


def test_three_year_limit_ends_the_outside_labour_force_right():
    result = run("temporary_protection", "Espoo", 34, "not_working", years_since_first_permit=3)
    assert "municipal_integration_services" not in services(result)
    assert [n.rule for n in result.not_entitled] == ["outside-groups-after-three-years"]


def test_support_into_adulthood_ends_at_23():
    at_22 = services(
        run("family", "Pori", 22, "student", years_since_first_permit=1, unaccompanied_minor=True)
    )
    at_23 = services(
        run("family", "Pori", 23, "student", years_since_first_permit=1, unaccompanied_minor=True)
    )
    assert "integration_social_services" in at_22
    assert "integration_social_services" not in at_23


def test_unknown_years_are_assumed_and_asked():
    result = run("temporary_protection", "Espoo", 34, "not_working")
    koto = next(r for r in result.recommendations if r.service == "municipal_integration_services")
    assert koto.assumed == ("years_since_first_permit",)
    assert result.would_change == ("years_since_first_permit",)


def test_only_facts_that_change_the_answer_are_asked():
    # A jobseeker's answer does not depend on home care allowance or social assistance.
    assert run("work", "Oulu", 30, "jobseeker").would_change == ("years_since_first_permit",)
    # A home parent with a family permit: allowance and social assistance both matter.
    asked = run("family", "Vantaa", 30, "home_parent", years_since_first_permit=1).would_change
    assert asked == ("home_care_allowance", "social_assistance_over_2_months")
    # Nobody over 22 is asked whether they came as an unaccompanied minor.
    assert "unaccompanied_minor" not in run("family", "Vantaa", 30, "not_working").would_change
    assert (
        "unaccompanied_minor"
        in run("family", "Vantaa", 19, "not_working", years_since_first_permit=1).would_change
    )
    # All known: nothing to ask.
    full = run(
        "family",
        "Vantaa",
        30,
        "home_parent",
        years_since_first_permit=1,
        home_care_allowance=True,
        social_assistance_over_2_months=False,
    )
    assert full.would_change == ()


def test_first_permit_order_keeps_safety_first():
    result = run("trafficking_victim", "Tampere", 30, "not_working")
    assert [r.service for r in result.recommendations][:2] == ["emergency", "trafficking_assistance"]


def test_reasons_are_translated_and_name_the_provider():
    fi = run("temporary_protection", "Espoo", 34, "not_working", language="fi", years_since_first_permit=1)
    en = run("temporary_protection", "Espoo", 34, "not_working", language="en", years_since_first_permit=1)
    for a, b in zip(fi.recommendations, en.recommendations, strict=True):
        assert a.reason != b.reason
        assert a.provider in a.reason or a.service == "general_guidance"

"""`kotobotti check` through a subprocess, as staff and scripts run it (contract §4)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

BASE = [
    "--permit-type",
    "temporary_protection",
    "--municipality",
    "Espoo",
    "--age",
    "34",
    "--employment-status",
    "not_working",
]


def kotobotti(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True, timeout=60
    )


def test_json_payload_is_contract_shape():
    done = kotobotti("check", *BASE, "--years-since-first-permit", "1", "--json")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    first = payload["recommendations"][0]
    assert {"service", "provider", "statutory", "reason", "contact", "source"} <= set(first)
    assert first["service"] == "municipal_integration_services"
    assert first["provider"] == "Koto-Espoo"
    assert first["statutory"] is True
    assert first["contact"]["phone"] == "+358 40 6344480"
    assert first["source"].startswith("espoo-statutory-integration-services.en.txt")


def test_any_spelling_of_the_municipality():
    for spelling in ("Esbo", "Эспоо", "espoossa"):
        done = kotobotti("check", *BASE[:2], "--municipality", spelling, *BASE[4:], "--json")
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["recommendations"][0]["provider"] == "Koto-Espoo"


def test_readable_text_in_the_language_asked():
    done = kotobotti("check", *BASE, "--language", "fi")
    assert done.returncode == 0, done.stderr
    assert "Koto-Espoo" in done.stdout and "+358 40 6344480" in done.stdout
    assert "1. tammikuuta 2025" in done.stdout  # the rules' date, written the Finnish way
    en = kotobotti("check", *BASE)
    assert "January 1, 2025" in en.stdout and en.stdout != done.stdout


@pytest.mark.parametrize(
    ("flag", "value", "named"),
    [
        ("--permit-type", "tourist", "quota_refugee"),
        ("--employment-status", "busy", "jobseeker"),
        ("--age", "-5", "0 to 120"),
        ("--age", "121", "0 to 120"),
        ("--age", "abc", "0 to 120"),
        ("--municipality", "Atlantis", "municipality"),
        ("--municipality", "Sallo", "did you mean: Salla, Salo"),
        ("--home-care-allowance", "maybe", "yes, no"),
        ("--family-of-protection-beneficiary", "perhaps", "yes, no"),
        ("--has-municipality-of-residence", "kotikunta", "yes, no"),
        ("--date", "tomorrow", "YYYY-MM-DD"),
        ("--language", "xx", "fi"),
    ],
)
def test_bad_values_give_one_clear_line_and_status_2(flag, value, named):
    args = dict(zip(BASE[::2], BASE[1::2], strict=True))
    args[flag] = value
    argv = [item for pair in args.items() for item in pair]
    done = kotobotti("check", *argv)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert repr(value) in lines[0] and named in lines[0]
    assert done.stdout == ""


def test_missing_required_flag_is_status_2():
    done = kotobotti("check", "--permit-type", "work")
    assert done.returncode == 2 and "required" in done.stderr


def test_the_new_facts_change_the_answer_through_the_command():
    """family_of_protection_beneficiary and has_municipality_of_residence (contract §2, §4)."""
    family = ["--permit-type", "family", "--municipality", "Kuopio", "--age", "30"]
    family += ["--employment-status", "home_parent", "--years-since-first-permit", "1", "--json"]
    joined = json.loads(kotobotti("check", *family, "--family-of-protection-beneficiary", "yes").stdout)
    other = json.loads(
        kotobotti(
            "check",
            *family,
            "--family-of-protection-beneficiary",
            "no",
            "--home-care-allowance",
            "no",
            "--social-assistance-over-2-months",
            "no",
        ).stdout
    )
    rules = {r["rule"] for r in joined["recommendations"]}
    assert "outside-labour-force-family-of-protection" in rules
    assert "outside-labour-force-family-of-protection" not in {r["rule"] for r in other["recommendations"]}

    tp = [*BASE, "--json"]
    without = json.loads(kotobotti("check", *tp, "--has-municipality-of-residence", "no").stdout)
    with_one = json.loads(kotobotti("check", *tp, "--has-municipality-of-residence", "yes").stdout)
    assert "reception_services" in {r["service"] for r in without["recommendations"]}
    assert "reception_services" not in {r["service"] for r in with_one["recommendations"]}
    assert "integration_social_services" in {r["service"] for r in with_one["recommendations"]}


def test_readable_answer_shows_no_file_name():
    done = kotobotti("check", *BASE)
    assert done.returncode == 0, done.stderr
    assert ".txt" not in done.stdout and ".md" not in done.stdout
    assert (
        "https://www.espoo.fi/en/hello-espoo-welcome-espoo/statutory-integration-services-finland-and-espoo"
        in (done.stdout)
    )


def test_staff_are_warned_on_stderr_after_review_by():
    late = kotobotti("check", *BASE, "--date", "2027-03-01")
    assert late.returncode == 0
    assert "warning" in late.stderr and "2027-01-01" in late.stderr
    assert late.stdout.startswith("Note: these rules were due to be checked again")
    early = kotobotti("check", *BASE, "--date", "2026-12-06")
    assert early.returncode == 0 and early.stderr == ""
    assert not early.stdout.startswith("Note:")

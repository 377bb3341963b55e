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

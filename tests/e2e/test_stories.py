"""Rasa test stories: the main path in every launch language, through the trained model.

Each story is built from tests/language_cases.py (what a person types) and run with
`rasa test core --e2e --fail-on-prediction-errors`: an intent the model misreads or an action
the rules would not choose fails the test.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.serve import DEFAULT_MODEL, ROOT
from tests.language_cases import CASES

pytestmark = pytest.mark.slow


def story(code: str) -> dict:
    case = CASES[code]
    return {
        "story": f"main path ({code})",
        "steps": [
            {"user": case.greet, "intent": "greet"},
            {"action": "action_first_contact"},
            {"slot_was_set": [{"stage": "consent_pending"}]},
            {"user": case.yes, "intent": "affirm"},
            {"action": "action_consent"},
            {"slot_was_set": [{"stage": "consented"}]},
            {"action": "profile_form"},
            {"active_loop": "profile_form"},
            {"user": case.facts, "intent": "inform"},
            {"action": "profile_form"},
            {"active_loop": None},
            {"slot_was_set": [{"requested_slot": None}]},
            {"action": "action_recommend"},
            {"user": case.thanks, "intent": "thanks"},
            {"action": "action_respond"},
            {"user": case.help, "intent": "help"},
            {"action": "action_respond"},
        ],
    }


def test_main_path_in_every_language(tmp_path: Path):
    stories = tmp_path / "test_stories.yml"
    stories.write_text(
        yaml.safe_dump(
            {"version": "3.1", "stories": [story(c) for c in CASES]}, allow_unicode=True, sort_keys=False
        ),
        "utf-8",
    )
    rasa = str(Path(sys.executable).parent / "rasa")
    done = subprocess.run(
        [
            rasa,
            "test",
            "core",
            "--model",
            str(DEFAULT_MODEL),
            "--stories",
            str(stories),
            "--e2e",
            "--fail-on-prediction-errors",
            "--out",
            str(tmp_path / "results"),
            "--no-plot",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**__import__("os").environ, "RASA_TELEMETRY_ENABLED": "false"},
    )
    failed = tmp_path / "results" / "failed_test_stories.yml"
    assert done.returncode == 0, failed.read_text("utf-8") if failed.exists() else done.stdout[-3000:]

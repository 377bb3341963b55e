"""`rasa data validate` is clean: domain, NLU data, rules and stories agree, no warning."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.serve import ROOT

pytestmark = pytest.mark.slow


def test_rasa_data_validate_has_no_warnings():
    rasa = str(Path(sys.executable).parent / "rasa")
    done = subprocess.run(
        [rasa, "data", "validate", "--fail-on-warnings"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"},
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]

"""Shared fixtures: the packaged registry (loaded once) and a profile factory."""

from __future__ import annotations

import datetime as dt

import pytest

from bot import registry
from bot.eligibility import Assessment, assess
from bot.facts import Profile

# A fixed day inside the 2025 rule set, so tests do not change meaning as time passes.
DAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="session")
def reg() -> registry.Registry:
    return registry.load()


def run(
    permit: str, municipality: str, age: int, status: str, language: str = "en", **optional
) -> Assessment:
    """Assess one profile on DAY."""
    return assess(Profile(permit, municipality, age, status, **optional), language, day=DAY)


def services(result: Assessment) -> dict[str, tuple[str, bool]]:
    """service -> (provider, statutory) of an assessment's recommendations."""
    return {r.service: (r.provider, r.statutory) for r in result.recommendations}

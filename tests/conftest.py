"""Shared fixtures: the packaged registry (loaded once) and a profile factory."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import pytest

from bot import registry
from bot.eligibility import Assessment, assess
from bot.facts import Profile

# A fixed day inside the 2025 rule set, so tests do not change meaning as time passes.
DAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="session")
def domain():
    """The assistant's Rasa domain (Rasa imported here, not by every test module)."""
    from rasa.shared.core.domain import Domain

    from bot.serve import ROOT

    return Domain.load(str(ROOT / "domain.yml"))


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


# The real PostgreSQL every session and CI has (trust auth, database "test").
POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


def postgres_schema(prefix: str) -> Iterator[str]:
    """A URL into a schema of its own on the real PostgreSQL, dropped afterwards, so
    parallel runs and other tests never see each other's rows."""
    import sqlalchemy as sa

    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{POSTGRES}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def every_row(url: str) -> list[tuple]:
    """Every row of every table of a database, as tuples: what a privacy test scans."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as connection:
        found = [
            tuple(row)
            for table in sa.inspect(engine).get_table_names()
            for row in connection.execute(sa.text(f'SELECT * FROM "{table}"'))
        ]
    engine.dispose()
    return found


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> Iterator[str]:
    """Each storage test twice: on a SQLite file, and on the real PostgreSQL in a schema
    of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'kotobotti.db'}"
        return
    yield from postgres_schema("kotobotti_test")

"""End to end: what a person types reaches no log line and no database row (contract §6).

Both servers run as ``make run`` runs them (``bot.serve``, Rasa's default log level, INFO:
nothing set), with everything they print captured to a file, once on a SQLite file and
once on the real PostgreSQL (a schema of this module's own). Whole conversations are
typed in Finnish and English over REST and over socket.io: a permit, a distinctive
municipality in a case form, an age, the work situation, a made-up name, a phone number
and an e-mail address, and messages not understood, once refused and once allowed for the
opt-in log. Then every log line is scanned for what was typed and for the slot values the
conversations set, and every row of every table for what was typed: only the opt-in table
may hold words, and only scrubbed ones.

Marked slow: it starts Rasa twice.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot import serve, storage, tables
from bot.facts import FACTS
from bot.scrub import scrub
from tests.conftest import postgres_schema
from tests.e2e.conftest import TOKEN, tracker
from tests.e2e.test_privacy import socketio_conversation

pytestmark = pytest.mark.slow

NAME, SURNAME = "Zorbanella", "Qwintus"
PHONE = "+358 44 987 6543"
EMAIL = "zorbanella.q@example.com"
TYPED_PLACE = "Kauhajoella"  # the slot holds Kauhajoki

# Finnish, to the recommendations; "no" to the opt-in log.
FINNISH = [
    "hei",
    "kyllä",
    "sain oleskeluluvan ihmiskaupan uhrina",
    "blorpin frobnikaattori zibberöi",  # not understood: the opt-in question
    "ei",
    f"asun {TYPED_PLACE}",
    "olen 97-vuotias",
    "en ole töissä enkä työnhakijana",
    "kaksi vuotta sitten",
    "kyllä",
    f"soita minulle, olen {NAME} {SURNAME}, puhelin {PHONE}",
]
# English; "yes" to the opt-in log, then messages not understood with a name, a phone, an e-mail.
ENGLISH = [
    "hello",
    "yes",
    "blorp the frobnicated zibber",
    '/affirm{"keep_unanswered": "yes"}',
    f"my name is {NAME} {SURNAME}, write to {EMAIL}, what is a blorpification",
    f"{NAME} here, my number is {PHONE}, is frobnication allowed",
    "I have temporary protection and I live in Kauhajoki",
]
SOCKETIO = ["hei", "kyllä", f"asun {TYPED_PLACE} ja olen 97-vuotias"]
# What identifies the person: nowhere, not even in the opt-in log.
IDENTIFYING = [NAME, SURNAME, PHONE, "987 6543", "9876543", EMAIL, "zorbanella.q", TYPED_PLACE]


@dataclass(frozen=True)
class Up:
    base: str
    database: str
    log: Path


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def up(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(request.param)
    schema = postgres_schema("kotobotti_typed") if request.param == "postgresql" else None
    database = next(schema) if schema else f"sqlite:///{folder / 'kotobotti.db'}"
    env = {**os.environ, storage.DB_URL_VARIABLE: database, serve.TOKEN_VARIABLE: TOKEN}
    env.pop("LOG_LEVEL", None)  # Rasa's default, as `make run`
    log = folder / "servers.log"
    ports = serve.Ports(rasa=serve.free_port(), actions=serve.free_port())
    try:
        with serve.running(ports=ports, env=env, log=log) as servers:
            yield Up(servers.base, database, log)
    finally:
        if schema:
            next(schema, None)


def rows_by_table(url: str) -> dict[str, list[tuple]]:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        found = {
            table: [tuple(row) for row in connection.execute(sa.text(f'SELECT * FROM "{table}"'))]
            for table in sa.inspect(engine).get_table_names()
        }
    engine.dispose()
    return found


def fact_values(slots: dict) -> set[str]:
    """The contract §2 slot values a conversation set, as they could appear in a log line."""
    values = set()
    for name in FACTS:
        value = slots.get(name)
        if isinstance(value, str) and len(value) >= 4:
            values.add(value)
        elif isinstance(value, float) and not isinstance(value, bool) and value >= 10:
            values.add(f"{value}")  # 97.0
    return values


def test_nothing_typed_in_the_logs_or_the_database(up):
    rest_fi, rest_en, session = (f"typed-{uuid.uuid4().hex[:8]}" for _ in range(3))
    answers = [
        serve.send(up.base, rest_fi, message, {"language": "fi"} if i == 0 else None)
        for i, message in enumerate(FINNISH)
    ]
    assert any(r.get("custom") for replies in answers for r in replies), "the Finnish one got its answer"
    for i, message in enumerate(ENGLISH):
        assert serve.send(up.base, rest_en, message, {"language": "en"} if i == 0 else None)
    assert socketio_conversation(up.base, session, SOCKETIO)

    slots = {
        **tracker(up.base, session, "socketio")["slots"],
        **tracker(up.base, rest_en)["slots"],
        **tracker(up.base, rest_fi)["slots"],
    }
    values = fact_values(slots)
    assert {"trafficking_victim", "Kauhajoki", "97.0", "not_working"} <= values, values
    typed = [m for m in FINNISH + ENGLISH + SOCKETIO if len(m) >= 12 and not m.startswith("/")]

    # The logs: nothing typed, no identifying detail, no slot value.
    lines = up.log.read_text("utf-8", errors="replace").splitlines()
    assert any("Starting Rasa server" in line for line in lines), "the log was captured"
    for line in lines:
        assert not [m for m in typed if m in line], line
        assert not [t for t in IDENTIFYING if t.lower() in line.lower()], line
        assert not [v for v in values if re.search(rf"(?<![\w.]){re.escape(v)}(?![\w.])", line)], line

    # The database: typed words only in the opt-in table, and only scrubbed.
    found = rows_by_table(up.database)
    assert found["events"], "the conversations were stored"
    for table, rows in found.items():
        for row in rows:
            text = json.dumps([str(v) for v in row], ensure_ascii=False)
            assert not [t for t in IDENTIFYING if t.lower() in text.lower()], (table, row)
            if table != tables.unanswered.name:
                assert not [m for m in typed if m in text], (table, row)
    kept = [row[3] for row in found[tables.unanswered.name]]
    assert scrub(ENGLISH[4]) in kept, kept  # the English person said yes
    # ... and nothing else: each row is a message of theirs not understood, scrubbed (the
    # Finnish person said no; whether the NLU took ENGLISH[5] for "talk to a person" is
    # not this test's business).
    assert set(kept) <= {scrub(m) for m in ENGLISH[4:]}, kept

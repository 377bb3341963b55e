"""Soak: many conversations in a row against the real servers; memory and what the database keeps.

    .venv/bin/python scripts/soak.py                      # 10 000 conversations, a fresh SQLite file
    .venv/bin/python scripts/soak.py --db-url postgresql://...  # a database of its own: it is purged

Starts the action server and the Rasa server on spare ports and runs the conversations,
``--concurrency`` at a time, cycling through the 13 languages and three kinds:

- ``recommended``: consent, every fact, the recommendations, a rating (kept until the
  retention period is over);
- ``declined``: no consent, general guidance only (kept likewise);
- ``forgotten``: consent, facts, then "delete my data" (deleted at once: contract §6;
  what Rasa keeps is an empty new session, no message, fact or answer).

Every ``--every`` conversations it prints the resident memory of each server (RSS, with
their child processes), the rate, and what the database holds; and it runs the retention
job (``kotobotti purge``) as the daily job would. Memory should level off: the servers
keep nothing per conversation but the tracker store's memory of the last 1000
(``rasa_components/tracker_cache.py``, about 50 MB at most). At the end it checks what
retention allows: no row of a forgotten conversation, one stored conversation per kept
one, and nothing at all once the retention period has passed (the purge run with the
clock moved past it). The statistics tables (``bot/tables.py``: one row per rating and
per deletion, no ids) are counted too.

Memory is a measurement, printed, not asserted; ``tests/e2e/test_load.py`` runs a few
hundred conversations through the same functions and asserts the database part.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import serve, storage, tables  # noqa: E402
from bot.i18n import languages  # noqa: E402
from bot.pseudonym import pseudonym  # noqa: E402

KINDS = ("recommended", "declined", "forgotten")
# A work permit for four years, employed, in Espoo: the recommendations need no other fact.
FACTS = {
    "permit_type": "work",
    "municipality": "Espoo",
    "age": 30,
    "employment_status": "employed",
    "years_since_first_permit": 4.0,
}
FACTS_MESSAGE = "/inform" + json.dumps(FACTS)
# What "delete my data" is in every language; typed as the intent, so it does not depend on the NLU.
FORGET_MESSAGE = "/forget"


def sender_of(run: str, index: int) -> str:
    return f"soak-{run}-{index}"


def kind_of(index: int) -> str:
    return KINDS[index % len(KINDS)]


def converse(base: str, run: str, index: int) -> str:
    """Conversation ``index`` of a run; its kind. Raises if a message goes unanswered."""
    all_languages = languages()
    language = all_languages[index % len(all_languages)]
    kind = kind_of(index)
    sender = sender_of(run, index)
    meta = {"language": language}
    script = {
        "recommended": ["/greet", "/affirm", FACTS_MESSAGE, '/thanks{"rating": "helpful"}'],
        "declined": ["/greet", "/deny"],
        "forgotten": ["/greet", "/affirm", FACTS_MESSAGE, FORGET_MESSAGE],
    }[kind]
    for message in script:
        replies = serve.send(base, sender, message, meta)
        if not replies:
            raise RuntimeError(f"no reply to {message!r} in conversation {index}")
        if message == FACTS_MESSAGE and not any("custom" in reply for reply in replies):
            raise RuntimeError(f"no recommendations in conversation {index}: {replies}")
    return kind


def soak(
    base: str,
    run: str,
    count: int,
    concurrency: int = 4,
    every: int = 1000,
    progress: Callable[[int, Counter], None] | None = None,
) -> Counter:
    """``count`` conversations, ``concurrency`` at a time; how many of each kind."""
    kinds: Counter = Counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for start in range(0, count, every):
            batch = range(start, min(start + every, count))
            kinds.update(pool.map(lambda i: converse(base, run, i), batch))
            if progress:
                progress(batch.stop, kinds)
    return kinds


def database_rows(url: str, run: str | None = None) -> dict[str, int]:
    """What the database holds: events, stored conversations, and our statistics tables."""
    engine = sa.create_engine(url)
    try:
        names = set(sa.inspect(engine).get_table_names())
        with engine.connect() as connection:

            def count(sql: str) -> int:
                return int(connection.execute(sa.text(sql)).scalar_one())

            found = {
                "events": count(f"SELECT count(*) FROM {storage.EVENTS_TABLE}"),
                "conversations": count(f"SELECT count(DISTINCT sender_id) FROM {storage.EVENTS_TABLE}"),
            }
            for table in (tables.ratings.name, tables.deletions.name):
                if table in names:
                    found[table] = count(f"SELECT count(*) FROM {table}")
    finally:
        engine.dispose()
    return found


def senders_with_content(url: str) -> set[str]:
    """The conversations that hold anything of a person: a message, a fact, an answer. (After
    "delete my data" Rasa opens an empty session, three events long: no content.)"""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text(
                    f"SELECT DISTINCT sender_id FROM {storage.EVENTS_TABLE}"
                    " WHERE type_name IN ('user', 'slot', 'bot')"
                )
            )
            return {row[0] for row in rows}
    finally:
        engine.dispose()


def retention_problems(url: str, run: str, count: int) -> list[str]:
    """What the database holds beyond what retention allows, for the ``count`` conversations
    of ``run`` (before the retention period has passed): nothing of a forgotten one, each
    kept one stored."""
    stored = senders_with_content(url)
    problems = []
    for index in range(count):
        key = pseudonym("rest", sender_of(run, index))
        if kind_of(index) == "forgotten" and key in stored:
            problems.append(f"conversation {index} was forgotten but is still stored")
        if kind_of(index) != "forgotten" and key not in stored:
            problems.append(f"conversation {index} is lost")
    return problems


def purge_after_retention(url: str, days: int) -> int:
    """The retention job run as if ``days`` + 1 days had passed: what it deleted."""
    engine = storage.create_engine(url)
    try:
        return storage.purge(engine, days, now=time.time() + (days + 1) * storage.SECONDS_PER_DAY)
    finally:
        engine.dispose()


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (MB), from /proc."""
    total = 0
    pids = [pid]
    while pids:
        current = pids.pop()
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{current}/task").iterdir():
                with contextlib.suppress(OSError):
                    pids += [int(c) for c in (task / "children").read_text().split()]
    return total / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--every", type=int, default=1000, help="report every N conversations")
    parser.add_argument("--db-url", help="a database of its own (default: a new SQLite file); it is purged")
    parser.add_argument("--model", type=Path, default=serve.DEFAULT_MODEL)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="kotobotti-soak-") as tmp:
        url = args.db_url or f"sqlite:///{tmp}/soak.db"
        env = {**os.environ, storage.DB_URL_VARIABLE: url}
        days = storage.retention_days(env)
        ports = serve.Ports(rasa=serve.free_port(), actions=serve.free_port())
        run = uuid.uuid4().hex[:8]
        started = time.monotonic()
        with serve.running(model=args.model, ports=ports, env=env, log=Path(tmp) / "servers.log") as up:
            actions_pid, rasa_pid = up.pids
            print(
                f"servers up in {time.monotonic() - started:.0f} s; database {url.split(':')[0]}", flush=True
            )
            print(f"start: Rasa {rss_mb(rasa_pid):.0f} MB, actions {rss_mb(actions_pid):.0f} MB", flush=True)
            print(
                "conversations  seconds  conv/s  rasa_rss_mb  actions_rss_mb  events  stored  purged",
                flush=True,
            )
            begun = time.monotonic()

            def progress(done: int, kinds: Counter) -> None:
                engine = storage.create_engine(url)
                try:
                    purged = storage.purge(engine, days)  # the daily job: nothing is old enough yet
                finally:
                    engine.dispose()
                rows = database_rows(url)
                elapsed = time.monotonic() - begun
                memory = f"{rss_mb(rasa_pid):11.0f}  {rss_mb(actions_pid):14.0f}"
                stored = f"{rows['events']:6d}  {rows['conversations']:6d}  {purged:6d}"
                print(f"{done:13d}  {elapsed:7.0f}  {done / elapsed:6.1f}  {memory}  {stored}", flush=True)

            kinds = soak(up.base, run, args.conversations, args.concurrency, args.every, progress)
        print(f"kinds: {dict(kinds)}")
        before = database_rows(url)
        problems = retention_problems(url, run, args.conversations)
        print(f"database after the soak: {before}")
        print(f"expected stored conversations: {kinds['recommended'] + kinds['declined']} (forgotten: none)")
        deleted = purge_after_retention(url, days)
        after = database_rows(url)
        print(f"purge {days + 1} days later: {deleted} conversations deleted; database then: {after}")
        for problem in problems[:20]:
            print(f"PROBLEM: {problem}")
        if after["events"]:
            problems.append("events left after the retention period")
        print("retention: OK" if not problems else f"retention: {len(problems)} problem(s)")
        return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

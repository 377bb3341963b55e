"""``kotobotti``: the staff's command line (contract §4).

``kotobotti check`` runs the eligibility engine on one case. Values it cannot
understand end in a one-line error on stderr naming the value and the accepted ones,
with exit status 2 (argparse's convention for usage errors). ``kotobotti purge`` deletes
the conversations older than the retention period (``bot/storage.py``). Once the rule file in force
is past its ``review_by`` day, staff are warned on stderr (the answer itself says so to
the person too); ``--date`` asks as of another day.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence
from typing import Any

from bot import registry
from bot.eligibility import assess
from bot.facts import FACTS, Fact, FactError, Profile
from bot.i18n import languages, normalise_language, translator
from bot.render import text

_YES = {"yes", "y", "true", "1", "kyllä", "ja"}
_NO = {"no", "n", "false", "0", "ei", "nej"}


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors on one line and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"kotobotti: error: {message}\n")
        sys.exit(2)


def _yes_no(name: str):  # type: ignore[no-untyped-def]
    def parse(value: str) -> bool:
        lowered = value.strip().lower()
        if lowered in _YES:
            return True
        if lowered in _NO:
            return False
        raise argparse.ArgumentTypeError(f"{name}: {value!r} is not accepted; accepted: yes, no")

    parse.__name__ = name
    return parse


def _choice(name: str, choices: Sequence[str]):  # type: ignore[no-untyped-def]
    def parse(value: str) -> str:
        if value not in choices:
            raise argparse.ArgumentTypeError(
                f"{name}: {value!r} is not accepted; accepted: {', '.join(choices)}"
            )
        return value

    parse.__name__ = name
    return parse


def _municipality(value: str) -> str:
    found = registry.load().resolve(value)
    if found.municipality is None:
        hint = (
            "did you mean: " + ", ".join(m.name_fi for m in found.candidates)
            if found.candidates
            else "accepted: the name of a Finnish municipality in any spelling (Espoo, Esbo, Эспоо)"
        )
        raise argparse.ArgumentTypeError(f"municipality: {value!r} is not known; {hint}")
    return found.municipality.name_fi


def _language(value: str) -> str:
    code = normalise_language(value)
    if code is None:
        raise argparse.ArgumentTypeError(
            f"language: {value!r} is not accepted; accepted: {', '.join(languages())}"
        )
    return code


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"date: {value!r} is not accepted; accepted: YYYY-MM-DD") from None


def _parser_for(fact: Fact):  # type: ignore[no-untyped-def]
    if fact.kind == "municipality":
        return _municipality
    if fact.kind == "yes_no":
        return _yes_no(fact.flag[2:])
    if fact.kind == "choice":
        return _choice(fact.flag[2:], fact.values)

    def parse(value: str) -> Any:
        try:
            return fact.check(value)
        except FactError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    parse.__name__ = fact.name
    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="kotobotti", description="Kotobotti: integration services for newcomers to Finland."
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    check = commands.add_parser("check", help="which services one person is entitled to, and whom to contact")
    for fact in FACTS.values():  # contract §4: one flag per fact, from the facts table
        check.add_argument(fact.flag, required=not fact.optional, type=_parser_for(fact), dest=fact.name)
    check.add_argument("--language", default="en", type=_language)
    check.add_argument("--json", action="store_true", help="print the contract §3 payload")
    check.add_argument("--date", type=_date, default=None, help="the day to ask for (default: today)")
    commands.add_parser("serve", help="start the action server and the Rasa server (contract §1)")
    commands.add_parser(
        "telegram",
        help="connect Telegram to the Rasa server (contract §5; configured by the environment)",
        description="Environment: TELEGRAM_BOT_TOKEN (required, from @BotFather), KOTOBOTTI_RASA_URL, "
        "KOTOBOTTI_TELEGRAM_API_URL, KOTOBOTTI_TELEGRAM_WEBHOOK_URL, KOTOBOTTI_TELEGRAM_LISTEN.",
    )
    commands.add_parser(
        "purge",
        help="delete the conversations older than the retention period (contract §6)",
        description="Deletes every conversation whose last message is older than KOTOBOTTI_RETENTION_DAYS "
        "(default 30), and the messages not understood kept (with the person's yes) longer than that, "
        "from the database KOTOBOTTI_DB_URL (default the SQLite file var/kotobotti.db), "
        "and prints how many; no ids.",
    )
    commands.add_parser(
        "report",
        help="counts for staff: conversations per language, recommendations, fallback rate, ratings, "
        "unanswered questions",
        description="Reads the database KOTOBOTTI_DB_URL (default the SQLite file var/kotobotti.db) and "
        "prints counts and the messages not understood that people allowed us to keep (scrubbed of "
        "numbers, addresses and names); no ids.",
    )
    return parser


def _report() -> int:
    from bot import report  # SQLAlchemy and Alembic only for the commands that need the database

    try:
        found = report.build_configured()
    except RuntimeError as exc:
        sys.stderr.write(f"kotobotti: error: {exc}\n")
        return 2
    print("\n".join(found.lines()))
    return 0


def _purge() -> int:
    from bot import storage  # SQLAlchemy only for the commands that need the database

    try:
        purged = storage.purge_configured()
    except (ValueError, RuntimeError) as exc:
        sys.stderr.write(f"kotobotti: error: {exc}\n")
        return 2
    print(
        f"Deleted {purged.conversations} conversation(s) whose last message was more than {purged.days} "
        f"days ago, and {purged.unanswered} message(s) not understood kept more than {purged.days} days ago."
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        from bot import serve  # only the server needs the subprocess machinery

        return serve.main()
    if args.command == "telegram":
        from bot.channels import telegram  # python-telegram-bot only for the bridge

        return telegram.main()
    if args.command == "purge":
        return _purge()
    if args.command == "report":
        return _report()
    if args.command == "check":
        profile = Profile.from_facts(vars(args))
        try:
            result = assess(profile, args.language, day=args.date)
        except LookupError as exc:  # no rule file in force on that day
            sys.stderr.write(f"kotobotti: error: {exc}\n")
            return 2
        if result.review_due and result.review_by:
            sys.stderr.write(
                f"kotobotti: warning: the rule file {result.ruleset_id} was due for review on "
                f"{result.review_by.isoformat()}; check the law (a reform was pending) "
                "and add a new rule file\n"
            )
        if args.json:
            print(json.dumps(result.payload(), ensure_ascii=False, indent=2))
        else:
            print(text(result, translator(args.language)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

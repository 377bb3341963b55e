"""Rule files: loading, checking and evaluating the conditions of ``bot/rules/*.yml``.

The rules are data so that a change in the law is a new file, not a code change. A
condition is evaluated in three-valued logic: an optional fact the person has not told
us is *unknown*, and a rule whose outcome depends on it reports that fact, so the
dialogue asks only what would change the answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from bot.facts import EMPLOYMENT_STATUSES, OPTIONAL_FACTS, PERMIT_TYPES, SERVICES

# Truth values: True, False, or None for unknown.
Truth = bool | None

PROVIDERS = frozenset(
    {
        "employment_area",
        "municipal_integration",
        "county",
        "guidance",
        "trafficking_assistance",
        "reception_services",
        "emergency",
        "aland",
        "aland_employment",
        "aland_social",
    }
)
FACTS = frozenset({"permit_type", "employment_status", "age", "aland", *OPTIONAL_FACTS})
_COMPARISONS = {
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
}
_CHOICES = {"permit_type": PERMIT_TYPES, "employment_status": EMPLOYMENT_STATUSES}


class RuleFileError(ValueError):
    """A rule file that does not say what the engine can follow."""


@dataclass(frozen=True, eq=False)
class Rule:
    id: str
    when: Mapping[str, Any]
    service: str
    outcome: str
    provider: str | None
    statutory: bool
    reason: str
    source: str
    source_title: str
    source_url: str
    assume: frozenset[str]
    valid_from: dt.date | None


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: rules hold dicts
class RuleSet:
    id: str
    title: str
    valid_from: dt.date
    valid_until: dt.date | None
    review_by: dt.date
    rules: tuple[Rule, ...]

    def in_force(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day < self.valid_until)

    def review_due(self, day: dt.date) -> bool:
        """From ``review_by`` on, the rules may no longer match the law (a reform was pending
        when they were last checked): every answer says so, and staff are warned."""
        return day >= self.review_by


# -- evaluation ---------------------------------------------------------------------------
def _and(values: list[Truth]) -> Truth:
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def _or(values: list[Truth]) -> Truth:
    if any(v is True for v in values):
        return True
    return None if any(v is None for v in values) else False


def evaluate(
    condition: Mapping[str, Any], facts: Mapping[str, Any], unknown: set[str], assume: frozenset[str]
) -> Truth:
    """Kleene evaluation of one condition map; unknown facts met are added to ``unknown``.

    A fact in ``assume`` that is unknown counts as meeting its test (the answer then
    says it was assumed).
    """
    results: list[Truth] = []
    for name, test in condition.items():
        if name == "any":
            results.append(_or([evaluate(c, facts, unknown, assume) for c in test]))
        elif name == "not":
            inner = evaluate(test, facts, unknown, assume)
            results.append(None if inner is None else not inner)
        else:
            value = facts.get(name)
            if value is None:
                unknown.add(name)
                results.append(True if name in assume else None)
            elif isinstance(test, list):
                results.append(value in test)
            elif isinstance(test, dict) and "not_in" in test:
                results.append(value not in test["not_in"])
            elif isinstance(test, dict):
                results.append(all(_COMPARISONS[op](value, bound) for op, bound in test.items()))
            else:
                results.append(value == test)
    return _and(results)


# -- loading and checking ----------------------------------------------------------------
def _check_condition(rule_id: str, condition: Any) -> None:
    if not isinstance(condition, dict):
        raise RuleFileError(f"{rule_id}: a condition must be a mapping, not {condition!r}")
    for name, test in condition.items():
        if name == "any":
            for inner in test:
                _check_condition(rule_id, inner)
        elif name == "not":
            _check_condition(rule_id, test)
        elif name not in FACTS:
            raise RuleFileError(f"{rule_id}: unknown fact {name!r}")
        elif isinstance(test, dict) and set(test) - {"not_in", *_COMPARISONS}:
            raise RuleFileError(f"{rule_id}: unknown comparison in {test!r}")
        elif name in _CHOICES:
            values = test if isinstance(test, list) else test.get("not_in", [])
            unknown_values = set(values) - set(_CHOICES[name])
            if unknown_values:
                raise RuleFileError(f"{rule_id}: {name} has no value {sorted(unknown_values)}")


def _rule(raw: dict[str, Any]) -> Rule:
    rule_id = raw.get("id") or "<rule without id>"
    for required in ("when", "service", "reason", "source", "source_title", "source_url"):
        if not raw.get(required):
            raise RuleFileError(f"{rule_id}: '{required}' is required")
    outcome = raw.get("outcome", "recommend")
    if outcome not in ("recommend", "not_entitled"):
        raise RuleFileError(f"{rule_id}: outcome must be recommend or not_entitled")
    if raw["service"] not in SERVICES:
        raise RuleFileError(f"{rule_id}: unknown service {raw['service']!r}")
    provider = raw.get("provider")
    if outcome == "recommend" and provider not in PROVIDERS:
        raise RuleFileError(f"{rule_id}: unknown provider {provider!r}")
    if outcome == "recommend" and not isinstance(raw.get("statutory"), bool):
        raise RuleFileError(f"{rule_id}: 'statutory' must be true or false")
    if not str(raw["source_url"]).startswith(("https://", "http://")):
        raise RuleFileError(f"{rule_id}: source_url must be a web address a person can open")
    _check_condition(rule_id, raw["when"])
    assume = frozenset(raw.get("assume", []))
    if not assume <= OPTIONAL_FACTS:
        raise RuleFileError(f"{rule_id}: only optional facts can be assumed")
    return Rule(
        id=rule_id,
        when=raw["when"],
        service=raw["service"],
        outcome=outcome,
        provider=provider,
        statutory=bool(raw.get("statutory", False)),
        reason=" ".join(raw["reason"].split()),
        source=raw["source"],
        source_title=" ".join(str(raw["source_title"]).split()),
        source_url=str(raw["source_url"]),
        assume=assume,
        valid_from=raw.get("valid_from"),
    )


def parse(text: str) -> RuleSet:
    """A rule set from the text of a rule file (RuleFileError if it is not sound)."""
    data = yaml.safe_load(text)
    head = data["ruleset"]
    rules = tuple(_rule(raw) for raw in data["rules"])
    ids = [r.id for r in rules]
    if len(ids) != len(set(ids)):
        raise RuleFileError(f"{head['id']}: rule ids repeat")
    if not isinstance(head.get("review_by"), dt.date):
        raise RuleFileError(
            f"{head['id']}: 'review_by' (the day the rules must be checked again) is required"
        )
    return RuleSet(
        id=head["id"],
        title=head["title"],
        valid_from=head["valid_from"],
        valid_until=head.get("valid_until"),
        review_by=head["review_by"],
        rules=rules,
    )


@lru_cache(maxsize=1)
def packaged() -> tuple[RuleSet, ...]:
    """Every rule file shipped in ``bot/rules``, oldest first."""
    folder = resources.files("bot.rules")
    sets = [parse(f.read_text("utf-8")) for f in folder.iterdir() if f.name.endswith(".yml")]
    return tuple(sorted(sets, key=lambda s: s.valid_from))


def in_force(day: dt.date, sets: tuple[RuleSet, ...] | None = None) -> RuleSet:
    """The rule set in force on ``day`` (the newest one that started by then)."""
    candidates = [s for s in (sets if sets is not None else packaged()) if s.in_force(day)]
    if not candidates:
        raise LookupError(f"no rule set is in force on {day.isoformat()}")
    return max(candidates, key=lambda s: s.valid_from)

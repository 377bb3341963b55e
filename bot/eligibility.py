"""The eligibility engine: who is entitled to what, why, and whom to contact.

``assess(profile)`` applies the rule file in force (``bot/rules/``) to what the person
told us and returns the recommendations of contract §3, the services they are honestly
told are not theirs, and the optional facts that would change the answer (so the
dialogue asks only those). Plain Python: the Rasa actions, the command line and the
channels all call this one function.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from bot import contacts, registry, ruleset
from bot.facts import OPTIONAL_ORDER, Profile
from bot.i18n import translator


@dataclass(frozen=True)
class Recommendation:
    service: str
    provider: str
    statutory: bool
    reason: str
    contact: dict[str, str]
    source: str
    contact_source: str
    rule: str
    assumed: tuple[str, ...] = ()

    def payload(self) -> dict[str, Any]:
        """The contract §3 shape (plus the rule id, what was assumed, the contact's source)."""
        return {
            "service": self.service,
            "provider": self.provider,
            "statutory": self.statutory,
            "reason": self.reason,
            "contact": dict(self.contact),
            "source": self.source,
            "contact_source": self.contact_source,
            "rule": self.rule,
            "assumed": list(self.assumed),
        }


@dataclass(frozen=True)
class NotEntitled:
    service: str
    reason: str
    source: str
    rule: str

    def payload(self) -> dict[str, Any]:
        return {"service": self.service, "reason": self.reason, "source": self.source, "rule": self.rule}


@dataclass(frozen=True)
class Assessment:
    recommendations: tuple[Recommendation, ...]
    not_entitled: tuple[NotEntitled, ...]
    would_change: tuple[str, ...]
    ruleset_id: str
    ruleset_title: str
    valid_from: dt.date
    language: str

    def payload(self) -> dict[str, Any]:
        """``{"recommendations": [...]}`` as contract §3, with the added keys alongside."""
        return {
            "recommendations": [r.payload() for r in self.recommendations],
            "not_entitled": [n.payload() for n in self.not_entitled],
            "would_change": list(self.would_change),
            "rules": {"id": self.ruleset_id, "valid_from": self.valid_from.isoformat()},
            "language": self.language,
        }


def assess(
    profile: Profile,
    language: str = "en",
    *,
    day: dt.date | None = None,
    rules: ruleset.RuleSet | None = None,
) -> Assessment:
    """Apply the rules in force on ``day`` (today by default) to ``profile``.

    Raises ``KeyError`` for a municipality that is not an official name: resolve what a
    person typed with ``registry.load().resolve`` first.
    """
    day = day or dt.date.today()
    rules = rules or ruleset.in_force(day)
    reg = registry.load()
    municipality = reg.by_name(profile.municipality)
    facts: dict[str, Any] = {
        **{f.name: getattr(profile, f.name) for f in dataclasses.fields(profile)},
        "aland": municipality.is_aland,
    }
    del facts["municipality"]
    _ = translator(language)
    fired = _decide(rules, facts, day)
    recommendations: list[Recommendation] = []
    not_entitled: list[NotEntitled] = []
    for rule, assumed in fired:
        if rule.outcome == "not_entitled":
            not_entitled.append(NotEntitled(rule.service, _(rule.reason), rule.source, rule.id))
            continue
        provider = contacts.route(
            rule.provider or "", municipality, reg, undocumented=profile.permit_type == "undocumented"
        )
        recommendations.append(
            Recommendation(
                service=rule.service,
                provider=provider.name,
                statutory=rule.statutory,
                reason=_(rule.reason, provider=provider.name, municipality=municipality.name(language)),
                contact=provider.contact,
                source=rule.source,
                contact_source=provider.source,
                rule=rule.id,
                assumed=assumed,
            )
        )
    return Assessment(
        recommendations=tuple(recommendations),
        not_entitled=tuple(not_entitled),
        would_change=would_change(rules, facts, day),
        ruleset_id=rules.id,
        ruleset_title=rules.title,
        valid_from=rules.valid_from,
        language=_.language,
    )


def _decide(
    rules: ruleset.RuleSet, facts: dict[str, Any], day: dt.date
) -> list[tuple[ruleset.Rule, tuple[str, ...]]]:
    """The rules that fire, with the unknown facts each had to assume.

    The first rule that fires for a service gives its recommendation and reason; a
    ``not_entitled`` rule fires only when it holds without assuming anything.
    """
    fired: list[tuple[ruleset.Rule, tuple[str, ...]]] = []
    services: set[str] = set()
    for rule in rules.rules:
        if rule.valid_from and day < rule.valid_from:
            continue
        unknown: set[str] = set()
        strict = ruleset.evaluate(rule.when, facts, unknown, frozenset())
        if strict is True:
            assumed: tuple[str, ...] = ()
        elif strict is None and rule.outcome == "recommend" and rule.assume & unknown:
            if ruleset.evaluate(rule.when, facts, set(), rule.assume) is not True:
                continue
            assumed = tuple(sorted(rule.assume & unknown))
        else:
            continue
        if rule.outcome == "recommend":
            if rule.service in services:
                continue
            services.add(rule.service)
        fired.append((rule, assumed))
    return fired


def _representatives(rules: ruleset.RuleSet, fact: str) -> tuple[Any, ...]:
    """Values of an optional fact that reach every branch of the rules: both booleans,
    or for a number one value on each side of every bound the rules compare it with."""
    if fact != "years_since_first_permit":
        return (True, False)
    bounds: set[float] = set()

    def collect(condition: Any) -> None:
        if isinstance(condition, dict):
            for name, test in condition.items():
                if name == fact and isinstance(test, dict):
                    bounds.update(float(v) for op, v in test.items() if op != "not_in")
                elif name in ("any", "not"):
                    for inner in test if isinstance(test, list) else [test]:
                        collect(inner)

    for rule in rules.rules:
        collect(rule.when)
    values = {max(0.0, b - 0.5) for b in bounds} | {b + 0.5 for b in bounds} | set(bounds)
    return tuple(sorted(values)) or (0.0,)


def would_change(rules: ruleset.RuleSet, facts: dict[str, Any], day: dt.date) -> tuple[str, ...]:
    """Optional facts still unknown whose value would change the answer, in asking order.

    Exact, by trying every combination of representative values of the unknown facts
    (at most a few dozen evaluations of the rules), so the dialogue never asks a
    question whose answer could not matter. Remembered per profile: the form asks it
    on every turn.
    """
    return _would_change(rules, tuple(sorted(facts.items())), day)


@lru_cache(maxsize=4096)
def _would_change(
    rules: ruleset.RuleSet, fact_items: tuple[tuple[str, Any], ...], day: dt.date
) -> tuple[str, ...]:
    facts = dict(fact_items)
    unknown = [f for f in OPTIONAL_ORDER if facts.get(f) is None]
    if not unknown:
        return ()
    choices = {f: _representatives(rules, f) for f in unknown}

    def signature(values: dict[str, Any]) -> tuple[tuple[str, bool, str], ...]:
        decided = _decide(rules, {**facts, **values}, day)
        return tuple((rule.id, rule.statutory, rule.outcome) for rule, _ in decided)

    matters: list[str] = []
    for fact in unknown:
        others = [f for f in unknown if f != fact]
        for combo in itertools.product(*(choices[f] for f in others)):
            base = dict(zip(others, combo, strict=True))
            seen = {signature({**base, fact: v}) for v in choices[fact]}
            if len(seen) > 1:
                matters.append(fact)
                break
    return tuple(matters)

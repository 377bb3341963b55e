"""The eligibility engine: who is entitled to what, why, and whom to contact.

``assess(profile)`` applies the rule file in force (``bot/rules/``) to what the person
told us and returns the recommendations of contract §3, the services they are honestly
told are not theirs, and the optional facts that would change the answer (so the
dialogue asks only those). Plain Python: the Rasa actions, the command line and the
channels all call this one function.

Beyond the rules themselves, an assessment carries what no single rule says: how long is
left of the window for an integration plan (from the bound the rules that fired compare the
years with), which steps the person can take would open a service (the engine evaluating
that other profile, never a hand-written hint), and whether the rule file is past its
``review_by`` day.
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
    source_title: str = ""
    source_url: str = ""
    contact_source_title: str = ""
    contact_source_url: str = ""

    def payload(self) -> dict[str, Any]:
        """The contract §3 shape (plus the rule id, what was assumed, the contact's source)."""
        return {
            "service": self.service,
            "provider": self.provider,
            "statutory": self.statutory,
            "reason": self.reason,
            "contact": dict(self.contact),
            "source": self.source,
            "source_title": self.source_title,
            "source_url": self.source_url,
            "contact_source": self.contact_source,
            "contact_source_title": self.contact_source_title,
            "contact_source_url": self.contact_source_url,
            "rule": self.rule,
            "assumed": list(self.assumed),
        }


@dataclass(frozen=True)
class NotEntitled:
    service: str
    reason: str
    source: str
    rule: str
    source_title: str = ""
    source_url: str = ""

    def payload(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "reason": self.reason,
            "source": self.source,
            "source_title": self.source_title,
            "source_url": self.source_url,
            "rule": self.rule,
        }


@dataclass(frozen=True)
class Deadline:
    """The window for an integration plan, from the years since the first permit.

    ``limit_years`` is the bound the rules that fired compare the years with (3 under Act
    681/2023); ``months_left`` is None once it has passed. ``provider`` is whom to ask while
    it is open (the provider of the service the window applies to).
    """

    limit_years: float
    months_left: int | None
    provider: str

    @property
    def passed(self) -> bool:
        return self.months_left is None

    def payload(self) -> dict[str, Any]:
        return {
            "limit_years": self.limit_years,
            "months_left": self.months_left,
            "passed": self.passed,
            "provider": self.provider,
        }


@dataclass(frozen=True)
class Step:
    """Something a person can do that may change the answer, and the fact it changes.

    ``applies_to`` are the current values from which the step is possible (a person who
    is employed is not told to register as a jobseeker).
    """

    id: str
    fact: str
    value: Any
    applies_to: tuple[Any, ...]


STEPS: tuple[Step, ...] = (
    Step(
        "register_as_jobseeker", "employment_status", "jobseeker", ("not_working", "home_parent", "student")
    ),
    Step("get_municipality_of_residence", "has_municipality_of_residence", True, (False,)),
)


@dataclass(frozen=True)
class Opening:
    """A step and the statutory services the engine found it would add: (service, provider)."""

    step: str
    services: tuple[tuple[str, str], ...]

    def payload(self) -> dict[str, Any]:
        return {"step": self.step, "services": [{"service": s, "provider": p} for s, p in self.services]}


@dataclass(frozen=True)
class Assessment:
    recommendations: tuple[Recommendation, ...]
    not_entitled: tuple[NotEntitled, ...]
    would_change: tuple[str, ...]
    ruleset_id: str
    ruleset_title: str
    valid_from: dt.date
    language: str
    review_by: dt.date | None = None
    review_due: bool = False
    deadline: Deadline | None = None
    openings: tuple[Opening, ...] = ()

    def payload(self) -> dict[str, Any]:
        """``{"recommendations": [...]}`` as contract §3, with the added keys alongside."""
        return {
            "recommendations": [r.payload() for r in self.recommendations],
            "not_entitled": [n.payload() for n in self.not_entitled],
            "would_change": list(self.would_change),
            "rules": {
                "id": self.ruleset_id,
                "valid_from": self.valid_from.isoformat(),
                "review_by": self.review_by.isoformat() if self.review_by else None,
                "review_due": self.review_due,
            },
            "deadline": self.deadline.payload() if self.deadline else None,
            "what_would_change": [o.payload() for o in self.openings],
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
    undocumented = profile.permit_type == "undocumented"
    recommendations: list[Recommendation] = []
    not_entitled: list[NotEntitled] = []
    for rule, assumed in fired:
        if rule.outcome == "not_entitled":
            not_entitled.append(
                NotEntitled(
                    rule.service, _(rule.reason), rule.source, rule.id, rule.source_title, rule.source_url
                )
            )
            continue
        provider = contacts.route(rule.provider or "", municipality, reg, undocumented=undocumented)
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
                source_title=rule.source_title,
                source_url=rule.source_url,
                contact_source_title=provider.source_title,
                contact_source_url=provider.source_url,
            )
        )

    def provider_of(rule: ruleset.Rule) -> str:
        return contacts.route(rule.provider or "", municipality, reg, undocumented=undocumented).name

    return Assessment(
        recommendations=tuple(recommendations),
        not_entitled=tuple(not_entitled),
        would_change=would_change(rules, facts, day),
        ruleset_id=rules.id,
        ruleset_title=rules.title,
        valid_from=rules.valid_from,
        language=_.language,
        review_by=rules.review_by,
        review_due=rules.review_due(day),
        deadline=_deadline(fired, facts.get("years_since_first_permit"), provider_of),
        openings=_openings(rules, facts, day, fired, provider_of),
    )


YEARS = "years_since_first_permit"


def _bounds(condition: Any, fact: str, ops: tuple[str, ...]) -> set[float]:
    """The bounds a condition compares ``fact`` with, for the comparisons in ``ops``."""
    found: set[float] = set()
    if isinstance(condition, dict):
        for name, test in condition.items():
            if name == fact and isinstance(test, dict):
                found.update(float(v) for op, v in test.items() if op in ops)
            elif name in ("any", "not"):
                for inner in test if isinstance(test, list) else [test]:
                    found |= _bounds(inner, fact, ops)
    return found


def _deadline(
    fired: list[tuple[ruleset.Rule, tuple[str, ...]]], years: float | None, provider_of: Any
) -> Deadline | None:
    """How long is left of the window the rules that fired set on the years since the first
    permit, or that it has passed; None when the years are unknown or no rule depends on them."""
    if years is None:
        return None
    open_rules = [r for r, _ in fired if r.outcome == "recommend" and _bounds(r.when, YEARS, ("lt", "lte"))]
    closed = [r for r, _ in fired if _bounds(r.when, YEARS, ("gt", "gte"))]
    if open_rules:
        rule = next((r for r in open_rules if r.statutory), open_rules[0])
        limit = max(_bounds(rule.when, YEARS, ("lt", "lte")))
        return Deadline(limit, max(0, round((limit - years) * 12)), provider_of(rule))
    if closed:
        return Deadline(min(_bounds(closed[0].when, YEARS, ("gt", "gte"))), None, "")
    return None


def _statutory(fired: list[tuple[ruleset.Rule, tuple[str, ...]]]) -> set[str]:
    return {r.service for r, _ in fired if r.outcome == "recommend" and r.statutory}


def _openings(
    rules: ruleset.RuleSet,
    facts: dict[str, Any],
    day: dt.date,
    fired: list[tuple[ruleset.Rule, tuple[str, ...]]],
    provider_of: Any,
) -> tuple[Opening, ...]:
    """The steps that would open a statutory service and close none: each found by running
    the rules on the profile with that step taken."""
    now = _statutory(fired)
    found: list[Opening] = []
    for step in STEPS:
        if facts.get(step.fact) not in step.applies_to:
            continue
        other = _decide(rules, {**facts, step.fact: step.value}, day)
        then = _statutory(other)
        if then - now and not now - then:
            found.append(
                Opening(
                    step.id,
                    tuple(
                        (r.service, provider_of(r))
                        for r, _ in other
                        if r.outcome == "recommend" and r.statutory and r.service in then - now
                    ),
                )
            )
    return tuple(found)


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
            # Only the facts the rule needed to assume (an unknown fact met in a branch that
            # does not apply is not an assumption the person should be told about).
            candidates = rule.assume & unknown
            assumed = tuple(
                sorted(
                    f
                    for f in candidates
                    if ruleset.evaluate(rule.when, facts, set(), candidates - {f}) is not True
                )
            )
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

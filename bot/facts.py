"""The facts a person gives (contract §2): one table that everything else reads.

Each ``Fact`` says what kind of value it takes, its choices with their button labels,
the question, the question re-phrased after a miss, why we ask, and whether the
answer can be given without it. The questions and buttons (``bot/dialogue/``), the
command-line flags (``bot/cli.py``), validation, the engine's profile and a test
against ``domain.yml`` all read this table, so adding a fact is one entry here plus
the rules that use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Literal

from bot.i18n import N_

Kind = Literal["choice", "municipality", "age", "years", "yes_no"]
MIN_AGE, MAX_AGE = 0, 120
MAX_YEARS_SINCE_PERMIT = 120


class FactError(ValueError):
    """A value that is not one of the accepted ones; says which are."""

    def __init__(self, fact: str, value: object, accepted: str) -> None:
        self.fact, self.value, self.accepted = fact, value, accepted
        super().__init__(f"{fact}: {value!r} is not accepted; accepted: {accepted}")


@dataclass(frozen=True)
class Choice:
    value: Any
    label: str


@dataclass(frozen=True)
class Fact:
    name: str
    kind: Kind
    question: str
    rephrased: str
    why: str
    optional: bool = False
    choices: tuple[Choice, ...] = field(default=())
    help: str = ""

    @property
    def values(self) -> tuple[Any, ...]:
        return tuple(c.value for c in self.choices)

    @property
    def flag(self) -> str:
        """The command-line flag (contract §4): ``--years-since-first-permit``."""
        return "--" + self.name.replace("_", "-")

    def check(self, value: Any) -> Any:
        """The value in its slot type, or FactError naming what is accepted.

        Municipalities are resolved by the registry (``bot.dialogue.reading``), not here.
        """
        if self.kind == "choice":
            if not isinstance(value, str) or value not in self.values:
                raise FactError(self.name, value, ", ".join(self.values))
            return value
        if self.kind == "age":
            return check_age(value)
        if self.kind == "years":
            return check_years(value)
        if self.kind == "yes_no":
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.strip().lower() in ("true", "false"):
                return value.strip().lower() == "true"
            raise FactError(self.name, value, "yes or no")
        return value


def check_age(value: Any) -> int:
    """Age in whole years, 0-120 (a float slot value such as 34.0 is accepted)."""
    accepted = f"a whole number from {MIN_AGE} to {MAX_AGE}"
    if isinstance(value, bool):
        raise FactError("age", value, accepted)
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):  # 10**400: no float holds it
        raise FactError("age", value, accepted) from None
    if not (MIN_AGE <= number <= MAX_AGE) or number != int(number):
        raise FactError("age", value, accepted)
    return int(number)


def check_years(value: Any) -> float:
    accepted = "a number of years, 0 or more"
    if isinstance(value, bool):
        raise FactError("years_since_first_permit", value, accepted)
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise FactError("years_since_first_permit", value, accepted) from None
    if not (0 <= number <= MAX_YEARS_SINCE_PERMIT):
        raise FactError("years_since_first_permit", value, accepted)
    return number


_YES_NO_REPHRASED = N_("Please answer yes or no.")

# In asking order: the four facts every answer needs, then the optional ones, asked only
# when the engine says the answer depends on them.
FACTS: dict[str, Fact] = {
    f.name: f
    for f in (
        Fact(
            "permit_type",
            "choice",
            N_("What kind of residence permit do you have?"),
            N_(
                'I did not recognise the permit type. Which of these is closest? You can also describe it in your own words, for example "I came from Ukraine".'
            ),
            N_("Your residence permit decides which integration services the law gives you."),
            choices=(
                Choice("quota_refugee", N_("Quota refugee")),
                Choice("international_protection", N_("Refugee status or subsidiary protection")),
                Choice("temporary_protection", N_("Temporary protection (for example from Ukraine)")),
                Choice("family", N_("Family ties")),
                Choice("work", N_("Work")),
                Choice("study", N_("Studies")),
                Choice("eu_registration", N_("EU, EEA or Nordic citizen (registered)")),
                Choice("trafficking_victim", N_("Victim of human trafficking")),
                Choice("asylum_seeker", N_("Asylum seeker, waiting for a decision")),
                Choice("undocumented", N_("No valid residence permit")),
                Choice("other", N_("Other")),
            ),
        ),
        Fact(
            "municipality",
            "municipality",
            N_("In which municipality do you live? Tap a city or write the name."),
            N_(
                "I could not find that municipality. Please write the name of the town or municipality where you live, for example Espoo."
            ),
            N_(
                "Services are organised by your municipality and your wellbeing services county, so I need it to give you the right contacts."
            ),
        ),
        Fact(
            "age",
            "age",
            N_("How old are you? Write your age in numbers, for example 34."),
            N_("Please write your age as one whole number between 0 and 120, for example 34."),
            N_(
                "Some services depend on age, for example support for young people who came without a guardian."
            ),
        ),
        Fact(
            "employment_status",
            "choice",
            N_("What is your situation at the moment?"),
            N_("I did not understand your situation. Please choose the closest one."),
            N_(
                "Jobseekers get integration services from employment services; people outside the labour force from the municipality."
            ),
            choices=(
                Choice("employed", N_("Working")),
                Choice("jobseeker", N_("Registered jobseeker")),
                Choice("not_working", N_("Not working, not registered as a jobseeker")),
                Choice("home_parent", N_("At home with my children")),
                Choice("student", N_("Studying")),
                Choice("retired", N_("Retired")),
            ),
        ),
        Fact(
            "years_since_first_permit",
            "years",
            N_("How many years ago did you get your first Finnish residence permit or EU registration?"),
            N_("Please choose how long ago you got your first Finnish residence permit."),
            N_("Integration services are meant for the first three years after your first residence permit."),
            optional=True,
            choices=(
                Choice(0.5, N_("Less than a year ago")),
                Choice(1.5, N_("1–2 years ago")),
                Choice(2.5, N_("2–3 years ago")),
                Choice(4.0, N_("More than 3 years ago")),
            ),
        ),
        Fact(
            "unaccompanied_minor",
            "yes_no",
            N_("Did you come to Finland as a minor without a parent or guardian?"),
            _YES_NO_REPHRASED,
            N_(
                "Young people who came to Finland without a guardian get extra support until the age of 23."
            ),
            optional=True,
        ),
        Fact(
            "home_care_allowance",
            "yes_no",
            N_("Do you receive Kela's child home care allowance?"),
            _YES_NO_REPHRASED,
            N_("Parents who receive child home care allowance have a right to integration services."),
            optional=True,
        ),
        Fact(
            "social_assistance_over_2_months",
            "yes_no",
            N_("Have you received Kela's basic social assistance for more than two months in a row?"),
            _YES_NO_REPHRASED,
            N_(
                "People who have received basic social assistance for more than two months have a right to integration services."
            ),
            optional=True,
        ),
        Fact(
            "family_of_protection_beneficiary",
            "yes_no",
            N_(
                "Is the family member you joined in Finland a refugee, a quota refugee or a person with subsidiary protection?"
            ),
            _YES_NO_REPHRASED,
            N_(
                "Family members of people who got international protection have the same right to integration services."
            ),
            optional=True,
        ),
        Fact(
            "has_municipality_of_residence",
            "yes_no",
            N_("Do you have a municipality of residence (kotikunta) in Finland?"),
            _YES_NO_REPHRASED,
            N_(
                "With a municipality of residence, your wellbeing services county's social services are for you; without one, the reception centre helps you."
            ),
            optional=True,
        ),
    )
}

REQUIRED: tuple[str, ...] = tuple(n for n, f in FACTS.items() if not f.optional)
OPTIONAL_ORDER: tuple[str, ...] = tuple(n for n, f in FACTS.items() if f.optional)
OPTIONAL_FACTS: frozenset[str] = frozenset(OPTIONAL_ORDER)
YES_NO_FACTS: tuple[str, ...] = tuple(n for n, f in FACTS.items() if f.kind == "yes_no")
PERMIT_TYPES: tuple[str, ...] = FACTS["permit_type"].values
EMPLOYMENT_STATUSES: tuple[str, ...] = FACTS["employment_status"].values

SERVICES: tuple[str, ...] = (
    "municipal_integration_services",
    "employment_services",
    "integration_social_services",
    "trafficking_assistance",
    "reception_services",
    "general_guidance",
    "emergency",
)


def check_choice(fact: str, value: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise FactError(fact, value, ", ".join(choices))
    return value


@dataclass(frozen=True)
class Profile:
    """What a person told us: the facts every answer needs, and the optional ones.

    ``municipality`` is the official Finnish name (registry ``name_fi``). The fields are
    the names of ``FACTS``; ``tests/test_facts.py`` keeps the two the same.
    """

    permit_type: str
    municipality: str
    age: int
    employment_status: str
    years_since_first_permit: float | None = None
    unaccompanied_minor: bool | None = None
    home_care_allowance: bool | None = None
    social_assistance_over_2_months: bool | None = None
    family_of_protection_beneficiary: bool | None = None
    has_municipality_of_residence: bool | None = None

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            fact = FACTS[f.name]
            if value is None and fact.optional:
                continue
            if fact.kind != "municipality":
                object.__setattr__(self, f.name, fact.check(value))

    @classmethod
    def from_facts(cls, values: dict[str, Any]) -> Profile:
        return cls(**{name: values.get(name) for name in FACTS})

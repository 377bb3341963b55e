"""The facts a person gives and their accepted values (contract §2), and their checks.

One place for the vocabulary that the engine, the rule files, the command line and the
Rasa actions share, so a value accepted in one is accepted in all.
"""

from __future__ import annotations

from dataclasses import dataclass

PERMIT_TYPES: tuple[str, ...] = (
    "quota_refugee",
    "international_protection",
    "temporary_protection",
    "family",
    "work",
    "study",
    "eu_registration",
    "trafficking_victim",
    "asylum_seeker",
    "undocumented",
    "other",
)
EMPLOYMENT_STATUSES: tuple[str, ...] = (
    "employed",
    "jobseeker",
    "not_working",
    "home_parent",
    "student",
    "retired",
)
# Asked only when the engine says the answer depends on them, in this order.
OPTIONAL_FACTS: frozenset[str] = frozenset(
    {
        "years_since_first_permit",
        "home_care_allowance",
        "social_assistance_over_2_months",
        "unaccompanied_minor",
    }
)
OPTIONAL_ORDER: tuple[str, ...] = (
    "years_since_first_permit",
    "unaccompanied_minor",
    "home_care_allowance",
    "social_assistance_over_2_months",
)
SERVICES: tuple[str, ...] = (
    "municipal_integration_services",
    "employment_services",
    "integration_social_services",
    "trafficking_assistance",
    "reception_services",
    "general_guidance",
    "emergency",
)
MIN_AGE, MAX_AGE = 0, 120
MAX_YEARS_SINCE_PERMIT = 120


class FactError(ValueError):
    """A value that is not one of the accepted ones; says which are."""

    def __init__(self, fact: str, value: object, accepted: str) -> None:
        self.fact, self.value, self.accepted = fact, value, accepted
        super().__init__(f"{fact}: {value!r} is not accepted; accepted: {accepted}")


def check_choice(fact: str, value: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise FactError(fact, value, ", ".join(choices))
    return value


def check_age(value: float | int | str) -> int:
    """Age in whole years, 0-120 (a float slot value such as 34.0 is accepted)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise FactError("age", value, f"a whole number from {MIN_AGE} to {MAX_AGE}") from None
    if not (MIN_AGE <= number <= MAX_AGE) or number != int(number):
        raise FactError("age", value, f"a whole number from {MIN_AGE} to {MAX_AGE}")
    return int(number)


def check_years(value: float | int | str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise FactError("years_since_first_permit", value, "a number of years, 0 or more") from None
    if not (0 <= number <= MAX_YEARS_SINCE_PERMIT):
        raise FactError("years_since_first_permit", value, "a number of years, 0 or more")
    return number


@dataclass(frozen=True)
class Profile:
    """What a person told us: the four facts every answer needs, and the optional ones.

    ``municipality`` is the official Finnish name (registry ``name_fi``).
    """

    permit_type: str
    municipality: str
    age: int
    employment_status: str
    years_since_first_permit: float | None = None
    home_care_allowance: bool | None = None
    social_assistance_over_2_months: bool | None = None
    unaccompanied_minor: bool | None = None

    def __post_init__(self) -> None:
        check_choice("permit_type", self.permit_type, PERMIT_TYPES)
        check_choice("employment_status", self.employment_status, EMPLOYMENT_STATUSES)
        object.__setattr__(self, "age", check_age(self.age))
        if self.years_since_first_permit is not None:
            object.__setattr__(self, "years_since_first_permit", check_years(self.years_since_first_permit))
        for flag in ("home_care_allowance", "social_assistance_over_2_months", "unaccompanied_minor"):
            value = getattr(self, flag)
            if value is not None and not isinstance(value, bool):
                raise FactError(flag, value, "yes or no")

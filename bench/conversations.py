"""What each assistant is asked during the load: realistic conversations, checked at the end.

Kotobotti: whole paths to the recommendations (contract §3) in several languages, with
the SQL tracker store on: some typed entirely, some by tapping the buttons offered (as
the web widget and Telegram send them). Stock Rasa: ``rasa init``'s own assistant on the
paths its stories teach (greet, mood, "did that help?", bot challenge, goodbye).
"""

from __future__ import annotations

from bench.load import Say, Script, Tap


def has_recommendations(replies: list[dict]) -> bool:
    """Kotobotti reached its answer: a contract §3 payload with recommendations."""
    return any((r.get("custom") or {}).get("recommendations") for r in replies)


def answered_every_message(count: int):  # noqa: ANN201 - a predicate
    def check(replies: list[dict]) -> bool:
        return len(replies) >= count

    return check


def _typed(name: str, language: str, *texts: str) -> Script:
    return Script(name, language, tuple(Say(t) for t in texts), has_recommendations)


def _inform(slot: str, value: str) -> Tap:
    return Tap(f'"{slot}": {value}')


KOTOBOTTI: tuple[Script, ...] = (
    _typed(
        "fi typed",
        "fi",
        "hyvää päivää",
        "kyllä",
        "olen kiintiöpakolainen",
        "asun Jyväskylässä",
        "40",
        "en ole töissä enkä työnhakija",
        "puoli vuotta sitten",
        "kiitos",
    ),
    Script(
        "uk buttons",
        "uk",
        (
            Say("привіт"),
            Tap("/affirm"),
            _inform("permit_type", '"temporary_protection"'),
            _inform("municipality", '"Helsinki"'),
            Say("29"),
            _inform("employment_status", '"not_working"'),
            _inform("years_since_first_permit", "0.5"),
            _inform("has_municipality_of_residence", "true"),
            Tap('"rating": "helpful"'),
        ),
        has_recommendations,
    ),
    _typed(
        "en typed",
        "en",
        "hello",
        "yes",
        "I'm 34, I have temporary protection and live in Espoo. I'm not working.",
        "a year and a half ago",
        "yes, I have a home municipality",
        "thank you",
    ),
    Script(
        "ar buttons",
        "ar",
        (
            Say("مرحبا"),
            Tap("/affirm"),
            _inform("permit_type", '"international_protection"'),
            Say("أعيش في إسبو"),
            Say("٣٥"),
            _inform("employment_status", '"jobseeker"'),
            _inform("years_since_first_permit", "1.5"),
            Tap('"rating": "helpful"'),
        ),
        has_recommendations,
    ),
)

STOCK: tuple[Script, ...] = (
    Script(
        "rasa init sad path",
        "en",
        (Say("hello"), Say("I am sad"), Say("yes"), Say("are you a bot?"), Say("goodbye")),
        answered_every_message(5),
    ),
    Script(
        "rasa init happy path",
        "en",
        (Say("hi there"), Say("I am great"), Say("am I talking to a human?"), Say("bye")),
        answered_every_message(4),
    ),
)

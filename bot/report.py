"""``kotobotti report``: what staff may know about use, as counts, with no ids (contract §6).

Read from the tracker store's events (which hold no typed text: rasa_components/
tracker_store.py) and from our own tables (``bot.tables``): conversations per language,
recommendations given, the share of messages not understood, the one-tap ratings, the
deletions on request, and the messages not understood that people allowed us to keep
(already scrubbed of numbers, addresses and names: ``bot.scrub``), grouped with their
count. Nothing printed names a conversation, a pseudonym or a time of day.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa

from bot import storage, tables

FALLBACK_INTENT = "nlu_fallback"
RECOMMEND_ACTION = "action_recommend"


@dataclass
class Report:
    conversations: Counter = field(default_factory=Counter)  # language -> conversations
    recommendations: int = 0
    messages: int = 0
    fallbacks: int = 0
    ratings: Counter = field(default_factory=Counter)  # (language, rating) -> count
    deletions: Counter = field(default_factory=Counter)  # channel -> count
    # (scrubbed text, language, how many times), most frequent first
    unanswered: list[tuple[str, str, int]] = field(default_factory=list)

    @property
    def fallback_rate(self) -> float:
        return self.fallbacks / self.messages if self.messages else 0.0

    def lines(self) -> list[str]:
        """The report as text for a person to read."""
        out = ["Conversations per language:"]
        out += [f"  {language}: {n}" for language, n in sorted(self.conversations.items())] or ["  none"]
        out.append(f"Recommendations given: {self.recommendations}")
        out.append(f"Messages not understood: {self.fallbacks} of {self.messages} ({self.fallback_rate:.1%})")
        out.append("Ratings (helpful / not helpful):")
        languages = sorted({language for language, _ in self.ratings})
        out += [
            f"  {language}: {self.ratings[(language, 'helpful')]} / {self.ratings[(language, 'not_helpful')]}"
            for language in languages
        ] or ["  none"]
        out.append("Deletions on request:")
        out += [f"  {channel}: {n}" for channel, n in sorted(self.deletions.items())] or ["  none"]
        out.append("Unanswered questions (kept with consent, scrubbed; count, language, text):")
        out += [f"  {n:>4}  {language:<3} {text}" for text, language, n in self.unanswered] or ["  none"]
        return out


def build(engine: sa.engine.Engine) -> Report:
    """Count everything in the database; our tables are migrated first (a new database is empty)."""
    tables.migrate(engine)
    report = Report()
    inspector = sa.inspect(engine)
    with engine.connect() as connection:
        if inspector.has_table(storage.EVENTS_TABLE):
            events = sa.table(
                storage.EVENTS_TABLE,
                sa.column("id"),
                sa.column("sender_id"),
                sa.column("type_name"),
                sa.column("intent_name"),
                sa.column("action_name"),
                sa.column("data"),
            )
            language_of: dict[str, str] = {}  # in memory only, never printed
            slots = sa.select(events.c.sender_id, events.c.data).where(events.c.type_name == "slot")
            for sender, data in connection.execute(slots.order_by(events.c.id)):
                event = json.loads(data)
                if event.get("name") == "language" and isinstance(event.get("value"), str):
                    language_of[sender] = event["value"]
            report.conversations = Counter(language_of.values())
            count = sa.func.count()
            report.recommendations = connection.execute(
                sa.select(count).where(events.c.action_name == RECOMMEND_ACTION)
            ).scalar_one()
            report.messages = connection.execute(
                sa.select(count).where(events.c.type_name == "user")
            ).scalar_one()
            report.fallbacks = connection.execute(
                sa.select(count).where(events.c.type_name == "user", events.c.intent_name == FALLBACK_INTENT)
            ).scalar_one()
        rated = sa.select(tables.ratings.c.language, tables.ratings.c.rating, sa.func.count()).group_by(
            tables.ratings.c.language, tables.ratings.c.rating
        )
        report.ratings = Counter({(language, rating): n for language, rating, n in connection.execute(rated)})
        deleted = sa.select(tables.deletions.c.channel, sa.func.sum(tables.deletions.c.count)).group_by(
            tables.deletions.c.channel
        )
        report.deletions = Counter({channel: int(n) for channel, n in connection.execute(deleted)})
        kept = tables.unanswered.c
        count = sa.func.count().label("n")
        asked = (
            sa.select(kept.text, kept.language, count)
            .group_by(kept.text, kept.language)
            .order_by(count.desc(), kept.language, kept.text)
        )
        report.unanswered = [(text, language, int(n)) for text, language, n in connection.execute(asked)]
    return report


def build_configured() -> Report:
    """The report of the configured database (``KOTOBOTTI_DB_URL``)."""
    engine = storage.create_engine(storage.db_url())
    try:
        return build(engine)
    finally:
        engine.dispose()

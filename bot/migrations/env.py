"""Alembic's environment: migrates the connection ``bot.tables.migrate`` hands over.

Kotobotti's tables share the database with Rasa's tracker store, so Alembic keeps its
own version table (``kotobotti_alembic_version``) and never looks at Rasa's ``events``.
"""

from __future__ import annotations

from alembic import context

from bot import tables

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=tables.metadata,
    version_table=tables.VERSION_TABLE,
)
with context.begin_transaction():
    context.run_migrations()

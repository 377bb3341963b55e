"""Alembic migrations of Kotobotti's own tables (``bot/tables.py``), run by ``bot.tables.migrate``."""

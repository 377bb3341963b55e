"""The opt-in log of messages not understood: scrubbed text, language and day, no ids.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kotobotti_unanswered",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
    )
    # The purge deletes by day.
    op.create_index("ix_kotobotti_unanswered_day", "kotobotti_unanswered", ["day"])


def downgrade() -> None:
    op.drop_index("ix_kotobotti_unanswered_day", "kotobotti_unanswered")
    op.drop_table("kotobotti_unanswered")

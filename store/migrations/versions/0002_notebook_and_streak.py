"""The wrong-answer notebook and the streak get columns and an index of their own.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-08

- cards.last_correct: was the card's newest answer right? Backfilled from each card's newest review, so the
  notebook (cards whose last answer was wrong) is a column test instead of a "newest review per card" join.
- learners.last_seen_at: set when a learner code is found (NULL for learners from before this revision).
- ix_reviews_learner_at: the streak and "reviewed today" read one learner's reviews by time.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cards") as batch:
        batch.add_column(sa.Column("last_correct", sa.Boolean(), nullable=True))
    with op.batch_alter_table("learners") as batch:
        batch.add_column(sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_reviews_learner_at", "reviews", ["learner_id", "reviewed_at"])
    op.execute(
        "UPDATE cards SET last_correct = (SELECT r.correct FROM reviews r WHERE r.card_id = cards.id "
        "ORDER BY r.reviewed_at DESC, r.id DESC LIMIT 1)"
    )


def downgrade() -> None:
    op.drop_index("ix_reviews_learner_at", table_name="reviews")
    with op.batch_alter_table("learners") as batch:
        batch.drop_column("last_seen_at")
    with op.batch_alter_table("cards") as batch:
        batch.drop_column("last_correct")

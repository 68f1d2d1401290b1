"""Learners, FSRS cards and their review log.

Revision ID: 0001
Revises:
Create Date: 2026-12-08

Written out by hand (not from store.models) so it stays what it was when later revisions change the models.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "learners",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_learners"),
        sa.UniqueConstraint("code_hash", name="uq_learners_code_hash"),
    )
    op.create_table(
        "cards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("ref", sa.String(200), nullable=False),
        sa.Column("topic", sa.String(64), nullable=False),
        sa.Column("state", sa.SmallInteger(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=True),
        sa.Column("stability", sa.Float(), nullable=True),
        sa.Column("difficulty", sa.Float(), nullable=True),
        sa.Column("due", UTC, nullable=False),
        sa.Column("last_review", UTC, nullable=True),
        sa.Column("reps", sa.Integer(), nullable=False),
        sa.Column("lapses", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_cards"),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["learners.id"], name="fk_cards_learner_id_learners", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("learner_id", "kind", "ref", name="uq_cards_learner_id_kind_ref"),
    )
    op.create_index("ix_cards_learner_due", "cards", ["learner_id", "due"])
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.SmallInteger(), nullable=False),
        sa.Column("correct", sa.Boolean(), nullable=False),
        sa.Column("reviewed_at", UTC, nullable=False),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_reviews"),
        sa.ForeignKeyConstraint(["card_id"], ["cards.id"], name="fk_reviews_card_id_cards", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["learners.id"], name="fk_reviews_learner_id_learners", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_reviews_card_at", "reviews", ["card_id", "reviewed_at"])


def downgrade() -> None:
    op.drop_table("reviews")
    op.drop_table("cards")
    op.drop_table("learners")

"""The pre-cutover confirmations (rollout plan Phase 4: on-call briefed, rollback procedure tested).

`cutover_confirmations` keeps who confirmed which item and when, append-only; advancing to full
cutover reads the ones of the previous 7 days.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cutover_confirmations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("item", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cutover_confirmations")),
    )
    op.create_index("ix_cutover_confirmations_item_at", "cutover_confirmations", ["item", "at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_cutover_confirmations_item_at", table_name="cutover_confirmations")
    op.drop_table("cutover_confirmations")

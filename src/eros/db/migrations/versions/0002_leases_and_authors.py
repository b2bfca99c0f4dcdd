"""Runs carry a lease; schedules and their revisions record who saved them.

`pipeline_runs.lease_expires_at`: an unfinished run past its lease belongs to a process that
died, so it no longer counts as in flight (runs started before this migration have no lease
and never do). `saved_by` / `saved_by_kind` ('generator' or 'person') on schedules and
revisions: generation refuses to replace a person's revision (when a revision was saved needs
no column: when the one before it was replaced, or when the schedule was created).
Schedules a named generator saved are backfilled as the generator's; a schedule saved without
one before this migration (a v4 run or a person, indistinguishable) stays unknown.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


#: (table, column, type) in the order they are added; dropped in reverse. Plain ALTER TABLE, never a
#: batch rebuild: rebuilding `schedules` under foreign_keys=ON would cascade-delete its revisions.
COLUMNS = (
    ("pipeline_runs", "lease_expires_at", sa.String(length=32)),
    ("schedules", "saved_by", sa.String(length=100)),
    ("schedules", "saved_by_kind", sa.String(length=10)),
    ("schedule_revisions", "saved_by", sa.String(length=100)),
    ("schedule_revisions", "saved_by_kind", sa.String(length=10)),
)


def upgrade() -> None:
    for table, column, kind in COLUMNS:
        op.add_column(table, sa.Column(column, kind, nullable=True))
    op.execute(
        "UPDATE schedules SET saved_by = generator, saved_by_kind = 'generator' WHERE generator IS NOT NULL"
    )


def downgrade() -> None:
    for table, column, _ in reversed(COLUMNS):
        op.drop_column(table, column)

"""A person's edit is never silently overwritten (DOMAIN §11): generation looks before it runs.

Every save a generator makes is refused with SCHEDULE_EDITED when a person saved the week's
current revision (the schedule repository enforces it inside the save). Checking the week
before a run as well means a refused week costs no generation and is never recorded as a
failed run, so edited weeks cannot drag v5's success rate towards an automatic rollback.
"""

from __future__ import annotations

from eros.ports import UnitOfWorkFactory


def refuse_if_edited(uow: UnitOfWorkFactory, creator: str, week_start: str) -> None:
    """SCHEDULE_EDITED when a person saved the latest revision of this creator-week; else nothing."""
    with uow() as work:
        work.schedules.refuse_generation_over_edit(creator, week_start)

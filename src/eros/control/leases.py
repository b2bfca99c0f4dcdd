"""Run leases and how long a rollback drain may wait (pure timing over instants it is handed).

A run's lease starts with the run and lasts `SLOConfig.run_lease`; an unfinished run whose
lease has run out belongs to a process that died and is *abandoned*, never *in flight*. The
drain waits for in-flight runs only while one of their leases lasts, and never longer than
the drain timeout, so a rollback after a crash does not wait on runs that cannot finish. A
rollback itself killed mid-drain leaves the state `draining`; past twice the drain timeout no
live rollback can still be draining, so the next one may take it over and finish it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from eros.control.slo import DEFAULT_SLO, SLOConfig


def lease_expiry(started: datetime, slo: SLOConfig = DEFAULT_SLO) -> datetime:
    """When the lease of a run started at `started` runs out."""
    return started + slo.run_lease


def is_leased(expires: datetime, now: datetime) -> bool:
    """A lease holds strictly before its expiry; at the expiry instant the run is abandoned."""
    return now < expires


def drain_budget(now: datetime, leases: Iterable[datetime], slo: SLOConfig = DEFAULT_SLO) -> timedelta:
    """How long the drain may wait: until the last in-flight lease runs out, at most the drain timeout."""
    latest = max(leases, default=now)
    return max(timedelta(0), min(slo.drain_timeout, latest - now))


def drain_died(paused_at: datetime, now: datetime, slo: SLOConfig = DEFAULT_SLO) -> bool:
    """Whether a rollback that paused v5 at `paused_at` and is still `draining` has died."""
    return now >= paused_at + 2 * slo.drain_timeout

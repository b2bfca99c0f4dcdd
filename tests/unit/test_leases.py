"""Run leases and the drain's bound: pure timing, pinned at their boundaries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from eros.control.leases import drain_budget, drain_died, is_leased, lease_expiry
from eros.control.slo import DEFAULT_SLO

T0 = datetime(2026, 1, 4, 12, tzinfo=UTC)
SECOND = timedelta(seconds=1)


def test_a_lease_holds_until_its_expiry_instant_and_not_at_it() -> None:
    expires = lease_expiry(T0)
    assert expires == T0 + DEFAULT_SLO.run_lease
    assert is_leased(expires, expires - SECOND)
    assert not is_leased(expires, expires)


def test_the_drain_waits_until_the_last_lease_runs_out() -> None:
    leases = [T0 + 5 * SECOND, T0 + 30 * SECOND]
    assert drain_budget(T0, leases) == 30 * SECOND
    assert drain_budget(T0, []) == timedelta(0)
    assert drain_budget(T0, [T0 - SECOND]) == timedelta(0)


def test_the_drain_never_waits_longer_than_its_timeout() -> None:
    timeout = DEFAULT_SLO.drain_timeout
    assert drain_budget(T0, [T0 + timeout]) == timeout
    assert drain_budget(T0, [T0 + timeout + SECOND]) == timeout


def test_a_drain_has_died_once_twice_its_timeout_has_passed() -> None:
    limit = 2 * DEFAULT_SLO.drain_timeout
    assert not drain_died(T0, T0 + limit - SECOND)
    assert drain_died(T0, T0 + limit)

"""The runbook's `eros.comparator`: shadow comparisons of v4 and v5 and their daily report."""

from __future__ import annotations

from datetime import date

from eros import bootstrap
from eros.control.shadow_diff import Comparison, ShadowReport, compare_results
from eros.services import shadow
from eros.services.shadow import ShadowComparator

__all__ = ["Comparison", "ShadowComparator", "ShadowReport", "compare_results", "shadow_report"]


def shadow_report(day: date | str | None = None) -> ShadowReport:
    """The daily comparison report of the configured database (default: today by its clock)."""
    container = bootstrap.bootstrap()
    return shadow.shadow_report(container.uow, container.clock, day)

"""The runbook's `eros.comparator`: shadow comparisons of v4 and v5 and their daily report."""

from __future__ import annotations

from eros.services.shadow import Comparison, ShadowComparator, ShadowReport, compare_results, shadow_report

__all__ = ["Comparison", "ShadowComparator", "ShadowReport", "compare_results", "shadow_report"]

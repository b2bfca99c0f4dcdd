"""How the rulebook rounds (DOMAIN §2 decision: half up, never half to even)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def round_half_up(value: float, places: int = 0) -> float:
    """Round as a scheduler expects: 2.5 → 3, 6.5 → 7 (Python's round() gives 2 and 6)."""
    quantum = Decimal(1).scaleb(-places)
    return float(Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP))


def round_int(value: float) -> int:
    return int(round_half_up(value))


def clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))

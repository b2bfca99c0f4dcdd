"""The v5 generator: a pure, deterministic week planner (no I/O, no clock, no environment).

`plan_week(context)` turns an immutable CreatorContext into dated, timed, priced sends that pass
every hard gate of DOMAIN §3–§6 by construction, maximising the revenue the creator's own history
predicts (revenue_model), with OR-Tools CP-SAT (optimizer) and a greedy fallback (greedy).
"""

from eros.scheduling.generator import PlannedWeek, plan_week

__all__ = ["PlannedWeek", "plan_week"]

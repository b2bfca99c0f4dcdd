"""The route decision for one creator under one flag state (seed 000, D7).

Order: rollback state → kill switch → v5 enabled → shadow mode → allowlist → percentage
bucket → default (v4). Bucketing (D7, the Unleash scheme): the creator's bucket is
`mmh3_x86_32("<group>:<creator_id>", seed 0, unsigned) % 100 + 1`; the creator is on v5 when
`0 < bucket <= percentage`. One group id for every phase keeps the cohorts nested.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import mmh3

from eros.control.flags import ACTIVE_STATE, CREATORS, ENABLED, FlagValues

#: The rollout group id every phase shares (D7); changing it reshuffles every cohort.
ROLLOUT_GROUP = "eros-v5-rollout"
BUCKETS = 100


class Pipeline(StrEnum):
    V4 = "v4"
    V5 = "v5"
    SHADOW = "shadow"


class RouteReason(StrEnum):
    V5_DISABLED = "v5_disabled"
    ROLLED_BACK = "rolled_back"
    SHADOW_MODE = "shadow_mode"
    ALLOWLISTED = "allowlisted"
    PERCENTAGE = "percentage"  # written percentage_N with N the current percentage
    DEFAULT = "default"


@dataclass(frozen=True, slots=True)
class RoutingDecision:
    pipeline: Pipeline
    reason: str
    bucket: int
    detail: str = ""


def bucket(creator_id: str, group: str = ROLLOUT_GROUP) -> int:
    """The creator's sticky bucket 1..100 (D7): a contract pinned by golden vectors in the tests."""
    return int(mmh3.hash(f"{group}:{creator_id}", 0, signed=False)) % BUCKETS + 1


def decide_route(creator_id: str, flags: FlagValues, group: str = ROLLOUT_GROUP) -> RoutingDecision:
    """Which pipeline serves this creator's next run, and why."""
    slot = bucket(creator_id, group)
    if flags.error is not None:
        return RoutingDecision(Pipeline.V4, RouteReason.V5_DISABLED, slot, flags.error)
    if flags.rollback_state != ACTIVE_STATE:
        return RoutingDecision(
            Pipeline.V4, RouteReason.ROLLED_BACK, slot, f"rollback state {flags.rollback_state}"
        )
    if flags.kill_switch:
        return RoutingDecision(Pipeline.V4, RouteReason.V5_DISABLED, slot, f"{ENABLED}=false in environment")
    if not flags.v5_enabled:
        return RoutingDecision(Pipeline.V4, RouteReason.V5_DISABLED, slot, f"{ENABLED} is false")
    if flags.shadow_mode:
        return RoutingDecision(Pipeline.SHADOW, RouteReason.SHADOW_MODE, slot, "v4 serves, v5 runs dry")
    if creator_id.casefold() in {c.casefold() for c in flags.v5_creators}:
        return RoutingDecision(Pipeline.V5, RouteReason.ALLOWLISTED, slot, f"listed in {CREATORS}")
    if flags.v5_percentage > 0 and slot <= flags.v5_percentage:
        return RoutingDecision(
            Pipeline.V5,
            f"{RouteReason.PERCENTAGE}_{flags.v5_percentage}",
            slot,
            f"bucket {slot} <= {flags.v5_percentage}",
        )
    return RoutingDecision(
        Pipeline.V4, RouteReason.DEFAULT, slot, f"bucket {slot} > {flags.v5_percentage}, not allowlisted"
    )

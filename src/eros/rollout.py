"""The runbook's `eros.rollout`: the phased rollout of the plan (`RolloutManager()`, `Phase`)."""

from __future__ import annotations

from eros import bootstrap
from eros.control.phases import PHASES, Phase
from eros.services import rollout

__all__ = ["PHASES", "Phase", "RolloutManager"]


def RolloutManager() -> rollout.RolloutManager:
    """`RolloutManager()`: the plan's state and moves on the configured database."""
    return bootstrap.rollout_manager(bootstrap.bootstrap())

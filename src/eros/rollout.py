"""The runbook's `eros.rollout`: the phased rollout of the plan (`RolloutManager()`, `Phase`)."""

from __future__ import annotations

from eros.control.phases import PHASES, Phase
from eros.services.rollout import RolloutManager

__all__ = ["PHASES", "Phase", "RolloutManager"]

"""`/api/v1/rollout`: the plan's phase, each criterion's measured value against its threshold,
the transitions, the Final Validation table; advance, hold and abort with a reason (operators)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from eros.bootstrap import rollout_manager
from eros.control.phases import PHASES
from eros.web.deps import AsOperator, AsViewer, Installation

router = APIRouter(tags=["rollout"])


class Move(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


class Abort(Move):
    to_phase: int = Field(default=0, ge=0, le=len(PHASES) - 1)


@router.get("/rollout")
def rollout_status(installation: Installation, _: AsViewer) -> dict[str, Any]:
    manager = rollout_manager(installation)
    return {
        **manager.status().as_dict(),
        "phases": [{"number": p.number, "name": p.name, "flags": p.flags} for p in PHASES],
    }


@router.get("/rollout/report")
def rollout_report(installation: Installation, _: AsViewer) -> dict[str, Any]:
    """The Final Validation table: v4 baseline against v5 actual, from every recorded run."""
    return {"final_validation": rollout_manager(installation).final_validation()}


@router.post("/rollout/advance")
def advance(move: Move, installation: Installation, who: AsOperator) -> dict[str, Any]:
    """To the next phase if the current criteria pass (else ROLLOUT_CRITERIA_UNMET with reasons)."""
    return asdict(rollout_manager(installation).advance(actor=who.name, reason=move.reason))


@router.post("/rollout/hold")
def hold(move: Move, installation: Installation, who: AsOperator) -> dict[str, Any]:
    return asdict(rollout_manager(installation).hold(move.reason, actor=who.name))


@router.post("/rollout/abort")
def abort(move: Abort, installation: Installation, who: AsOperator) -> dict[str, Any]:
    return asdict(rollout_manager(installation).abort(move.reason, actor=who.name, to_phase=move.to_phase))

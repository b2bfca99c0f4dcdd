"""`/api/v1/learnings`: LEARNINGS.md's status, the learnings pending signals propose, accepting them
(written and committed, minus those rejected: the seed's `require_confirmation`) and deprecating."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from eros.bootstrap import learning_loop
from eros.services.reflect import outcome_document
from eros.web.deps import AsOperator, AsViewer, Installation

router = APIRouter(tags=["learnings"])


class Accept(BaseModel):
    reject: list[str] = Field(default_factory=list, max_length=200, description="Proposal ids to drop")


class Deprecation(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


@router.get("/learnings")
def learnings_status(installation: Installation, _: AsViewer) -> dict[str, Any]:
    """Statistics by confidence and source, pending signals, whether auto-reflection is on."""
    return learning_loop(installation).status().as_dict()


@router.get("/learnings/proposals")
def proposals(installation: Installation, _: AsViewer) -> dict[str, Any]:
    """What the pending signals propose (captures new signals; writes no learning)."""
    return outcome_document(learning_loop(installation).run_reflect(write=False))


@router.post("/learnings/proposals/accept")
def accept(request: Accept, installation: Installation, who: AsOperator) -> dict[str, Any]:
    """Write the proposals (less `reject`) to LEARNINGS.md, mark the signals processed, commit
    (the commit names the operator: `Accepted-by:`)."""
    loop = learning_loop(installation)
    return outcome_document(loop.run_reflect(write=True, reject=request.reject, actor=who.name))


@router.post("/learnings/{ident}/deprecate")
def deprecate(
    ident: str, request: Deprecation, installation: Installation, who: AsOperator
) -> dict[str, Any]:
    """Move a learning to Deprecated and commit (the commit names the operator: `Deprecated-by:`)."""
    entry, commit = learning_loop(installation).deprecate(ident, request.reason, actor=who.name)
    return {"id": entry.learning.id, "title": entry.learning.title, "commit": commit}

"""`/api/v1/flags`: each flag's effective value and where it comes from; set or unset with a reason
(operators; the flag audit trail records who)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from eros.bootstrap import feature_flags
from eros.control.flags import AUTO_FALLBACK, CREATORS, ENABLED, PERCENTAGE, SHADOW_MODE, FeatureFlags
from eros.services.routing import set_flag, unset_flag
from eros.web.deps import AsOperator, AsViewer, Installation

router = APIRouter(tags=["flags"])


def flags_document(flags: FeatureFlags) -> dict[str, Any]:
    values = flags.values
    effective: dict[str, Any] = {
        ENABLED: values.v5_enabled,
        SHADOW_MODE: values.shadow_mode,
        PERCENTAGE: values.v5_percentage,
        CREATORS: list(values.v5_creators),
        AUTO_FALLBACK: values.auto_fallback,
    }
    return {
        "flags": {
            key: {"value": value, "source": values.sources.get(key)} for key, value in effective.items()
        },
        "v5_enabled_effective": flags.v5_enabled,
        "kill_switch": values.kill_switch,
        "rollback_state": values.rollback_state,
        "error": values.error,
    }


@router.get("/flags")
def read_flags(installation: Installation, _: AsViewer) -> dict[str, Any]:
    """Effective values with sources, the overrides (who set them, when) and the last audit rows."""
    with installation.uow() as uow:
        overrides = [dict(row) for row in uow.ops.flag_override_rows()]
        audit = [dict(row) for row in uow.ops.flag_audit_rows(limit=20)]
    return {**flags_document(feature_flags(installation)), "overrides": overrides, "audit": audit}


class FlagChange(BaseModel):
    value: str = Field(max_length=500, description="true/false, 0-100, or a comma-separated creator list")
    reason: str = Field(min_length=1, max_length=500)


class FlagRemoval(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


@router.put("/flags/{key}")
def put_flag(
    key: str,
    change: FlagChange,
    installation: Installation,
    who: AsOperator,
) -> dict[str, Any]:
    """Persist an override every process sees at its next routing decision."""
    done = set_flag(
        installation.uow, installation.clock.now(), key, change.value, actor=who.name, reason=change.reason
    )
    return {"key": done.key, "old": done.old, "new": done.new, "by": who.name}


@router.post("/flags/{key}/unset")
def remove_flag(
    key: str,
    removal: FlagRemoval,
    installation: Installation,
    who: AsOperator,
) -> dict[str, Any]:
    """Remove an override: the environment, then the seed default, applies again."""
    done = unset_flag(installation.uow, installation.clock.now(), key, actor=who.name, reason=removal.reason)
    return {"key": done.key, "old": done.old, "new": None, "by": who.name}

"""The JSON API under `/api/v1`: one router per topic, each a thin call into the services."""

from __future__ import annotations

from fastapi import APIRouter

from eros.web.api import creators, flags, learnings, ops, rollout, schedules, status, users

router = APIRouter()
for module in (status, creators, schedules, flags, ops, rollout, learnings, users):
    router.include_router(module.router)

"""The HTML pages (server-rendered with Jinja2) and the JSON they alone read; the app mounts
`router` and serves `eros/web/static` at /static."""

from __future__ import annotations

from fastapi import APIRouter

from eros.web.pages import admin, login, operator, revision, scheduler, series

router = APIRouter(include_in_schema=False)
for module in (login, scheduler, operator, series, revision, admin):
    router.include_router(module.router)

"""The admin page: users and API tokens, with forms to add, disable, enable, create and revoke.
Every action is a call to the JSON API (`eros.web.api.users`), which checks the admin role and
the CSRF token; this page only reads, and only for admins."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from eros.access import Role, allows
from eros.services import auth
from eros.services.auth import Forbidden
from eros.web.deps import container as container_of
from eros.web.pages.templating import Caller, render, to_login

router = APIRouter(include_in_schema=False)


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, principal: Caller) -> Response:
    if principal is None:
        return to_login(request)
    if not allows(principal, Role.ADMIN):
        raise Forbidden(f"managing users needs the admin role; {principal.name} is {principal.role.value}")
    container = container_of(request)
    return render(
        request,
        "admin_users.html",
        principal,
        title="Users",
        users=auth.list_users(container.uow),
        tokens=auth.list_tokens(container.uow),
        roles=[role.value for role in Role],
        min_password=auth.MIN_PASSWORD_LENGTH,
    )

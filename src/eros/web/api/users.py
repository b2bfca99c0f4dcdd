"""`/api/v1/users` and `/api/v1/tokens`: admins manage who may use the web app and `/mcp`, as
`eros users` and `eros tokens` do, over the same services (the same name and password rules),
each change audited with the acting admin. No answer carries a password or token hash; a new
token is in its creation's answer only."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field, SecretStr

from eros.access import Role
from eros.services import auth
from eros.web.deps import AsAdmin, Installation

router = APIRouter(tags=["users"])
Name = Annotated[str, Path(min_length=1, max_length=64)]


class NewUser(BaseModel):
    name: str = Field(min_length=1, max_length=64)
    role: Role
    password: SecretStr = Field(max_length=auth.MAX_PASSWORD_LENGTH, description="Never logged or returned")


class NewToken(BaseModel):
    name: str = Field(min_length=1, max_length=64)
    role: Role


@router.get("/users")
def users(installation: Installation, _: AsAdmin) -> dict[str, Any]:
    """Every user, their role and whether they are disabled."""
    return {"users": auth.list_users(installation.uow)}


@router.post("/users")
def add_user(request: NewUser, installation: Installation, who: AsAdmin) -> dict[str, Any]:
    """Add a person (USER_EXISTS 409, WEAK_PASSWORD / INVALID_NAME 400)."""
    password = request.password.get_secret_value()
    auth.add_user(installation.uow, installation.clock, request.name, request.role, password, by=who.name)
    return {"name": request.name, "role": request.role.value, "disabled": False}


@router.post("/users/{name}/disable")
def disable_user(name: Name, installation: Installation, who: AsAdmin) -> dict[str, Any]:
    """Stop a person logging in; their open sessions end at their next request."""
    auth.set_user_disabled(installation.uow, installation.clock, name, True, by=who.name)
    return {"name": name, "disabled": True}


@router.post("/users/{name}/enable")
def enable_user(name: Name, installation: Installation, who: AsAdmin) -> dict[str, Any]:
    auth.set_user_disabled(installation.uow, installation.clock, name, False, by=who.name)
    return {"name": name, "disabled": False}


@router.get("/tokens")
def tokens(installation: Installation, _: AsAdmin) -> dict[str, Any]:
    """Every token's name, role, maker, last use and revocation (never the token or its hash)."""
    return {"tokens": auth.list_tokens(installation.uow)}


@router.post("/tokens")
def create_token(request: NewToken, installation: Installation, who: AsAdmin) -> dict[str, Any]:
    """Make a token: this answer is the only time it is shown (only its hash is kept)."""
    token = auth.create_token(installation.uow, installation.clock, request.name, request.role, by=who.name)
    return {"name": request.name, "role": request.role.value, "token": token}


@router.post("/tokens/{name}/revoke")
def revoke_token(name: Name, installation: Installation, who: AsAdmin) -> dict[str, Any]:
    """Every request carrying the token is refused from now on (TOKEN_NOT_FOUND 404)."""
    auth.revoke_token(installation.uow, installation.clock, name, by=who.name)
    return {"name": name, "revoked": True}

"""Who may do what in the web app and over `/mcp`: ordered roles and the principal acting (pure).

Viewers read; schedulers also edit, approve and queue weeks; operators also run flags, rollout,
rollback and restore; admins also manage users and tokens. Each role includes those below it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Literal

from eros.errors import ErosError


class Role(Enum):
    """Ordered by what a role may do: a role allows everything a lower one does."""

    VIEWER = "viewer"
    SCHEDULER = "scheduler"
    OPERATOR = "operator"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    @classmethod
    def parse(cls, value: str) -> Role:
        """The role named `value` (any case), or INVALID_ROLE naming the four."""
        try:
            return cls(value.strip().lower())
        except ValueError:
            names = ", ".join(role.value for role in cls)
            raise ErosError(f"{value!r} is not a role: use one of {names}", code="INVALID_ROLE") from None


PrincipalKind = Literal["user", "token"]


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: a person logged in, or a named API token."""

    name: str
    role: Role
    kind: PrincipalKind = "user"


def allows(principal: Principal | None, needed: Role) -> bool:
    """Whether `principal` (None: anonymous) holds `needed` or a higher role."""
    return principal is not None and principal.role.rank >= needed.rank

"""The five seed flags and the v5 timeout: their keys, values and how they resolve (ARCHITECTURE §7).

Precedence: persisted override, then environment, then the seed's default — except that an
explicit `EROS_V5_ENABLED=false` in the process's environment (the kill switch), or a rollback
state other than `active`, always wins. A malformed value fails the whole state closed. Pure:
the caller reads the overrides, the environment and the rollback state and passes them in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from eros.control.slo import DEFAULT_SLO
from eros.errors import InvalidInput

ENABLED = "EROS_V5_ENABLED"
SHADOW_MODE = "EROS_V5_SHADOW_MODE"
PERCENTAGE = "EROS_V5_PERCENTAGE"
CREATORS = "EROS_V5_CREATORS"
AUTO_FALLBACK = "EROS_V5_AUTO_FALLBACK"
#: Seconds a v5 run may take (runbook §3.1 "increase timeout"): a live run past it fails in the
#: phase it was in (and falls back to v4 with auto-fallback); a shadow run past it is a timeout.
TIMEOUT = "EROS_V5_TIMEOUT_S"
#: The runbook's symptom "Execution exceeds 180s" (§3.1).
DEFAULT_V5_TIMEOUT_S = 180.0
#: A run holds a lease of `SLOConfig.run_lease` (240 s); a longer timeout would outlive it.
MAX_V5_TIMEOUT_S = DEFAULT_SLO.run_lease.total_seconds()

#: The five seed variables and their seed defaults (rollout plan, Appendix), plus the timeout.
FLAG_DEFAULTS: dict[str, str] = {
    ENABLED: "false",
    SHADOW_MODE: "false",
    PERCENTAGE: "0",
    CREATORS: "",
    AUTO_FALLBACK: "true",
    TIMEOUT: f"{DEFAULT_V5_TIMEOUT_S:g}",
}
#: Attribute-style names accepted wherever a flag key is typed.
FLAG_ALIASES: dict[str, str] = {
    "v5_enabled": ENABLED,
    "shadow_mode": SHADOW_MODE,
    "v5_percentage": PERCENTAGE,
    "v5_creators": CREATORS,
    "auto_fallback": AUTO_FALLBACK,
    "v5_timeout_s": TIMEOUT,
}
_BOOL_WORDS = {"1": True, "true": True, "yes": True, "on": True}
_BOOL_WORDS |= {"0": False, "false": False, "no": False, "off": False}


class RollbackState(StrEnum):
    """The rollback controller's state (a database row every process reads, D4)."""

    ACTIVE = "active"
    DRAINING = "draining"
    DISABLED = "disabled"


#: The rollback state before any rollback was made: routing follows the flags.
ACTIVE_STATE = RollbackState.ACTIVE.value


def flag_key(name: str) -> str:
    """`EROS_V5_PERCENTAGE`, `v5_percentage` or `eros_v5_percentage` → `EROS_V5_PERCENTAGE`."""
    key = FLAG_ALIASES.get(name.strip().lower(), name.strip().upper())
    if key not in FLAG_DEFAULTS:
        known = ", ".join(FLAG_DEFAULTS)
        raise InvalidInput(f"Unknown flag {name!r}; flags are: {known}", code="UNKNOWN_FLAG")
    return key


def normalise_flag_value(key: str, raw: str) -> str:
    """The canonical text of a flag value; InvalidInput (code INVALID_FLAG_VALUE) if malformed."""
    text = raw.strip()
    if key == PERCENTAGE:
        if not text.lstrip("-").isdigit() or not 0 <= int(text) <= 100:
            raise InvalidInput(
                f"{key} must be a whole number from 0 to 100, not {raw!r}", code="INVALID_FLAG_VALUE"
            )
        return str(int(text))
    if key == CREATORS:
        return ",".join(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    if key == TIMEOUT:
        return _timeout_text(key, raw)
    if text.lower() not in _BOOL_WORDS:
        raise InvalidInput(f"{key} must be true or false, not {raw!r}", code="INVALID_FLAG_VALUE")
    return "true" if _BOOL_WORDS[text.lower()] else "false"


def _timeout_text(key: str, raw: str) -> str:
    try:
        seconds = float(raw.strip())
    except ValueError:
        seconds = -1.0
    if not 0 < seconds <= MAX_V5_TIMEOUT_S:
        raise InvalidInput(
            f"{key} must be a number of seconds above 0 and at most {MAX_V5_TIMEOUT_S:g} "
            f"(a run's lease), not {raw!r}",
            code="INVALID_FLAG_VALUE",
        )
    return f"{seconds:g}"


@dataclass(frozen=True, slots=True)
class FlagValues:
    """Resolved flag state: the seed flags plus what overrides them (kill switch, rollback state)."""

    v5_enabled: bool = False
    shadow_mode: bool = False
    v5_percentage: int = 0
    v5_creators: tuple[str, ...] = ()
    auto_fallback: bool = True
    v5_timeout_s: float = DEFAULT_V5_TIMEOUT_S
    kill_switch: bool = False
    rollback_state: str = ACTIVE_STATE
    sources: Mapping[str, str] = field(default_factory=dict)
    error: str | None = None


def resolve_flags(
    environ: Mapping[str, str], overrides: Mapping[str, str], rollback_state: str = ACTIVE_STATE
) -> FlagValues:
    """Apply override > environment > default; a malformed value fails the whole state closed."""
    kill_switch = (environ.get(ENABLED) or "").strip().lower() in {"false", "0", "no", "off"}
    texts: dict[str, str] = {}
    sources: dict[str, str] = {}
    try:
        for key, default in FLAG_DEFAULTS.items():
            if key in overrides:
                texts[key], sources[key] = normalise_flag_value(key, overrides[key]), "override"
            elif (environ.get(key) or "").strip():
                texts[key], sources[key] = normalise_flag_value(key, environ[key]), "env"
            else:
                texts[key], sources[key] = default, "default"
    except InvalidInput as exc:
        return FlagValues(kill_switch=kill_switch, rollback_state=rollback_state, error=exc.message)
    return FlagValues(
        v5_enabled=texts[ENABLED] == "true",
        shadow_mode=texts[SHADOW_MODE] == "true",
        v5_percentage=int(texts[PERCENTAGE]),
        v5_creators=tuple(part for part in texts[CREATORS].split(",") if part),
        auto_fallback=texts[AUTO_FALLBACK] == "true",
        v5_timeout_s=float(texts[TIMEOUT]),
        kill_switch=kill_switch,
        rollback_state=rollback_state,
        sources=sources,
    )


def unreadable_flags(cause: BaseException) -> FlagValues:
    """The state to route by when the flag state cannot be read: closed (every creator on v4)."""
    return FlagValues(kill_switch=True, error=f"flag state unreadable: {type(cause).__name__}")


class FeatureFlags:
    """The flags as they stand for this process (runbook §2 "Checking Current Status")."""

    def __init__(self, values: FlagValues) -> None:
        self.values = values

    @property
    def v5_enabled(self) -> bool:
        """Whether v5 may receive traffic at all: the flag, not beaten by kill switch or rollback."""
        v = self.values
        return v.v5_enabled and not v.kill_switch and v.rollback_state == ACTIVE_STATE and v.error is None

    @property
    def shadow_mode(self) -> bool:
        return self.values.shadow_mode

    @property
    def v5_percentage(self) -> int:
        return self.values.v5_percentage

    @property
    def v5_creators(self) -> tuple[str, ...]:
        return self.values.v5_creators

    @property
    def auto_fallback(self) -> bool:
        return self.values.auto_fallback

    @property
    def v5_timeout_s(self) -> float:
        return self.values.v5_timeout_s

    def __repr__(self) -> str:
        v = self.values
        return (
            f"FeatureFlags(v5_enabled={self.v5_enabled}, shadow_mode={v.shadow_mode}, "
            f"v5_percentage={v.v5_percentage}, v5_creators={list(v.v5_creators)}, "
            f"auto_fallback={v.auto_fallback}, v5_timeout_s={v.v5_timeout_s:g}, "
            f"rollback_state={v.rollback_state!r})"
        )

"""Routing rules: flag precedence (ARCHITECTURE §7), the bucket contract (D7), reasons."""

from __future__ import annotations

import pytest

from eros.control.flags import FeatureFlags, FlagValues, flag_key, normalise_flag_value, resolve_flags
from eros.control.routing import ROLLOUT_GROUP, Pipeline, bucket, decide_route
from eros.errors import InvalidInput

ON = {"EROS_V5_ENABLED": "true"}


def test_seed_defaults_route_everyone_to_v4() -> None:
    flags = resolve_flags({}, {})
    assert (
        flags.v5_enabled,
        flags.shadow_mode,
        flags.v5_percentage,
        flags.v5_creators,
        flags.auto_fallback,
    ) == (
        False,
        False,
        0,
        (),
        True,
    )
    decision = decide_route("alexia", flags)
    assert (decision.pipeline, decision.reason) == (Pipeline.V4, "v5_disabled")


@pytest.mark.parametrize(
    ("environ", "overrides", "state", "pipeline", "reason"),
    [
        # explicit env false beats an override that enables v5, and everything else
        (
            {"EROS_V5_ENABLED": "false"},
            {"EROS_V5_ENABLED": "true", "EROS_V5_PERCENTAGE": "100"},
            "active",
            Pipeline.V4,
            "v5_disabled",
        ),
        # a rollback state other than active beats the flags
        (ON, {"EROS_V5_PERCENTAGE": "100"}, "disabled", Pipeline.V4, "rolled_back"),
        (ON, {"EROS_V5_PERCENTAGE": "100"}, "draining", Pipeline.V4, "rolled_back"),
        # the persisted override beats the environment
        (ON, {"EROS_V5_ENABLED": "false"}, "active", Pipeline.V4, "v5_disabled"),
        (
            {},
            {"EROS_V5_ENABLED": "true", "EROS_V5_PERCENTAGE": "100"},
            "active",
            Pipeline.V5,
            "percentage_100",
        ),
        # shadow mode beats the allowlist and the percentage
        (
            ON | {"EROS_V5_SHADOW_MODE": "true", "EROS_V5_CREATORS": "alexia"},
            {},
            "active",
            Pipeline.SHADOW,
            "shadow_mode",
        ),
        (ON | {"EROS_V5_CREATORS": "grace_bennett, alexia"}, {}, "active", Pipeline.V5, "allowlisted"),
        # alexia's bucket is 37: in at 37 %, out at 36 %
        (ON | {"EROS_V5_PERCENTAGE": "37"}, {}, "active", Pipeline.V5, "percentage_37"),
        (ON | {"EROS_V5_PERCENTAGE": "36"}, {}, "active", Pipeline.V4, "default"),
        (ON, {}, "active", Pipeline.V4, "default"),
    ],
)
def test_precedence_table(
    environ: dict[str, str], overrides: dict[str, str], state: str, pipeline: Pipeline, reason: str
) -> None:
    decision = decide_route("alexia", resolve_flags(environ, overrides, state))
    assert (decision.pipeline, decision.reason) == (pipeline, reason)


def test_malformed_flag_value_fails_closed() -> None:
    flags = resolve_flags(ON | {"EROS_V5_PERCENTAGE": "lots"}, {"EROS_V5_CREATORS": "alexia"})
    decision = decide_route("alexia", flags)
    assert flags.error is not None and "EROS_V5_PERCENTAGE" in flags.error
    assert (decision.pipeline, decision.reason) == (Pipeline.V4, "v5_disabled")


def test_feature_flags_v5_enabled_reports_the_effective_switch() -> None:
    assert FeatureFlags(values=resolve_flags(ON, {})).v5_enabled is True
    assert FeatureFlags(values=resolve_flags(ON, {}, "disabled")).v5_enabled is False
    assert FeatureFlags(values=FlagValues(v5_enabled=True, kill_switch=True)).v5_enabled is False


@pytest.mark.parametrize(
    ("creator", "group", "expected"),
    [
        ("creator_123", "eros_v2", 99),  # the Unleash-scheme vector measured in reference/ecosystem.md §1.6
        ("alexia", ROLLOUT_GROUP, 37),
        ("grace_bennett", ROLLOUT_GROUP, 67),
        ("luna_free", ROLLOUT_GROUP, 14),
        ("maya_hill", ROLLOUT_GROUP, 92),
        ("creator_1", ROLLOUT_GROUP, 3),
    ],
)
def test_golden_bucket_vectors(creator: str, group: str, expected: int) -> None:
    assert bucket(creator, group) == expected


def test_percentage_is_monotone_and_on_target() -> None:
    ids = [f"creator_{i}" for i in range(10_000)]
    previous: set[str] = set()
    for pct in (0, 5, 25, 50, 75, 100):
        flags = resolve_flags(ON | {"EROS_V5_PERCENTAGE": str(pct)}, {})
        cohort = {c for c in ids if decide_route(c, flags).pipeline is Pipeline.V5}
        assert previous <= cohort  # raising the percentage only adds creators
        assert abs(len(cohort) / len(ids) - pct / 100) <= 0.03
        previous = cohort
    assert len(previous) == len(ids)


def test_flag_keys_and_values_are_normalised_or_refused() -> None:
    assert flag_key("v5_percentage") == "EROS_V5_PERCENTAGE"
    assert flag_key("eros_v5_shadow_mode") == "EROS_V5_SHADOW_MODE"
    assert normalise_flag_value("EROS_V5_ENABLED", "Yes") == "true"
    assert normalise_flag_value("EROS_V5_CREATORS", " alexia, ,luna_free,alexia ") == "alexia,luna_free"
    with pytest.raises(InvalidInput) as bad_key:
        flag_key("EROS_V6")
    assert bad_key.value.code == "UNKNOWN_FLAG"
    for key, value in (
        ("EROS_V5_PERCENTAGE", "101"),
        ("EROS_V5_PERCENTAGE", "-1"),
        ("EROS_V5_ENABLED", "maybe"),
    ):
        with pytest.raises(InvalidInput) as bad_value:
            normalise_flag_value(key, value)
        assert bad_value.value.code == "INVALID_FLAG_VALUE"

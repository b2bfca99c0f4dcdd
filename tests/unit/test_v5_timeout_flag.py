"""EROS_V5_TIMEOUT_S resolves like the seed flags: override > environment > 180 s; bad ⇒ refused."""

from __future__ import annotations

import pytest

from eros.control.flags import (
    DEFAULT_V5_TIMEOUT_S,
    MAX_V5_TIMEOUT_S,
    TIMEOUT,
    FeatureFlags,
    flag_key,
    normalise_flag_value,
    resolve_flags,
)
from eros.errors import InvalidInput


def test_the_default_is_the_runbooks_180_seconds_and_the_lease_caps_it() -> None:
    assert resolve_flags({}, {}).v5_timeout_s == DEFAULT_V5_TIMEOUT_S == 180.0
    assert MAX_V5_TIMEOUT_S == 240.0


def test_an_override_beats_the_environment() -> None:
    assert resolve_flags({TIMEOUT: "90"}, {}).v5_timeout_s == 90.0
    values = resolve_flags({TIMEOUT: "90"}, {TIMEOUT: "200"})
    assert values.v5_timeout_s == 200.0 and values.sources[TIMEOUT] == "override"
    assert "v5_timeout_s=200" in repr(FeatureFlags(values))
    assert flag_key("v5_timeout_s") == TIMEOUT


@pytest.mark.parametrize(("raw", "text"), [("240", "240"), (" 0.05 ", "0.05"), ("180.0", "180")])
def test_accepted_values(raw: str, text: str) -> None:
    assert normalise_flag_value(TIMEOUT, raw) == text


@pytest.mark.parametrize("raw", ["0", "-1", "240.001", "abc", "nan", "inf", ""])
def test_refused_values(raw: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        normalise_flag_value(TIMEOUT, raw)
    assert caught.value.code == "INVALID_FLAG_VALUE"


def test_a_malformed_environment_value_fails_the_state_closed() -> None:
    values = resolve_flags({TIMEOUT: "soon", "EROS_V5_ENABLED": "true"}, {})
    assert values.error is not None and TIMEOUT in values.error and not FeatureFlags(values).v5_enabled

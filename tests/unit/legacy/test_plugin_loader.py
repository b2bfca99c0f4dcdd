"""EROS_V4_RUNNER specs that cannot be loaded fail with V4_RUNNER_INVALID and say why."""

from __future__ import annotations

import json

import pytest

from eros.errors import ConfigError
from eros.legacy.plugin import load_runner


@pytest.mark.parametrize(
    ("spec", "why"),
    [
        ("no_colon_here", "not of the form module:function"),
        (":fn", "not of the form module:function"),
        ("json:", "not of the form module:function"),
        ("eros_no_such_module_xyz:run", "cannot be imported"),
        ("json:no_such_function", "has no attribute"),
        ("json.decoder:JSONDecodeError.no_attr", "has no attribute"),
        ("math:pi", "not a callable"),
    ],
)
def test_broken_specs_are_config_errors(spec: str, why: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_runner(spec)
    assert caught.value.code == "V4_RUNNER_INVALID"
    assert why in caught.value.message and spec in caught.value.message


def test_a_dotted_attribute_is_followed() -> None:
    assert load_runner(" json:JSONDecoder.decode ") is json.JSONDecoder.decode

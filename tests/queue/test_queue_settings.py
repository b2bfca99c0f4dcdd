"""The workers' settings from the environment: their defaults and their bounds, at the boundary."""

from __future__ import annotations

import pytest

from eros.config import load_settings
from eros.errors import ConfigError
from eros.tasks.queue import heartbeat_s


def test_defaults_are_mondays_at_six_and_thirty_seconds_of_silence() -> None:
    settings = load_settings({})
    assert (settings.fanout_cron, settings.worker_stalled_s) == ("0 6 * * 1", 30.0)
    assert heartbeat_s(settings) == 10.0


@pytest.mark.parametrize("value", ["1", "3600"])
def test_the_stalled_timeout_takes_one_second_to_an_hour(value: str) -> None:
    assert load_settings({"EROS_WORKER_STALLED_S": value}).worker_stalled_s == float(value)


@pytest.mark.parametrize("value", ["0.99", "3600.01", "soon"])
def test_a_stalled_timeout_outside_that_is_invalid_config(value: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings({"EROS_WORKER_STALLED_S": value})
    assert raised.value.code == "INVALID_CONFIG"
    expected = f"EROS_WORKER_STALLED_S={value!r} is not a number of seconds from 1 to 3600"
    assert expected in raised.value.message

"""save_volume_triggers through the tool, and random input to every tool: a result or a coded tool error."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from eros.db.schema import volume_triggers
from eros.errors import ToolCallError
from eros.infra.mcp_clients import InProcessClient
from eros.tools import ToolEnv
from support import reading


def trigger_rows(env: ToolEnv) -> int:
    with reading(env) as conn:
        return int(conn.execute(select(func.count()).select_from(volume_triggers)).scalar() or 0)


async def test_save_volume_triggers_creates_then_updates_with_warnings(
    write_client: InProcessClient, write_env: ToolEnv
) -> None:
    trigger = {"content_type": "lingerie", "trigger_type": "HIGH_PERFORMER", "adjustment_multiplier": 1.2}
    created = await write_client.save_volume_triggers("alexia", [{**trigger, "confidence": "high"}])
    assert created["triggers_saved"] == 1 and len(created["created_ids"]) == 1 and created["warnings"] == []
    flipped = await write_client.save_volume_triggers("alexia", [{**trigger, "adjustment_multiplier": 0.6}])
    assert flipped["updated_ids"] == created["created_ids"]
    assert any("direction flip" in w for w in flipped["warnings"])
    assert any("extreme multiplier" in w for w in flipped["warnings"])
    active = await write_client.get_active_volume_triggers("alexia")
    stored = next(t for t in active["triggers"] if t["trigger_id"] == created["created_ids"][0])
    assert (stored["detection_count"], stored["confidence"], stored["adjustment_multiplier"]) == (
        2,
        "high",
        0.6,
    )


@pytest.mark.parametrize(
    ("triggers", "code"),
    [
        (
            [{"content_type": "lingerie", "trigger_type": "HIGH_PERFORMER", "adjustment_multiplier": 2.5}],
            "VALIDATION_ERROR",
        ),
        (
            [{"content_type": "", "trigger_type": "MOON_PHASE", "adjustment_multiplier": "big"}],
            "VALIDATION_ERROR",
        ),
        (["not a trigger"], "VALIDATION_ERROR"),
        (
            [{"content_type": "x", "trigger_type": "TRENDING_UP", "adjustment_multiplier": 1.1}] * 101,
            "TOO_MANY_TRIGGERS",
        ),
    ],
)
async def test_an_invalid_trigger_batch_writes_nothing(
    write_client: InProcessClient, write_env: ToolEnv, triggers: list[Any], code: str
) -> None:
    before = trigger_rows(write_env)
    valid = {"content_type": "solo", "trigger_type": "TRENDING_UP", "adjustment_multiplier": 1.1}
    with pytest.raises(ToolCallError) as caught:
        await write_client.save_volume_triggers("alexia", [valid, *triggers])
    assert caught.value.code == code
    assert trigger_rows(write_env) == before


async def test_saving_triggers_for_an_unknown_creator_fails(write_client: InProcessClient) -> None:
    with pytest.raises(ToolCallError) as caught:
        await write_client.save_volume_triggers("ghost", [])
    assert caught.value.code == "CREATOR_NOT_FOUND"


#: Every tool and a strategy for its arguments: plausible names mixed with junk of every JSON type.
creator_ids = st.sampled_from(["alexia", "LUNA_FREE", "ghost", "", " ", "x" * 200, "maya_hill"]) | st.text(
    max_size=12
)
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=False)
    | st.text(max_size=8)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)
dates = st.sampled_from(["2026-01-05", "2026-02-30", "2026-1-5", "", "tomorrow"]) | st.dates().map(str)
items = st.lists(
    st.fixed_dictionaries(
        {
            "send_type_key": st.sampled_from(["ppv_unlock", "bump_normal", "tip_goal", "nope"])
            | json_scalars,
            "scheduled_date": dates | json_scalars,
            "scheduled_time": st.sampled_from(["12:07", "24:00", "7:5"]) | json_scalars,
        },
        optional={"price": json_scalars, "flyer_required": json_scalars, "caption_id": json_scalars},
    )
    | json_values,
    max_size=4,
)
TOOL_ARGS: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "get_active_creators": st.fixed_dictionaries(
        {},
        optional={
            "limit": json_scalars,
            "tier": json_scalars,
            "sort_by": json_scalars,
            "min_revenue": json_scalars,
        },
    ),
    "get_creator_profile": st.fixed_dictionaries(
        {"creator_id": creator_ids}, optional={"include_analytics": json_scalars}
    ),
    "get_allowed_content_types": st.fixed_dictionaries({"creator_id": creator_ids | json_scalars}),
    "get_content_type_rankings": st.fixed_dictionaries({"creator_id": creator_ids}),
    "get_persona_profile": st.fixed_dictionaries({"creator_id": creator_ids}),
    "get_volume_config": st.fixed_dictionaries(
        {"creator_id": creator_ids, "week_start": dates},
        optional={"tier_override": json_scalars, "trigger_multiplier_override": json_scalars},
    ),
    "get_active_volume_triggers": st.fixed_dictionaries({"creator_id": creator_ids}),
    "get_performance_trends": st.fixed_dictionaries(
        {"creator_id": creator_ids}, optional={"period": json_scalars}
    ),
    "get_batch_captions_by_content_types": st.fixed_dictionaries(
        {
            "creator_id": creator_ids,
            "content_types": st.lists(st.text(max_size=10), max_size=4) | json_values,
        },
        optional={"limit_per_type": json_scalars, "schedulable_type": json_scalars},
    ),
    "get_send_type_captions": st.fixed_dictionaries(
        {"creator_id": creator_ids, "send_type": st.sampled_from(["dm_farm", "ppv_wall"]) | json_scalars},
        optional={"limit": json_scalars},
    ),
    "get_captions": st.fixed_dictionaries(
        {"creator_id": creator_ids}, optional={"send_types": json_values, "limit_per_send_type": json_scalars}
    ),
    "validate_caption_structure": st.fixed_dictionaries(
        {"caption_text": json_scalars, "send_type": json_scalars}
    ),
    "get_send_types": st.fixed_dictionaries({}, optional={"page_type": json_scalars}),
    "get_send_types_constraints": st.fixed_dictionaries({}, optional={"page_type": json_scalars}),
    "get_schedules": st.fixed_dictionaries(
        {},
        optional={
            "creator_id": creator_ids,
            "status": json_scalars,
            "week_start": json_scalars,
            "limit": json_scalars,
        },
    ),
    "save_schedule": st.fixed_dictionaries(
        {"creator_id": creator_ids, "week_start": dates, "items": items},
        optional={"validation_certificate": json_values},
    ),
    "save_volume_triggers": st.fixed_dictionaries({"creator_id": creator_ids, "triggers": json_values}),
}


@pytest.mark.parametrize("tool", sorted(TOOL_ARGS))
def test_random_input_gives_a_result_or_a_coded_tool_error(write_client: InProcessClient, tool: str) -> None:
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(arguments=TOOL_ARGS[tool])
    def check(arguments: dict[str, Any]) -> None:
        try:
            result = asyncio.run(write_client.call_tool(tool, arguments))
        except ToolCallError as exc:
            assert exc.code != "INTERNAL_ERROR", (tool, arguments, exc.message)
            assert exc.code and exc.message
        else:
            assert isinstance(result, dict)

    check()

"""Every read tool's happy path and its error codes, through the in-process client (same server object)."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client
from sqlalchemy import select

from eros.db.schema import tier_history
from eros.errors import ToolCallError
from eros.infra.mcp_clients import InProcessClient
from eros.rules.send_types import SEND_TYPES
from eros.tools import ToolEnv
from eros.tools.server import build_server
from eros.validation.certificate import names_hash
from support import reading

DOMAIN_TOOLS = {
    "get_active_creators",
    "get_creator_profile",
    "get_allowed_content_types",
    "get_content_type_rankings",
    "get_persona_profile",
    "get_volume_config",
    "get_active_volume_triggers",
    "save_volume_triggers",
    "get_performance_trends",
    "get_batch_captions_by_content_types",
    "get_send_type_captions",
    "validate_caption_structure",
    "get_send_types",
    "get_send_types_constraints",
    "save_schedule",
    "get_schedules",
    "get_captions",
}


async def expect_error(client: InProcessClient, tool: str, args: dict[str, Any], code: str) -> ToolCallError:
    with pytest.raises(ToolCallError) as caught:
        await client.call_tool(tool, args)
    assert caught.value.code == code, caught.value.message
    return caught.value


async def test_sdk_client_lists_every_tool_with_an_output_schema(env: ToolEnv) -> None:
    async with Client(build_server(env)) as sdk:
        listed = await sdk.list_tools()
    assert {tool.name for tool in listed.tools} == DOMAIN_TOOLS
    assert all(tool.output_schema for tool in listed.tools)


async def test_sdk_client_sees_structured_content_and_json_tool_errors(env: ToolEnv) -> None:
    async with Client(build_server(env)) as sdk:
        ok = await sdk.call_tool("get_persona_profile", {"creator_id": "alexia"})
        bad = await sdk.call_tool("get_persona_profile", {"creator_id": "nobody_here"})
        wrong_type = await sdk.call_tool("get_active_creators", {"limit": "many"})
        unknown = await sdk.call_tool("drop_tables", {})
    assert not ok.is_error and ok.structured_content is not None
    assert ok.structured_content["creator_id"] == "alexia"
    assert bad.is_error
    assert '"error_code": "CREATOR_NOT_FOUND"' in bad.content[0].text  # type: ignore[union-attr]
    assert "Traceback" not in bad.content[0].text  # type: ignore[union-attr]
    assert '"error_code": "VALIDATION_ERROR"' in wrong_type.content[0].text  # type: ignore[union-attr]
    assert '"error_code": "UNKNOWN_TOOL"' in unknown.content[0].text  # type: ignore[union-attr]


async def test_active_creators_pages_and_filters(client: InProcessClient) -> None:
    first = await client.get_active_creators(limit=10, sort_by="name", sort_order="asc")
    assert first["count"] == 10 and first["total_count"] == 37 and first["has_more"]
    names = [c["page_name"] for c in first["creators"]]
    assert names == sorted(names)
    free = await client.get_active_creators(limit=500, page_type="FREE")
    assert free["count"] > 0 and {c["page_type"] for c in free["creators"]} == {"free"}
    premium = await client.get_active_creators(limit=500, tier="premium")
    assert "maya_hill" in {c["page_name"] for c in premium["creators"]}


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ({"limit": 0}, "INVALID_LIMIT"),
        ({"limit": 501}, "INVALID_LIMIT"),
        ({"offset": -1}, "INVALID_OFFSET"),
        ({"tier": "Ultra"}, "INVALID_TIER"),
        ({"page_type": "vip"}, "INVALID_PAGE_TYPE"),
        ({"sort_by": "age"}, "INVALID_SORT_FIELD"),
        ({"sort_order": "sideways"}, "INVALID_SORT_ORDER"),
        ({"limit": "many"}, "VALIDATION_ERROR"),
    ],
)
async def test_active_creators_rejects_bad_arguments(
    client: InProcessClient, args: dict[str, Any], code: str
) -> None:
    await expect_error(client, "get_active_creators", args, code)


async def test_profile_resolves_page_names_case_insensitively_and_bundles_every_section(
    client: InProcessClient,
) -> None:
    profile = await client.get_creator_profile("Grace_Bennett")
    assert profile["creator"]["page_name"] == "grace_bennett"
    assert profile["volume_assignment"]["tier"] == "HIGH_VALUE"
    assert profile["sections"] == ["analytics", "volume", "content_rankings", "vault", "persona"]
    vault = profile["allowed_content_types"]
    assert vault["vault_hash"] == names_hash(vault["allowed_type_names"])
    rankings = profile["content_rankings"]
    assert rankings["avoid_types_hash"] == names_hash(rankings["avoid_types"])


@pytest.mark.parametrize("creator_id", ["alexia", "maya_hill", "ivy_rose_free", "riley_james"])
async def test_profile_mm_revenue_is_the_one_eros_analyze_recorded(
    client: InProcessClient, env: ToolEnv, creator_id: str
) -> None:
    with reading(env) as conn:
        recorded = conn.execute(
            select(tier_history.c.mm_revenue, tier_history.c.source)
            .where(tier_history.c.creator_id == creator_id)
            .order_by(tier_history.c.recorded_at.desc())
            .limit(1)
        ).one()
    profile = await client.get_creator_profile(creator_id)
    assert (profile["analytics"]["mm_revenue"], profile["analytics"]["mm_revenue_source"]) == tuple(recorded)
    assert profile["volume_assignment"]["mm_revenue"] == recorded[0]


async def test_profile_analytics_follow_the_contract(client: InProcessClient) -> None:
    analytics = (await client.get_creator_profile("alexia"))["analytics"]
    assert set(analytics["performance_by_hour"]) == {str(h) for h in range(24)}
    assert set(analytics["performance_by_weekday"]) == {str(d) for d in range(7)}
    assert set(analytics["fatigue_by_gap_days"]) == {str(d) for d in range(1, 8)}
    assert analytics["mm_revenue"] > 0 and 0 < analytics["mm_revenue_confidence"] <= 1
    assert 0 < analytics["conversion_rate"] < 1 and 0 < analytics["open_rate"] < 1
    hour_sends = sum(v["sends"] for v in analytics["performance_by_hour"].values())
    type_sends = sum(v["sends"] for v in analytics["performance_by_send_type"].values())
    assert hour_sends == type_sends > 0
    assert all({"sends", "revenue_per_send", "conversion"} <= set(v) for v in analytics["price_points"])
    weeks = analytics["weekly_earnings"]
    assert analytics["avg_weekly_revenue"] == pytest.approx(sum(weeks) / len(weeks), abs=0.01)


async def test_profile_sections_can_be_left_out(client: InProcessClient) -> None:
    profile = await client.get_creator_profile("luna_free", include_analytics=False, include_persona=False)
    assert profile["analytics"] is None and profile["persona"] is None
    assert profile["volume_assignment"] is not None


@pytest.mark.parametrize(
    "tool", ["get_creator_profile", "get_allowed_content_types", "get_content_type_rankings"]
)
async def test_unknown_and_blank_creators_are_tool_errors(client: InProcessClient, tool: str) -> None:
    error = await expect_error(client, tool, {"creator_id": "ghost"}, "CREATOR_NOT_FOUND")
    assert "ghost" in error.message
    await expect_error(client, tool, {"creator_id": "   "}, "INVALID_CREATOR_ID")


async def test_vault_and_rankings_agree_with_the_profile(client: InProcessClient) -> None:
    vault = await client.get_allowed_content_types("maya_hill")
    rankings = await client.get_content_type_rankings("maya_hill")
    profile = await client.get_creator_profile("maya_hill")
    assert vault["vault_hash"] == profile["allowed_content_types"]["vault_hash"]
    assert rankings["avoid_types"] == profile["content_rankings"]["avoid_types"]
    assert all(r["performance_tier"] in {"TOP", "MID", "LOW", "AVOID"} for r in rankings["rankings"])
    assert rankings["is_stale"] is False


async def test_persona_has_voice_fields(client: InProcessClient) -> None:
    persona = await client.get_persona_profile("alexia")
    assert persona["primary_tone"] and persona["emoji_frequency"] and persona["slang_level"]


async def test_volume_config_gives_seven_days_within_the_tier(client: InProcessClient) -> None:
    config = await client.get_volume_config("alexia", "2026-01-05")
    assert config["days"][0]["date"] == "2026-01-05" and len(config["days"]) == 7
    revenue_range = config["base_ranges"]["revenue"]
    assert all(revenue_range[0] <= d["revenue"] <= revenue_range[1] for d in config["days"])
    assert config["weekly_totals"]["total"] == sum(d["total"] for d in config["days"])
    assert config["volume_config_hash"].startswith("sha256:")
    assert all(d["prime_hours"] for d in config["days"])


async def test_volume_config_what_if_overrides(client: InProcessClient) -> None:
    base = await client.get_volume_config("alexia", "2026-01-05", trigger_multiplier_override=1.0)
    boosted = await client.get_volume_config(
        "alexia", "2026-01-05", tier_override="PREMIUM", trigger_multiplier_override=1.0
    )
    assert boosted["tier"] == "PREMIUM" and boosted["tier_source"] == "override"
    assert boosted["weekly_totals"]["revenue"] > base["weekly_totals"]["revenue"]
    spiral = await client.get_volume_config("alexia", "2026-01-05", health_status_override="death_spiral")
    assert spiral["health"]["volume_adjustment"] == -1 and spiral["health"]["source"] == "override"


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ({"week_start": "2026-1-5"}, "INVALID_DATE"),
        ({"week_start": "2026-02-30"}, "INVALID_DATE"),
        ({"week_start": "2026-01-05", "tier_override": "Ultra"}, "INVALID_TIER"),
        ({"week_start": "2026-01-05", "trigger_multiplier_override": 3.0}, "INVALID_MULTIPLIER"),
        ({"week_start": "2026-01-05", "health_status_override": "fine"}, "INVALID_HEALTH"),
    ],
)
async def test_volume_config_rejects_bad_input(
    client: InProcessClient, args: dict[str, Any], code: str
) -> None:
    await expect_error(client, "get_volume_config", {"creator_id": "alexia", **args}, code)


async def test_triggers_compound_and_explain_an_empty_list(client: InProcessClient) -> None:
    roster = await client.get_active_creators(limit=500)
    answers = [await client.get_active_volume_triggers(c["creator_id"]) for c in roster["creators"]]
    with_triggers = [a for a in answers if a["count"]]
    without = [a for a in answers if not a["count"]]
    assert with_triggers and without
    assert all(0.5 <= a["compound_multiplier"] <= 2.0 for a in with_triggers)
    assert all(a["zero_triggers_reason"] for a in without)


async def test_performance_trends_periods(client: InProcessClient) -> None:
    week = await client.get_performance_trends("maya_hill", "7d")
    month = await client.get_performance_trends("maya_hill", "30d")
    assert 0 < week["total_sends"] < month["total_sends"]
    assert 0 <= month["conversion_rate"] <= 1 and month["health_status"] in {
        "HEALTHY",
        "WARNING",
        "DEATH_SPIRAL",
    }
    await expect_error(
        client, "get_performance_trends", {"creator_id": "maya_hill", "period": "2w"}, "INVALID_PERIOD"
    )


async def test_batch_captions_never_serve_vaultless_or_avoid_types(client: InProcessClient) -> None:
    rankings = await client.get_content_type_rankings("maya_hill")
    vault = await client.get_allowed_content_types("maya_hill")
    avoid = rankings["avoid_types"]
    assert avoid, "the sample gives maya_hill AVOID types"
    usable = sorted(set(vault["allowed_type_names"]) - set(avoid))
    answer = await client.get_batch_captions_by_content_types(
        "maya_hill", [*usable[:3], avoid[0], "no_such_type"], limit_per_type=3
    )
    assert set(answer["excluded_types"]) == {avoid[0], "no_such_type"}
    assert answer["excluded_types"][avoid[0]] == "ranked AVOID"
    for name, group in answer["captions_by_type"].items():
        assert name in usable
        assert all(c["content_type"] == name for c in group["captions"])
        assert len(group["captions"]) <= 3


async def test_caption_ranking_puts_fresh_captions_first(client: InProcessClient) -> None:
    answer = await client.get_send_type_captions("alexia", "bump_normal", limit=50)
    fresh_flags = [c["fresh"] for c in answer["captions"]]
    assert fresh_flags == sorted(fresh_flags, reverse=True)
    assert answer["count"] == len(answer["captions"]) <= 50


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ({"content_types": []}, "EMPTY_CONTENT_TYPES"),
        ({"content_types": [f"t{i}" for i in range(51)]}, "CONTENT_TYPES_LIMIT_EXCEEDED"),
        ({"content_types": ["lingerie"], "limit_per_type": 21}, "INVALID_LIMIT"),
        ({"content_types": ["lingerie"], "schedulable_type": "story"}, "INVALID_SCHEDULABLE_TYPE"),
    ],
)
async def test_batch_captions_reject_bad_input(
    client: InProcessClient, args: dict[str, Any], code: str
) -> None:
    await expect_error(client, "get_batch_captions_by_content_types", {"creator_id": "alexia", **args}, code)


async def test_send_type_captions_errors(client: InProcessClient) -> None:
    await expect_error(
        client, "get_send_type_captions", {"creator_id": "alexia", "send_type": "x"}, "SEND_TYPE_NOT_FOUND"
    )
    await expect_error(
        client,
        "get_send_type_captions",
        {"creator_id": "luna_free", "send_type": "tip_goal"},
        "SEND_TYPE_NOT_ALLOWED",
    )
    await expect_error(
        client,
        "get_send_type_captions",
        {"creator_id": "alexia", "send_type": "dm_farm", "limit": 51},
        "INVALID_LIMIT",
    )


async def test_free_pages_never_get_paid_only_captions(client: InProcessClient) -> None:
    answer = await client.get_captions("luna_free")
    assert answer["captions"]
    assert not any(c["is_paid_page_only"] for c in answer["captions"])
    assert not {c["send_type"] for c in answer["captions"]} & {"tip_goal", "renew_on_post", "expired_winback"}


async def test_get_captions_covers_content_types_and_other_send_types(client: InProcessClient) -> None:
    answer = await client.get_captions("alexia", limit_per_type=2, limit_per_send_type=3)
    media = [c for c in answer["captions"] if SEND_TYPES[c["send_type"]].requires_media]
    other = [c for c in answer["captions"] if not SEND_TYPES[c["send_type"]].requires_media]
    assert media and other
    assert all(n <= 2 for n in _counts(c["content_type"] for c in media).values())
    assert all(n <= 3 for n in _counts(c["send_type"] for c in other).values())
    assert len({c["caption_id"] for c in answer["captions"]}) == len(answer["captions"])


def _counts(values: Any) -> dict[Any, int]:
    counts: dict[Any, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts


async def test_validate_caption_structure_scores_and_rejects(client: InProcessClient) -> None:
    good = await client.validate_caption_structure(
        "Just finished a steamy shoot and saved the best set for you, "
        "unlock it tonight and tell me what you think",
        "ppv_unlock",
    )
    assert good["valid"] and good["recommendation"] == "PASS"
    spam = await client.validate_caption_structure(
        "CLICK HERE AND BUY NOW BEFORE IT IS GONE FOREVER", "bump_normal"
    )
    assert not spam["valid"] and spam["recommendation"] == "REJECT"
    await expect_error(
        client,
        "validate_caption_structure",
        {"caption_text": "  ", "send_type": "ppv_unlock"},
        "EMPTY_CAPTION",
    )
    await expect_error(
        client,
        "validate_caption_structure",
        {"caption_text": "x" * 2001, "send_type": "ppv_unlock"},
        "CAPTION_EXCEEDS_LIMIT",
    )
    await expect_error(
        client,
        "validate_caption_structure",
        {"caption_text": "hi", "send_type": "story"},
        "INVALID_SEND_TYPE",
    )


async def test_send_types_by_page_type(client: InProcessClient) -> None:
    paid = await client.get_send_types_constraints("paid")
    free = await client.get_send_types("Free")
    everything = await client.get_send_types()
    assert (paid["counts"]["total"], free["counts"]["total"], everything["counts"]["total"]) == (21, 18, 22)
    assert "ppv_wall" not in paid["all_send_type_keys"] and "tip_goal" not in free["all_send_type_keys"]
    assert paid["types_hash"] != free["types_hash"]
    await expect_error(client, "get_send_types", {"page_type": "vip"}, "INVALID_PAGE_TYPE")


async def test_unknown_tool_is_an_error_and_calls_are_counted(client: InProcessClient) -> None:
    await expect_error(client, "drop_tables", {}, "UNKNOWN_TOOL")
    await client.get_send_types()
    assert client.calls == 2

"""save_schedule / get_schedules and the lifecycle (DOMAIN §10–§11): certificates, locks, revisions, races."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from eros.clock import FixedClock, iso_z
from eros.db.schema import caption_creator_usage, captions, schedule_revisions, schedules
from eros.errors import ErosError, ToolCallError
from eros.infra.mcp_clients import InProcessClient
from eros.models import ValidationCertificate, ValidationStatus
from eros.tools import ToolEnv
from eros.tools.schedules import save_schedule
from eros.validation.certificate import names_hash, schedule_hash, sign
from support import reading

WEEK = "2026-01-05"
WEEK_START = date(2026, 1, 5)


def week_items(caption_id: int | None = None) -> list[dict[str, Any]]:
    return [
        {
            "send_type_key": "ppv_unlock",
            "scheduled_date": "2026-01-05",
            "scheduled_time": "12:07",
            "content_type": "lingerie",
            "price": 18.0,
            "flyer_required": 1,
            "caption_id": caption_id,
            "expected_revenue": 120.5,
        },
        {"send_type_key": "bump_normal", "scheduled_date": "2026-01-05", "scheduled_time": "14:22"},
        {
            "send_type_key": "bump_flyer",
            "scheduled_date": "2026-01-06",
            "scheduled_time": "20:38",
            "flyer_required": 1,
        },
    ]


async def certificate(
    client: InProcessClient,
    env: ToolEnv,
    items: list[dict[str, Any]],
    *,
    key: bytes | None = None,
    issued_ago_s: float = 10,
    **overrides: Any,
) -> dict[str, Any]:
    """A certificate as the validator issues it: these items and the creator's current vault/AVOID."""
    vault = await client.get_allowed_content_types("alexia")
    rankings = await client.get_content_type_rankings("alexia")
    cert = ValidationCertificate(
        creator_id=vault["creator_id"],
        validation_timestamp=iso_z(env.now() - timedelta(seconds=issued_ago_s)),
        schedule_hash=schedule_hash(items, WEEK_START),
        vault_types_hash=vault["vault_hash"],
        avoid_types_hash=rankings["avoid_types_hash"],
        items_validated=len(items),
        quality_score=91.0,
        validation_status=ValidationStatus.APPROVED,
        checks_performed={"vault_compliance": True},
        violations_found={"critical": 0},
    )
    cert = cert.model_copy(update=overrides)
    return sign(cert, key or env.signing_key).model_dump(mode="json")


def row_count(env: ToolEnv) -> tuple[int, int]:
    with reading(env) as conn:
        return (
            int(conn.execute(select(func.count()).select_from(schedules)).scalar() or 0),
            int(conn.execute(select(func.count()).select_from(schedule_revisions)).scalar() or 0),
        )


async def test_a_valid_certificate_saves_approved_with_summary_columns(
    write_client: InProcessClient, write_env: ToolEnv
) -> None:
    items = week_items()
    saved = await write_client.save_schedule(
        "Alexia", WEEK, items, await certificate(write_client, write_env, items), generator="v5"
    )
    assert saved["status"] == "approved" and saved["certificate_verified"] and saved["warnings"] == []
    assert (saved["revision"], saved["week_end"], saved["items_saved"]) == (1, "2026-01-11", 3)
    listed = await write_client.get_schedules(creator_id="alexia", include_items=True)
    record = listed["schedules"][0]
    assert (record["total_items"], record["total_ppvs"], record["total_bumps"]) == (3, 1, 2)
    assert record["quality_score"] == 91.0 and record["expected_revenue"] == 120.5
    assert record["health_status"] in {"HEALTHY", "WARNING", "DEATH_SPIRAL"} and record["generator"] == "v5"
    assert record["items"][1]["send_type_key"] == "bump_normal"


async def test_no_certificate_saves_a_draft_with_the_reason(write_client: InProcessClient) -> None:
    saved = await write_client.save_schedule("alexia", WEEK, week_items())
    assert saved["status"] == "draft"
    assert saved["warnings"] == ["saved as draft: no validation certificate"]


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        ("items_changed_after_signing", "schedule_hash does not match"),
        ("wrong_key", "signature does not verify"),
        ("forged_score", "signature does not verify"),
        ("stale", "certificate expired"),
        ("from_the_future", "in the future"),
        ("needs_review", "not APPROVED"),
        ("other_vault", "vault_types_hash does not match"),
        ("other_avoid", "avoid_types_hash does not match"),
        ("other_creator", "is for creator"),
    ],
)
async def test_a_bad_certificate_never_yields_approved(
    write_client: InProcessClient, write_env: ToolEnv, tamper: str, reason: str
) -> None:
    items = week_items()
    variants: dict[str, dict[str, Any]] = {
        "wrong_key": {"key": b"someone-elses-key"},
        "stale": {"issued_ago_s": 301},
        "from_the_future": {"issued_ago_s": -31},
        "needs_review": {"validation_status": ValidationStatus.NEEDS_REVIEW},
        "other_vault": {"vault_types_hash": names_hash(["lingerie", "solo"])},
        "other_avoid": {"avoid_types_hash": names_hash(["lingerie"])},
        "other_creator": {"creator_id": "grace_bennett"},
    }
    kwargs = variants.get(tamper, {})
    cert = await certificate(write_client, write_env, items, **kwargs)
    if tamper == "items_changed_after_signing":
        items[0]["price"] = 25.0
    if tamper == "forged_score":
        cert["quality_score"] = 99.0
    saved = await write_client.save_schedule("alexia", WEEK, items, cert)
    assert saved["status"] == "draft" and not saved["certificate_verified"]
    assert any(reason in warning for warning in saved["warnings"]), saved["warnings"]


async def test_a_malformed_certificate_is_refused_and_nothing_is_written(
    write_client: InProcessClient, write_env: ToolEnv
) -> None:
    with pytest.raises(ToolCallError) as caught:
        await write_client.save_schedule("alexia", WEEK, week_items(), {"validation_status": "APPROVED"})
    assert caught.value.code == "VALIDATION_ERROR" and "malformed" in caught.value.message
    assert row_count(write_env) == (0, 0)


async def test_every_item_problem_is_listed_and_nothing_is_written(
    write_client: InProcessClient, write_env: ToolEnv
) -> None:
    items: list[Any] = [
        {"send_type_key": "ppv_unlock", "scheduled_date": "2026-01-12", "scheduled_time": "12:07"},
        {"send_type_key": "teleport", "scheduled_date": "2026-01-05", "scheduled_time": "24:10", "price": 51},
        {"scheduled_date": "2026-01-05"},
        {
            "send_type_key": "bump_flyer",
            "scheduled_date": "2026-01-05",
            "scheduled_time": "09:08",
            "flyer_required": 2,
        },
        "not an item",
    ]
    with pytest.raises(ToolCallError) as caught:
        await write_client.save_schedule("alexia", WEEK, items)
    problems = caught.value.details["validation_errors"]
    assert caught.value.code == "VALIDATION_ERROR"
    assert [p.split(":")[0] for p in problems] == [
        "item[0]",
        "item[1]",
        "item[1]",
        "item[1]",
        "item[2]",
        "item[3]",
        "item[4]",
    ]
    assert "outside the week" in problems[0] and "missing send_type_key, scheduled_time" in problems[4]
    assert row_count(write_env) == (0, 0)


@pytest.mark.parametrize(
    ("creator", "week", "items", "code"),
    [
        ("ghost", WEEK, None, "CREATOR_NOT_FOUND"),
        ("alexia", "05/01/2026", None, "INVALID_DATE"),
        ("alexia", WEEK, [], "VALIDATION_ERROR"),
        ("alexia", WEEK, "too_many", "PAYLOAD_TOO_LARGE"),
    ],
)
async def test_bad_input_is_a_coded_error(
    write_client: InProcessClient, write_env: ToolEnv, creator: str, week: str, items: Any, code: str
) -> None:
    if items is None:
        items = week_items()
    if items == "too_many":
        items = [week_items()[1]] * 401
    with pytest.raises(ToolCallError) as caught:
        await write_client.save_schedule(creator, week, items)
    assert caught.value.code == code
    assert row_count(write_env) == (0, 0)


async def test_replacing_keeps_the_old_revision_and_honours_expected_revision(
    write_client: InProcessClient, write_env: ToolEnv
) -> None:
    items = week_items()
    first = await write_client.save_schedule(
        "alexia", WEEK, items, await certificate(write_client, write_env, items)
    )
    changed = week_items()
    changed[1]["scheduled_time"] = "15:22"
    second = await write_client.save_schedule("alexia", WEEK, changed, expected_revision=1)
    assert (second["revision"], second["replaced"], second["previous_status"]) == (2, True, "approved")
    assert second["previous_hash"] == first["schedule_hash"] != second["schedule_hash"]
    with pytest.raises(ToolCallError) as caught:
        await write_client.save_schedule("alexia", WEEK, items, expected_revision=1)
    assert caught.value.code == "CONFLICT"
    history = (await write_client.get_schedules(schedule_id=first["schedule_id"], include_revisions=True))[
        "schedules"
    ]
    assert history[0]["revision"] == 2
    assert [(r["revision"], r["status"], r["schedule_hash"]) for r in history[0]["revisions"]] == [
        (1, "approved", first["schedule_hash"])
    ]


async def test_queue_locks_and_records_caption_usage_then_complete_locks_for_good(
    write_client: InProcessClient, write_env: ToolEnv
) -> None:
    pool = await write_client.get_send_type_captions("alexia", "ppv_unlock", limit=1)
    caption = pool["captions"][0]
    assert caption["fresh"]
    items = week_items(caption_id=caption["caption_id"])
    saved = await write_client.save_schedule(
        "alexia", WEEK, items, await certificate(write_client, write_env, items)
    )
    with write_env.uow() as uow:
        uow.schedules.queue(saved["schedule_id"], write_env.now())
        uow.commit()
    with reading(write_env) as conn:
        usage = (
            conn.execute(
                select(caption_creator_usage).where(
                    caption_creator_usage.c.caption_id == caption["caption_id"],
                    caption_creator_usage.c.creator_id == saved["creator_id"],
                )
            )
            .mappings()
            .one()
        )
        global_uses = conn.execute(
            select(captions.c.global_times_used).where(captions.c.caption_id == caption["caption_id"])
        ).scalar()
    assert (
        usage["times_used"] == caption["creator_times_used"] + 1 and usage["last_used_date"] == "2026-01-05"
    )
    assert global_uses == caption["global_times_used"] + 1
    again = await write_client.get_send_type_captions("alexia", "ppv_unlock", limit=1)
    assert again["pool_stats"]["fresh_available"] == pool["pool_stats"]["fresh_available"] - 1
    assert again["captions"][0]["caption_id"] != caption["caption_id"]
    with pytest.raises(ToolCallError) as locked:
        await write_client.save_schedule("alexia", WEEK, items)
    assert locked.value.code == "SCHEDULE_LOCKED"
    with write_env.uow() as uow:
        uow.schedules.complete(saved["schedule_id"], write_env.now())
        uow.commit()
    with pytest.raises(ToolCallError) as completed:
        await write_client.save_schedule("alexia", WEEK, items)
    assert completed.value.code == "SCHEDULE_COMPLETED"
    assert (await write_client.get_schedules(status="completed"))["count"] == 1


async def test_only_approved_schedules_can_be_queued(
    write_client: InProcessClient, write_env: ToolEnv
) -> None:
    draft = await write_client.save_schedule("alexia", WEEK, week_items())
    with pytest.raises(ErosError) as caught, write_env.uow() as uow:
        uow.schedules.queue(draft["schedule_id"], write_env.now())
    assert caught.value.code == "INVALID_STATUS_TRANSITION"
    with pytest.raises(ErosError) as missing, write_env.uow() as uow:
        uow.schedules.complete(999, write_env.now())
    assert missing.value.code == "SCHEDULE_NOT_FOUND"


def test_concurrent_saves_of_one_creator_week_never_lose_an_update(write_env: ToolEnv) -> None:
    """Two threads save one week repeatedly: each save lands as its own revision or is a CONFLICT."""
    rounds = 8
    barrier = threading.Barrier(2)
    outcomes: dict[str, list[str]] = {"a": [], "b": []}

    def saver(name: str) -> None:
        items = week_items()
        items[1]["scheduled_time"] = "14:22" if name == "a" else "16:22"
        barrier.wait()
        for _ in range(rounds):
            try:
                save_schedule(write_env, "alexia", WEEK, items)
                outcomes[name].append("saved")
            except ErosError as exc:
                outcomes[name].append(exc.code)

    threads = [threading.Thread(target=saver, args=(name,)) for name in outcomes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results = outcomes["a"] + outcomes["b"]
    assert len(results) == 2 * rounds
    assert set(results) <= {"saved", "CONFLICT"}
    landed = results.count("saved")
    with reading(write_env) as conn:
        row = conn.execute(select(schedules.c.revision, schedules.c.schedule_id)).one()
        kept = conn.execute(
            select(schedule_revisions.c.revision).order_by(schedule_revisions.c.revision)
        ).scalars()
        revisions = list(kept)
    assert row.revision == landed
    assert revisions == list(range(1, landed))


def test_two_saves_from_the_same_revision_cannot_both_win(write_env: ToolEnv) -> None:
    save_schedule(write_env, "alexia", WEEK, week_items())
    barrier = threading.Barrier(2)
    codes: list[str] = []

    def saver() -> None:
        barrier.wait()
        try:
            save_schedule(write_env, "alexia", WEEK, week_items(), expected_revision=1)
            codes.append("saved")
        except ErosError as exc:
            codes.append(exc.code)

    threads = [threading.Thread(target=saver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == ["CONFLICT", "saved"]


async def test_get_schedules_filters_and_validates(write_client: InProcessClient, write_env: ToolEnv) -> None:
    await write_client.save_schedule("alexia", WEEK, week_items())
    await write_client.save_schedule("grace_bennett", WEEK, week_items())
    everything = await write_client.get_schedules(sort_by="week_start", sort_order="asc")
    assert everything["total_count"] == 2 and everything["schedules"][0]["items"] is None
    assert (await write_client.get_schedules(creator_id="GRACE_BENNETT"))["count"] == 1
    assert (await write_client.get_schedules(week_start="2026-01-12"))["count"] == 0
    page = await write_client.get_schedules(limit=1)
    assert page["has_more"] and page["count"] == 1
    bad: list[tuple[dict[str, Any], str]] = [
        ({"status": "sent"}, "INVALID_STATUS"),
        ({"week_start": "soon"}, "INVALID_DATE"),
        ({"sort_by": "hash"}, "INVALID_SORT_FIELD"),
        ({"limit": 0}, "INVALID_LIMIT"),
        ({"creator_id": "ghost"}, "CREATOR_NOT_FOUND"),
    ]
    for args, code in bad:
        with pytest.raises(ToolCallError) as caught:
            await write_client.get_schedules(**args)
        assert caught.value.code == code


async def test_certificates_expire_with_the_clock(write_client: InProcessClient, write_env: ToolEnv) -> None:
    items = week_items()
    cert = await certificate(write_client, write_env, items, issued_ago_s=0)
    assert isinstance(write_env.clock, FixedClock)
    write_env.clock.advance(timedelta(seconds=299))
    assert (await write_client.save_schedule("alexia", WEEK, items, cert))["status"] == "approved"
    write_env.clock.advance(timedelta(seconds=2))
    assert (await write_client.save_schedule("alexia", WEEK, items, cert))["status"] == "draft"


SAVER_SCRIPT = """
import json, sys
from eros.clock import FixedClock, parse_instant
from eros.db.engine import make_engine
from eros.errors import ErosError
from eros.db.unit_of_work import SqlUnitOfWork
from eros.tools import ToolEnv
from eros.tools.schedules import save_schedule

url, time_of_day, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
engine = make_engine(url)
env = ToolEnv(lambda: SqlUnitOfWork(engine), FixedClock(parse_instant("2026-01-04T12:00:00Z")), b"k")
items = [{"send_type_key": "bump_normal", "scheduled_date": "2026-01-05", "scheduled_time": time_of_day}]
sys.stdin.readline()
outcomes = []
for _ in range(rounds):
    try:
        save_schedule(env, "alexia", "2026-01-05", items)
        outcomes.append("saved")
    except ErosError as exc:
        outcomes.append(exc.code)
print(json.dumps(outcomes))
"""


def test_two_processes_saving_one_creator_week_never_lose_an_update(
    write_env: ToolEnv, sample_db: Engine
) -> None:
    """Two OS processes (separate connections and locks) race on the same creator-week."""
    rounds = 6
    url = sample_db.url.render_as_string(hide_password=False)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", SAVER_SCRIPT, url, time_of_day, str(rounds)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for time_of_day in ("14:22", "16:22")
    ]
    # Both have imported everything before either starts saving.
    outputs = [proc.communicate("go\n", timeout=120)[0] for proc in procs]
    results = [outcome for out in outputs for outcome in json.loads(out)]
    assert len(results) == 2 * rounds and set(results) <= {"saved", "CONFLICT"}
    with reading(write_env) as conn:
        revision = conn.execute(select(schedules.c.revision)).scalar_one()
        kept = list(
            conn.execute(
                select(schedule_revisions.c.revision).order_by(schedule_revisions.c.revision)
            ).scalars()
        )
    assert revision == results.count("saved")
    assert kept == list(range(1, revision))

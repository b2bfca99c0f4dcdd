"""Shadow mode against a real SQLite file (ARCHITECTURE D5): v4 returned and saved, v5 dry and compared."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from eros.bootstrap import Container, gate_recheck, pipeline_monitor
from eros.clock import FixedClock
from eros.config import Settings
from eros.control.shadow_diff import ComparisonOutcome
from eros.db.schema import content_types, creators, pipeline_runs, schedules, shadow_comparisons, vault_matrix
from eros.services.pipeline_run import PipelineResult, phase_metrics
from eros.services.shadow import ShadowComparator, shadow_report

WEEK = "2026-01-05"
NOW = "2026-01-04T12:00:00Z"


def _items(ppv_prices: Sequence[float], bumps: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = [
        {"send_type_key": "ppv_unlock", "scheduled_date": WEEK, "scheduled_time": "20:00", "price": p}
        for p in ppv_prices
    ]
    items += [
        {"send_type_key": "bump_normal", "scheduled_date": "2026-01-06", "scheduled_time": "10:00"}
    ] * bumps
    return items


class FakePipeline:
    """A runner that saves like a real pipeline unless dry_run, and reports what it was told."""

    def __init__(
        self,
        engine: Engine,
        name: str,
        *,
        items: list[dict[str, Any]],
        quality: float = 85.0,
        revenue: float = 1000.0,
        violations: Sequence[str] = (),
        success: bool = True,
        raises: Exception | None = None,
        hang: bool = False,
    ) -> None:
        self.engine, self.name, self.items = engine, name, items
        self.quality, self.revenue, self.violations = quality, revenue, list(violations)
        self.success, self.raises, self.hang = success, raises, hang
        self.calls: list[bool] = []

    async def __call__(self, creator_id: str, week_start: str, *, dry_run: bool = False) -> PipelineResult:
        self.calls.append(dry_run)
        if self.hang:
            await asyncio.Event().wait()
        if self.raises is not None:
            raise self.raises
        schedule_id = None
        if not dry_run:
            with self.engine.begin() as conn:
                conn.execute(schedules.delete().where(schedules.c.creator_id == creator_id))
                schedule_id = conn.execute(
                    schedules.insert().values(
                        creator_id=creator_id,
                        week_start=week_start,
                        week_end="2026-01-11",
                        status="draft",
                        schedule_hash="h",
                        items_json=json.dumps(self.items),
                        generator=self.name,
                        created_at=NOW,
                        updated_at=NOW,
                    )
                ).inserted_primary_key[0]
        return PipelineResult(
            success=self.success,
            creator_id=creator_id,
            week_start=week_start,
            pipeline=self.name,
            schedule_id=schedule_id,
            quality_score=self.quality,
            total_items=len(self.items),
            hard_gate_violations=len(self.violations),
            expected_revenue=self.revenue,
            errors=[] if self.success else ["generator gave up"],
            metrics={"total": phase_metrics("total", 1500.0, 4 if self.name == "v5" else 52)},
            schedule={"items": self.items},
            validation={"violations": [{"code": c, "message": c} for c in self.violations]},
            dry_run=dry_run,
        )


def _container(engine: Engine, clock: FixedClock) -> Container:
    return Container(settings=Settings(db_url=str(engine.url)), clock=clock, _engine=engine)


def _comparator(engine: Engine, clock: FixedClock, **parts: Any) -> ShadowComparator:
    return ShadowComparator(_container(engine, clock).uow, clock, **parts)


async def _no_recheck(creator_id: str, week_start: str, items: Sequence[Mapping[str, Any]]) -> list[str]:
    raise AssertionError("no v5 violation, so no re-check")


@pytest.fixture
def db(empty_db: Engine) -> Engine:
    with empty_db.begin() as conn:
        conn.execute(
            creators.insert().values(
                creator_id="alexia", page_name="alexia", display_name="Alexia", page_type="paid"
            )
        )
    return empty_db


def _saved_generators(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(select(schedules.c.generator))]


def _comparisons(engine: Engine) -> list[Mapping[str, Any]]:
    with engine.connect() as conn:
        return list(conn.execute(select(shadow_comparisons)).mappings())


async def test_v4_is_returned_and_saved_v5_runs_dry_and_is_compared(db: Engine, clock: FixedClock) -> None:
    v4 = FakePipeline(db, "v4", items=_items([20.0, 15.0], 2), quality=80.0, revenue=900.0)
    v5 = FakePipeline(db, "v5", items=_items([25.0], 3), quality=88.5, revenue=1100.0)
    result = await _comparator(db, clock, v4_runner=v4, v5_runner=v5, recheck=_no_recheck).run("alexia", WEEK)

    assert result.pipeline == "v4"
    assert v4.calls == [False] and v5.calls == [True]
    assert _saved_generators(db) == ["v4"]
    [row] = _comparisons(db)
    assert row["outcome"] == ComparisonOutcome.MISMATCHED
    assert row["quality_diff"] == pytest.approx(8.5)
    assert row["revenue_diff"] == pytest.approx(200.0)
    assert (row["v4_mcp_calls"], row["v5_mcp_calls"]) == (52, 4)
    assert (row["v4_duration_ms"], row["v5_duration_ms"]) == (1500.0, 1500.0)
    details = json.loads(row["details_json"])
    assert details["v4"]["ppv_count"] == 2 and details["v4"]["ppv_prices"] == [15.0, 20.0]
    assert details["v5"]["per_day_category"] == {WEEK: {"revenue": 1}, "2026-01-06": {"engagement": 3}}


async def test_identical_structures_match(db: Engine, clock: FixedClock) -> None:
    items = _items([20.0], 1)
    comparator = _comparator(
        db,
        clock,
        v4_runner=FakePipeline(db, "v4", items=items),
        v5_runner=FakePipeline(db, "v5", items=items),
        recheck=_no_recheck,
    )
    await comparator.run("alexia", WEEK)
    assert comparator.last_comparison is not None
    assert comparator.last_comparison.outcome == ComparisonOutcome.MATCHED


async def test_v5_exception_is_recorded_not_raised(db: Engine, clock: FixedClock) -> None:
    v4 = FakePipeline(db, "v4", items=_items([20.0], 1))
    v5 = FakePipeline(db, "v5", items=[], raises=RuntimeError("optimizer exploded"))
    result = await _comparator(db, clock, v4_runner=v4, v5_runner=v5, recheck=_no_recheck).run("alexia", WEEK)

    assert result.success and result.pipeline == "v4"
    [row] = _comparisons(db)
    assert row["outcome"] == ComparisonOutcome.V5_ERROR
    assert row["v5_error"].startswith("RuntimeError: optimizer exploded")


async def test_v5_timeout_is_recorded_and_v4_still_returned(db: Engine, clock: FixedClock) -> None:
    v4 = FakePipeline(db, "v4", items=_items([20.0], 1))
    v5 = FakePipeline(db, "v5", items=[], hang=True)
    result = await _comparator(
        db, clock, v4_runner=v4, v5_runner=v5, timeout_s=0.01, recheck=_no_recheck
    ).run("alexia", WEEK)

    assert result.pipeline == "v4"
    [row] = _comparisons(db)
    assert row["outcome"] == ComparisonOutcome.V5_TIMEOUT
    assert "exceeded" in row["v5_error"]


async def test_v4_exception_is_raised_and_recorded(db: Engine, clock: FixedClock) -> None:
    v4 = FakePipeline(db, "v4", items=[], raises=ValueError("legacy broke"))
    v5 = FakePipeline(db, "v5", items=_items([20.0], 1))
    with pytest.raises(ValueError, match="legacy broke"):
        await _comparator(db, clock, v4_runner=v4, v5_runner=v5, recheck=_no_recheck).run("alexia", WEEK)
    [row] = _comparisons(db)
    assert row["outcome"] == ComparisonOutcome.V4_ERROR
    assert v5.calls == []


async def test_unconfirmed_v5_gate_violations_count_as_false_positives(db: Engine, clock: FixedClock) -> None:
    rechecked: list[str] = []

    async def recheck(creator_id: str, week_start: str, items: Sequence[Mapping[str, Any]]) -> list[str]:
        rechecked.append(creator_id)
        return ["VAULT_VIOLATION"]

    v4 = FakePipeline(db, "v4", items=_items([20.0], 1))
    v5 = FakePipeline(
        db,
        "v5",
        items=_items([20.0], 1),
        violations=["VAULT_VIOLATION", "AVOID_TIER_VIOLATION", "VAULT_VIOLATION"],
    )
    await _comparator(db, clock, v4_runner=v4, v5_runner=v5, recheck=recheck).run("alexia", WEEK)

    [row] = _comparisons(db)
    assert rechecked == ["alexia"]
    assert row["hard_gate_false_positives"] == 2
    details = json.loads(row["details_json"])
    assert sorted(details["false_positive_codes"]) == ["AVOID_TIER_VIOLATION", "VAULT_VIOLATION"]
    assert details["hard_gate_regression"] is True


async def test_confirmed_violations_are_not_false_positives(db: Engine, clock: FixedClock) -> None:
    async def recheck(creator_id: str, week_start: str, items: Sequence[Mapping[str, Any]]) -> list[str]:
        return ["VAULT_VIOLATION"]

    v4 = FakePipeline(db, "v4", items=_items([20.0], 1))
    v5 = FakePipeline(db, "v5", items=_items([20.0], 1), violations=["VAULT_VIOLATION"], success=False)
    await _comparator(db, clock, v4_runner=v4, v5_runner=v5, recheck=recheck).run("alexia", WEEK)
    [row] = _comparisons(db)
    assert row["hard_gate_false_positives"] == 0
    assert row["outcome"] == ComparisonOutcome.V5_FAILED


async def test_daily_report_aggregates_one_day(db: Engine, clock: FixedClock) -> None:
    v4 = FakePipeline(db, "v4", items=_items([20.0], 1), quality=82.0)
    v5 = FakePipeline(db, "v5", items=_items([20.0], 1), quality=74.0)
    good = _comparator(db, clock, v4_runner=v4, v5_runner=v5, recheck=_no_recheck)
    broken = FakePipeline(db, "v5", items=[], raises=RuntimeError("x"))
    bad = _comparator(db, clock, v4_runner=v4, v5_runner=broken, recheck=_no_recheck)
    await good.run("alexia", WEEK)
    await bad.run("alexia", WEEK)
    clock.advance(timedelta(days=1))
    await good.run("alexia", WEEK)

    report = shadow_report(_container(db, clock).uow, clock, "2026-01-04")
    assert report.summary.comparisons == 2
    assert report.summary.v5_failures == 1
    assert report.summary.v5_failure_rate == 0.5
    assert report.summary.quality_diff_avg == pytest.approx(-8.0)
    assert [f["outcome"] for f in report.failures] == [ComparisonOutcome.V5_ERROR]
    assert report.per_creator[0]["runs"] == 2
    assert "Phase 0 criterion quality_diff_avg > -5 not met (value -8)" in report.attention
    assert "rollback trigger v5_failure_rate > 0.2 fired (value 0.5)" in report.attention
    assert shadow_report(_container(db, clock).uow, clock).summary.comparisons == 1
    with db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(shadow_comparisons)).scalar_one() == 3


async def test_monitored_shadow_records_v4_live_and_v5_as_shadow(db: Engine, clock: FixedClock) -> None:
    container = _container(db, clock)
    monitor = pipeline_monitor(container)
    v4 = FakePipeline(db, "v4", items=_items([20.0], 1))
    v5 = FakePipeline(db, "v5", items=[], raises=RuntimeError("boom"))
    comparator = ShadowComparator(
        container.uow, clock, v4_runner=v4, v5_runner=v5, monitor=monitor, recheck=_no_recheck
    )
    await comparator.run("alexia", WEEK)

    with db.connect() as conn:
        runs = {r["run_id"]: r for r in conn.execute(select(pipeline_runs)).mappings()}
    [row] = _comparisons(db)
    assert runs[row["v4_run_id"]]["shadow"] is False and runs[row["v4_run_id"]]["success"] is True
    assert runs[row["v5_run_id"]]["shadow"] is True and runs[row["v5_run_id"]]["success"] is False
    assert monitor.stats("v5").runs == 0, "a shadow run must not count toward the live v5 SLOs"


async def test_a_dry_shadow_run_saves_nothing(db: Engine, clock: FixedClock) -> None:
    v4 = FakePipeline(db, "v4", items=_items([20.0], 1))
    v5 = FakePipeline(db, "v5", items=_items([20.0], 1))
    comparator = _comparator(db, clock, v4_runner=v4, v5_runner=v5, recheck=_no_recheck)
    await comparator.run("alexia", WEEK, dry_run=True)
    assert (v4.calls, v5.calls) == ([True], [True])
    assert _saved_generators(db) == []
    assert len(_comparisons(db)) == 1


def _vault(engine: Engine, creator_id: str) -> list[str]:
    query = (
        select(content_types.c.type_name)
        .join(vault_matrix, vault_matrix.c.content_type_id == content_types.c.content_type_id)
        .where(vault_matrix.c.creator_id == creator_id, vault_matrix.c.has_content.is_(True))
        .order_by(content_types.c.type_name)
    )
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(query)]


async def test_fresh_recheck_confirms_real_vault_violations_and_flags_invented_ones(
    sample_db: Engine, clock: FixedClock
) -> None:
    container = Container(
        settings=Settings(db_url=str(sample_db.url), signing_key="test-signing-key-not-secret"),
        clock=clock,
        _engine=sample_db,
    )
    recheck = gate_recheck(container)
    in_vault = _vault(sample_db, "alexia")[0]
    ppv = {"send_type_key": "ppv_unlock", "scheduled_date": WEEK, "scheduled_time": "20:00", "price": 20.0}
    clean = await recheck("alexia", WEEK, [{**ppv, "content_type": in_vault, "flyer_required": 1}])
    broken = await recheck("alexia", WEEK, [{**ppv, "content_type": "not_in_any_vault", "flyer_required": 1}])
    assert "VAULT_VIOLATION" not in clean
    assert "VAULT_VIOLATION" in broken

    v4 = FakePipeline(sample_db, "v4", items=[])
    v5 = FakePipeline(
        sample_db,
        "v5",
        items=[{**ppv, "content_type": in_vault, "flyer_required": 1}],
        violations=["VAULT_VIOLATION"],
    )
    comparator = ShadowComparator(container.uow, clock, v4_runner=v4, v5_runner=v5, recheck=recheck)
    await comparator.run("alexia", WEEK)
    assert comparator.last_comparison is not None
    assert comparator.last_comparison.hard_gate_false_positives == 1

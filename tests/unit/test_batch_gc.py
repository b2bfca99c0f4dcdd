"""BatchGC: a batch freezes the warm heap once and leaves the collector as it found it."""

from __future__ import annotations

import gc

import pytest

from eros.cli.batch_runtime import BATCH_GEN0_THRESHOLD, BatchGC


def test_a_batch_raises_the_young_threshold_freezes_once_and_restores_everything(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = gc.get_threshold()
    collections: list[int] = []
    real_collect = gc.collect

    def counted(generation: int = 2) -> int:
        collections.append(generation)
        return real_collect(generation)

    monkeypatch.setattr(gc, "collect", counted)
    with BatchGC() as batch_gc:
        assert gc.get_threshold() == (max(BATCH_GEN0_THRESHOLD, before[0]), *before[1:])
        assert gc.get_freeze_count() == 0
        batch_gc.settle()
        frozen = gc.get_freeze_count()
        assert frozen > 0
        batch_gc.settle()
        batch_gc.settle()
        assert collections == [2]  # only the first settle collects (fully)
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_a_failing_batch_restores_the_collector_too() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), BatchGC() as batch_gc:
        batch_gc.settle()
        raise RuntimeError("creator failed")
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0

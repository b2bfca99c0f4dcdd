"""Benchmarks are scripts no test runs end to end; at least each must import and have a main."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture
def on_benchmark_path() -> Iterator[None]:
    sys.path.insert(0, str(BENCHMARKS))
    yield
    sys.path.remove(str(BENCHMARKS))


@pytest.mark.parametrize("script", sorted(p.stem for p in BENCHMARKS.glob("[!_]*.py")))
def test_every_benchmark_imports_and_has_a_main(script: str, on_benchmark_path: None) -> None:
    module = importlib.import_module(script)
    assert callable(getattr(module, "main", None))

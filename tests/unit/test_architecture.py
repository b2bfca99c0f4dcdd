"""The dependency rule, read from the package's own imports (ast only; docs/ARCHITECTURE.md).

Every `import` counts, including those inside functions, except the ones under
`if TYPE_CHECKING:` (they never run). Importing `a.b.c` also runs `a/__init__` and
`a/b/__init__`, so an import depends on every package above its target too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest

import eros

ROOT = Path(eros.__file__).resolve().parent

#: The pure core: no database, no MCP, no environment, no processes, no network.
PURE_PACKAGES = ("eros.rules", "eros.scheduling", "eros.validation", "eros.control", "eros.learning")
FORBIDDEN_IN_PURE = ("sqlalchemy", "alembic", "mcp", "os", "subprocess", "httpx", "socket", "eros.bootstrap")

#: Entry points, the only importers of the composition root (the runbook's modules are entry
#: points for operators: their no-argument constructors read the configured installation).
ENTRY_POINTS = (
    "eros.cli",
    "eros.web",
    "eros.worker",
    "eros.tasks",
    "eros.tools.__main__",
    "eros.router",
    "eros.monitoring",
    "eros.rollback",
    "eros.rollout",
    "eros.comparator",
    "eros.preflight",
    "eros.orchestrator",
    "eros.adapters",
)


@dataclass
class Module:
    name: str
    path: Path
    eros_imports: set[str] = field(default_factory=set)
    external: set[str] = field(default_factory=set)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node except what sits under `if TYPE_CHECKING:`."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from (n for child in node.orelse for n in [child, *_runtime_nodes(child)])
            continue
        yield node
        yield from _runtime_nodes(node)


@cache
def modules() -> dict[str, Module]:
    found = {
        _module_name(p): Module(_module_name(p), p) for p in ROOT.rglob("*.py") if "migrations" not in p.parts
    }
    for module in found.values():
        is_package = module.path.name == "__init__.py"
        package = module.name if is_package else module.name.rpartition(".")[0]
        for node in _runtime_nodes(ast.parse(module.path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, *([base] if base else [])])
                targets = [f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in found]
                targets = targets or [base]
            for target in targets:
                if target == "eros" or target.startswith("eros."):
                    module.eros_imports.update(
                        _with_parents(target, found) - _with_parents(module.name, found)
                    )
                else:
                    module.external.add(
                        target.split(".")[0] if target.split(".")[0] != "mcp_types" else "mcp"
                    )
        module.eros_imports.discard(module.name)
    return found


def _with_parents(target: str, found: dict[str, Module]) -> set[str]:
    """The module an import runs and every package above it (but not `eros` itself, which is empty).

    A module's own enclosing packages are subtracted by the caller: they are already running
    when it runs, so a package `__init__` re-exporting its submodules is no cycle.
    """
    while target not in found and "." in target:
        target = target.rpartition(".")[0]
    parts = target.split(".")
    return {".".join(parts[:i]) for i in range(2, len(parts) + 1)}


def cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    graph = {name: sorted(m.eros_imports & modules().keys()) for name, m in modules().items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for name in sorted(graph):
        if name not in index:
            visit(name)
    return found


def closure(name: str) -> set[str]:
    """Every eros module importing `name` runs, transitively."""
    seen: set[str] = set()
    todo = [name]
    while todo:
        current = todo.pop()
        for target in modules()[current].eros_imports:
            if target not in seen and target in modules():
                seen.add(target)
                todo.append(target)
    return seen


def _in(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def test_there_are_no_import_cycles() -> None:
    assert cycles() == []


def test_only_entry_points_import_the_composition_root() -> None:
    importers = sorted(n for n, m in modules().items() if "eros.bootstrap" in m.eros_imports)
    assert [n for n in importers if not _in(n, ENTRY_POINTS)] == []


@pytest.mark.parametrize("package", PURE_PACKAGES)
def test_the_pure_core_reaches_no_io(package: str) -> None:
    members = [n for n in modules() if _in(n, (package,))]
    assert members, f"{package} has no modules"
    reached: dict[str, set[str]] = {}
    for member in members:
        for module in {member, *closure(member)}:
            bad = {x for x in modules()[module].external if x in FORBIDDEN_IN_PURE}
            bad |= {x for x in modules()[module].eros_imports if x in FORBIDDEN_IN_PURE}
            if bad:
                reached[module] = bad
    assert reached == {}


def test_the_pure_core_imports_no_services_or_adapters() -> None:
    outer = ("eros.services", "eros.infra", "eros.db", "eros.tools", "eros.cli", "eros.legacy")
    leaks = {
        n: sorted(t for t in m.eros_imports if _in(t, outer))
        for n, m in modules().items()
        if _in(n, PURE_PACKAGES)
    }
    assert {n: t for n, t in leaks.items() if t} == {}


def test_services_reach_the_database_only_through_the_unit_of_work_port() -> None:
    """No service imports SQLAlchemy or the db package when it runs (the port names them for types)."""
    leaks = {
        n: sorted({t for t in m.eros_imports if _in(t, ("eros.db",))} | (m.external & {"sqlalchemy"}))
        for n, m in modules().items()
        if _in(n, ("eros.services",))
    }
    assert {n: t for n, t in leaks.items() if t} == {}


def test_services_take_ports_not_the_container() -> None:
    """Services and adapters never see `Container` (only bootstrap and entry points build one)."""
    inner = ("eros.services", "eros.infra", "eros.tools", "eros.legacy", "eros.db", *PURE_PACKAGES)
    users = sorted(
        n for n, m in modules().items() if _in(n, inner) and "Container" in m.path.read_text(encoding="utf-8")
    )
    assert users == []


def test_the_web_app_shares_code_with_the_cli_through_services_not_through_the_cli() -> None:
    """An entry point reaching into another's modules would make the CLI a library of the web app."""
    leaks = {
        n: sorted(t for t in m.eros_imports if _in(t, ("eros.cli",)))
        for n, m in modules().items()
        if _in(n, ("eros.web",))
    }
    assert {n: t for n, t in leaks.items() if t} == {}


# --- the checker checks itself: a cycle and a reach-in it must find -------------------------------


def test_the_cycle_finder_finds_a_planted_cycle(monkeypatch: pytest.MonkeyPatch) -> None:
    planted = {
        "eros.a": Module("eros.a", ROOT, {"eros.b"}),
        "eros.b": Module("eros.b", ROOT, {"eros.c"}),
        "eros.c": Module("eros.c", ROOT, {"eros.a"}),
        "eros.d": Module("eros.d", ROOT, {"eros.a"}),
    }
    monkeypatch.setattr(f"{__name__}.modules", lambda: planted)
    assert cycles() == [["eros.a", "eros.b", "eros.c"]]
    assert closure("eros.d") == {"eros.a", "eros.b", "eros.c"}


def test_imports_under_type_checking_do_not_count() -> None:
    tree = ast.parse("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import os\nimport json\n")
    imported = [a.name for n in _runtime_nodes(tree) if isinstance(n, ast.Import) for a in n.names]
    assert imported == ["json"]


def test_an_import_inside_a_function_counts() -> None:
    tree = ast.parse("def f():\n    import subprocess\n")
    imported = [a.name for n in _runtime_nodes(tree) if isinstance(n, ast.Import) for a in n.names]
    assert imported == ["subprocess"]


if __name__ == "__main__":  # `python tests/unit/test_architecture.py`: the figures behind the tests
    for component in cycles():
        print(f"cycle of {len(component)}: {' '.join(component)}")
    importers = sorted(n for n, m in modules().items() if "eros.bootstrap" in m.eros_imports)
    print(f"import eros.bootstrap ({len(importers)}): {' '.join(importers)}")
    outside = [n for n in importers if not _in(n, ENTRY_POINTS)]
    print(f"  of which not entry points ({len(outside)}): {' '.join(outside)}")
    top = sorted(n for n, m in modules().items() if n.count(".") == 1 and m.path.name != "__init__.py")
    lines = sum(len(modules()[n].path.read_text(encoding="utf-8").splitlines()) for n in top)
    print(f"top-level modules: {len(top)} ({lines} lines)")
    sizes = sorted(((len(m.path.read_text(encoding="utf-8").splitlines()), n) for n, m in modules().items()))
    print("largest: " + ", ".join(f"{n} {size}" for size, n in reversed(sizes[-6:])))

"""The package's structure: dependencies point one way, and never in a circle.

transport -> live -> api -> (settings, registry, exceptions); schema_gen imports nothing
of the runtime. Function-level imports count: a cycle hidden in a function is a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("drf_graphql_live", "schema_gen")
#: Each layer may import the layers after it, never those before it.
LAYERS = ["transport", "live", "api"]
CORE = {"settings", "registry", "exceptions", "limits"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {
        module_name(path): path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    }


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """Every module of ours ``name`` imports, anywhere in the file."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {
        name: {
            target
            for target in imports_of(name, path, known)
            # a package re-exporting its own children is not a cycle of design
            if not (path.name == "__init__.py" and target.startswith(name + "."))
        }
        for name, path in found.items()
    }


def layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "drf_graphql_live" or len(parts) < 2:
        return None
    return parts[1] if parts[1] in LAYERS else ("core" if parts[1] in CORE else None)


def test_no_import_cycles_function_level_imports_included():
    edges = graph()
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for target in sorted(edges[node]):
            if state.get(target) == 1:
                cycle = [*stack[stack.index(target) :], target]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)


def test_dependencies_point_from_transport_to_live_to_api_to_core():
    order = [*LAYERS, "core"]
    wrong = sorted(
        f"{source} -> {target}"
        for source, targets in graph().items()
        for target in targets
        if (a := layer(source)) is not None
        and (b := layer(target)) is not None
        and order.index(b) < order.index(a)
    )
    assert wrong == []


def test_schema_gen_imports_nothing_of_the_runtime():
    wrong = sorted(
        f"{source} -> {target}"
        for source, targets in graph().items()
        if source.startswith("schema_gen")
        for target in targets
        if target.startswith("drf_graphql_live")
    )
    assert wrong == []


def test_no_module_is_longer_than_400_lines():
    long = {
        name: n
        for name, path in modules().items()
        if (n := len(path.read_text().splitlines())) > 400
    }
    assert long == {}

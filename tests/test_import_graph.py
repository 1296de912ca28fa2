"""The project's modules import each other without a cycle, and every package is shipped.

The graph is read from the source with `ast`, so imports inside functions count as much as those at
the top: a cycle hidden in a function still ties two modules together, and breaks the day someone
moves the import up. An edge goes to the module imported (`from a.b import c` reaches the
submodule a.b.c when there is one, else the package a.b); the parent packages a package import
also runs are not edges, or every package whose __init__ re-exports its modules would be a cycle.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

from tests.conftest import REPO


def _packages() -> list[str]:
    return tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]


def _modules() -> dict[str, Path]:
    """Every module of the project's top-level packages, by dotted name."""
    out: dict[str, Path] = {}
    for top in sorted({p.split(".")[0] for p in _packages()}):
        for path in sorted((REPO / top).rglob("*.py")):
            parts = list(path.relative_to(REPO).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join(parts)] = path
    return out


def import_graph() -> dict[str, set[str]]:
    """{module: the project's modules it imports, anywhere in its source}."""
    modules = _modules()

    def known(name: str) -> str | None:
        while name and name not in modules:  # `import a.b.function_module_attr` -> a.b
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                edges |= {t for a in node.names if (t := known(a.name))}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(parent + ([node.module] if node.module else []))
                for alias in node.names:
                    target = f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else known(base)
                    if target:
                        edges.add(target)
        edges.discard(name)
        graph[name] = edges
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as [a, b, ..., a], or None when it is acyclic."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_the_project_has_no_import_cycle():
    graph = import_graph()
    assert len(graph) > 50 and "index.search.searcher" in graph["index.search"]
    assert graph["app.readiness_cli"] >= {"app.links"}  # function-level imports are read too
    assert "index.followup" in graph["app.readiness_cli"]
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_cycle_finder_names_the_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_every_package_is_shipped():
    packages = {name for name, path in _modules().items() if path.name == "__init__.py"}
    assert packages == set(_packages())

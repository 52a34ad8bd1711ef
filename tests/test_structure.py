"""The shape of the code: bot imports index, never the reverse; no import cycles; short modules."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support.articles import REPO_ROOT

PACKAGES = ("bot", "index")
MAX_LINES = 300


def module_files() -> dict[str, Path]:
    """Every module of the packages, by dotted name (a package by its own name)."""
    modules: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((REPO_ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(REPO_ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", "")
    return name == "TYPE_CHECKING"


def imported_names(module: str, path: Path) -> set[str]:
    """Dotted names a module imports, anywhere in it (late imports too), but not for typing.

    `from a.b import c` gives `a.b.c`, which names module a.b.c when there is one, else a.b.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    names: set[str] = set()
    pending: list[ast.AST] = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.If) and _type_checking_only(node):
            pending.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = module.split(".")
                drop = node.level - 1 if is_package else node.level
                parent = parent[: len(parent) - drop]
                base = ".".join([*parent, base] if base else parent)
            names.update(f"{base}.{alias.name}" for alias in node.names)
        pending.extend(ast.iter_child_nodes(node))
    return names


def import_graph() -> dict[str, set[str]]:
    """Module -> the modules of bot and index it imports (the deepest module each name names)."""
    modules = module_files()
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        targets: set[str] = set()
        for name in imported_names(module, path):
            parts = name.split(".")
            while parts and ".".join(parts) not in modules:
                parts.pop()
            if parts and ".".join(parts) != module:
                targets.add(".".join(parts))
        graph[module] = targets
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_the_graph_sees_relative_late_and_package_imports() -> None:
    graph = import_graph()
    assert "index.search" in graph
    assert "index" in graph["bot.answers.answerer"] or any(
        target.startswith("index.") for target in graph["bot.answers.answerer"]
    )


def test_cycles_are_found_in_a_made_up_graph() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_index_never_imports_bot() -> None:
    graph = import_graph()
    upward = sorted(
        f"{module} imports {target}"
        for module, targets in graph.items()
        if module.split(".")[0] == "index"
        for target in targets
        if target.split(".")[0] == "bot"
    )
    assert not upward, "index must not import bot:\n" + "\n".join(upward)


def test_no_import_cycle_in_bot_or_index() -> None:
    found = cycles(import_graph())
    assert not found, "modules that import one another in a circle:\n" + "\n".join(
        " <-> ".join(group) for group in found
    )


def test_no_module_in_bot_or_index_exceeds_300_lines() -> None:
    long = sorted(
        (len(path.read_text(encoding="utf-8").splitlines()), str(path.relative_to(REPO_ROOT)))
        for path in module_files().values()
    )
    offenders = [f"{name}: {lines} lines" for lines, name in long if lines > MAX_LINES]
    assert not offenders, f"modules over {MAX_LINES} lines (split them):\n" + "\n".join(offenders)

"""The package's imports run one way: no cycles among modules, and the
language server depends on the library only (never on the CLI layer).

The graph is read from the source with `ast`, every import counted: those at
module level, inside functions (lazy) and under TYPE_CHECKING alike, since a
lazy import back up the layers is still a circle in the design."""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = {"reviewer": ROOT / "reviewer", "reviewer_lsp": ROOT / "lsp" / "reviewer_lsp"}


def _module_files() -> dict[str, Path]:
    modules: dict[str, Path] = {}
    for name, directory in PACKAGES.items():
        for path in sorted(directory.rglob("*.py")):
            parts = [name, *path.relative_to(directory).with_suffix("").parts]
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def _imported_names(module: str, path: Path, modules: dict[str, Path]) -> Iterator[str]:
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            for alias in node.names:
                # `from pkg import sub` imports the submodule when there is one.
                submodule = f"{base}.{alias.name}"
                yield submodule if submodule in modules else base


@functools.cache
def import_graph() -> dict[str, set[str]]:
    """module -> the package modules it imports (the nearest package module
    for a name that is not one, such as `reviewer.config.Config`)."""
    modules = _module_files()
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        targets: set[str] = set()
        for name in _imported_names(module, path, modules):
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name and name != module:
                targets.add(name)
        graph[module] = targets
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles() -> None:
    assert cycles(import_graph()) == []


def test_language_server_depends_on_the_library_only() -> None:
    graph = import_graph()
    upward = {
        (module, target)
        for module, targets in graph.items()
        if module.startswith("reviewer_lsp")
        for target in targets
        if target == "reviewer.cli" or target.startswith("reviewer.commands")
    }
    assert upward == set()


def test_the_library_never_imports_the_cli_layer() -> None:
    graph = import_graph()
    upward = {
        (module, target)
        for module, targets in graph.items()
        if module.startswith("reviewer.")
        and module != "reviewer.cli"
        and not module.startswith("reviewer.commands")
        and module != "reviewer.__main__"
        for target in targets
        if target == "reviewer.cli" or target.startswith("reviewer.commands")
    }
    assert upward == set()


def test_the_graph_sees_imports() -> None:
    # The walker itself: a known lazy import and a known top-level one.
    graph = import_graph()
    assert "reviewer.commands.diff" in graph["reviewer.cli"]
    assert "reviewer.engine" in graph["reviewer_lsp.server"]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_only_the_cli_starts_the_language_server() -> None:
    graph = import_graph()
    importers = {
        module
        for module, targets in graph.items()
        if not module.startswith("reviewer_lsp")
        for target in targets
        if target.startswith("reviewer_lsp")
    }
    assert importers == {"reviewer.cli"}


def test_findings_sit_at_the_bottom() -> None:
    # Every layer speaks in Findings and Severities; they depend on nothing.
    assert import_graph()["reviewer.findings"] == set()

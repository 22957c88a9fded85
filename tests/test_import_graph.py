"""The package's import graph has no cycles, and its layers stay where they are.

A small script over :mod:`ast` (run it directly to print the graph). It reads
every module of ``python/specsearch`` and keeps its imports of other
``specsearch`` modules: module-level ones and, stricter than needed, the
function-local ones too (``select`` imports the backend it picks inside a
function, ``importlib.import_module("...")`` with a literal name included),
since a cycle through a lazy import is still a cycle for a reader. Left out,
on purpose:

- imports under ``if TYPE_CHECKING:`` (they never run);
- the implicit import of a parent package (``import specsearch.pure.index``
  runs ``specsearch/pure/__init__.py`` first): a package's ``__init__`` only
  re-exports, and counting it would make every re-export a cycle.

``from specsearch.pure import store`` counts as an import of
``specsearch.pure.store`` when that is a module, else of ``specsearch.pure``.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "python" / "specsearch"

Graph = dict[str, set[str]]


def module_name(path: Path, package: Path = PACKAGE) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(node: ast.AST) -> list[ast.Import | ast.ImportFrom | str]:
    """Every import that can run, in any scope; ``import_module`` calls as names."""
    found: list[ast.Import | ast.ImportFrom | str] = []
    if isinstance(node, ast.Import | ast.ImportFrom):
        return [node]
    if isinstance(node, ast.If) and _is_type_checking(node.test):
        children: list[ast.AST] = list(node.orelse)
    else:
        children = list(ast.iter_child_nodes(node))
    if (
        isinstance(node, ast.Call)
        and ast.unparse(node.func).endswith("import_module")
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        found.append(node.args[0].value)
    for child in children:
        found.extend(_imports(child))
    return found


def build_graph(package: Path = PACKAGE) -> Graph:
    """``module -> the specsearch modules it imports``."""
    paths = {module_name(p, package): p for p in sorted(package.rglob("*.py"))}
    known = set(paths) | {"specsearch._native"}
    graph: Graph = {}
    for name, path in paths.items():
        is_package = path.name == "__init__.py"
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        targets: set[str] = set()
        for node in _imports(tree):
            if isinstance(node, str):
                targets.add(node)
                continue
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
                continue
            base = node.module or ""
            if node.level:
                anchor = name.split(".")
                drop = node.level - 1 if is_package else node.level
                anchor = anchor[: len(anchor) - drop] if drop else anchor
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                child = f"{base}.{alias.name}"
                targets.add(child if child in known else base)
        graph[name] = {t for t in targets if t in known and t != name}
    return graph


def find_cycle(graph: Graph) -> list[str] | None:
    """One import cycle (its modules, first repeated at the end), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found is not None:
                    return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start)
            if found is not None:
                return found
    return None


def format_graph(graph: Graph) -> str:
    short = {name: name.removeprefix("specsearch.") for name in graph}
    lines = []
    for name in sorted(graph):
        deps = ", ".join(sorted(t.removeprefix("specsearch.") for t in graph[name]))
        lines.append(f"{short[name]} -> {deps or '-'}")
    return "\n".join(lines)


# --- tests -------------------------------------------------------------------


def test_the_package_has_no_import_cycle() -> None:
    graph = build_graph()
    assert "specsearch.backend" in graph
    assert find_cycle(graph) is None, format_graph(graph)


def test_the_checker_finds_a_cycle(tmp_path: Path) -> None:
    package = tmp_path / "specsearch"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("from specsearch.a import A\n", encoding="utf-8")
    (package / "a.py").write_text(
        "from typing import TYPE_CHECKING\nfrom specsearch.sub import b\n"
        "if TYPE_CHECKING:\n    from specsearch.c import C\nelse:\n    import specsearch.d\n",
        encoding="utf-8",
    )
    (package / "sub" / "__init__.py").write_text("", encoding="utf-8")
    (package / "sub" / "b.py").write_text("from .. import c\n", encoding="utf-8")
    (package / "d.py").write_text("", encoding="utf-8")
    (package / "c.py").write_text(
        "def f() -> None:\n    importlib.import_module('specsearch.a')\n", encoding="utf-8"
    )
    graph = build_graph(package)
    assert graph["specsearch.a"] == {"specsearch.sub.b", "specsearch.d"}
    assert graph["specsearch.sub.b"] == {"specsearch.c"}
    assert graph["specsearch.c"] == {"specsearch.a"}
    assert graph["specsearch"] == {"specsearch.a"}
    assert find_cycle(graph) == ["specsearch.a", "specsearch.sub.b", "specsearch.c", "specsearch.a"]
    (package / "c.py").write_text("X = 1\n", encoding="utf-8")
    assert find_cycle(build_graph(package)) is None


def test_layers() -> None:
    graph = build_graph()
    # The Protocol modules depend on nothing but errors and value types.
    assert graph["specsearch.protocols"] <= {"specsearch.errors", "specsearch.types"}
    assert graph["specsearch.backend"] <= {
        "specsearch.errors",
        "specsearch.types",
        "specsearch.protocols",
        "specsearch.reports",
        "specsearch.stats",
        "specsearch.defaults",
    }
    assert graph["specsearch.reports"] == set()
    assert graph["specsearch.stats"] == set()
    # What starts a query's open before `dataclasses` loads (cli_start) sits
    # on modules that define no dataclass.
    assert graph["specsearch.defaults"] == set()
    assert graph["specsearch.roots"] == set()
    assert graph["specsearch.cli_start"] <= {
        "specsearch.defaults",
        "specsearch.errors",
        "specsearch.pathargs",
        "specsearch.roots",
        "specsearch.native",
        "specsearch.cache",
    }
    # The value types are a bottom layer: `types` gives the route ones from
    # `route_types` on first use, and that imports nothing of the package.
    assert graph["specsearch.types"] <= {"specsearch.route_types"}
    assert graph["specsearch.route_types"] == set()
    # The schema is the bottom layer: every engine may use it.
    assert graph["specsearch.schema"] <= {"specsearch.errors"}
    # Only the native adapter imports the extension.
    assert {m for m, deps in graph.items() if "specsearch._native" in deps} == {"specsearch.native"}
    # Nothing below the facade imports selection (it imports the backends lazily).
    importers = {m for m, deps in graph.items() if "specsearch.select" in deps}
    assert importers <= {"specsearch", "specsearch.engine", "specsearch.cli_app"}
    # No backend module and nothing in the package imports the bench adapter.
    assert not any("tantivy" in m for deps in graph.values() for m in deps)


def _is_frozen_dataclass(node: ast.ClassDef) -> bool:
    return any(
        isinstance(d, ast.Call)
        and ast.unparse(d.func) == "dataclass"
        and any(
            k.arg == "frozen" and isinstance(k.value, ast.Constant) and k.value.value
            for k in d.keywords
        )
        for d in node.decorator_list
    )


@pytest.mark.parametrize(
    ("module", "kind", "functions", "least"),
    [
        ("protocols.py", "Protocol", set(), 3),
        ("backend.py", "value", {"__getattr__"}, 1),
        ("reports.py", "value", set(), 1),
        ("stats.py", "value", set(), 2),
    ],
)
def test_the_protocol_modules_hold_only_protocols_and_value_types(
    module: str, kind: str, functions: set[str], least: int
) -> None:
    """``protocols`` holds the Protocols; ``backend`` and ``reports`` value
    types, and ``backend`` the module ``__getattr__`` that reaches the
    Protocols and the reports under their old home."""
    tree = ast.parse((PACKAGE / module).read_text(encoding="utf-8"))
    classes = 0
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            assert node.name in functions, node.name
        if isinstance(node, ast.ClassDef):
            classes += 1
            bases = {ast.unparse(b) for b in node.bases}
            if kind == "Protocol":
                assert bases == {"Protocol"}, node.name
            else:
                assert _is_frozen_dataclass(node), node.name
    assert classes >= least


def test_the_protocols_are_still_reached_from_backend() -> None:
    from specsearch import backend, protocols  # noqa: PLC0415

    for name in ("Backend", "BackendClass", "BatchTopDocs", "TopDocs"):
        assert getattr(backend, name) is getattr(protocols, name)
        assert name in backend.__all__
    with pytest.raises(AttributeError, match="Nope"):
        _ = backend.Nope


if __name__ == "__main__":
    graph = build_graph(Path(sys.argv[1]) if len(sys.argv) > 1 else PACKAGE)
    print(format_graph(graph))
    print("cycle:", " -> ".join(find_cycle(graph) or ["none"]))

"""The shape of the library that a newcomer relies on when changing it: no import cycles, the
library never imports the flows, only the store sends SQL to the warehouse, and settings are
read from the environment in one place (township/config.py)."""

from __future__ import annotations

import ast
from pathlib import Path

LIBRARY = Path(__file__).parents[1] / "township"
# the web intake's own SQLite file of tokens and uploads, not the warehouse
OWN_DATABASES = {"township/web/store.py"}


def _modules() -> dict[str, ast.Module]:
    out = {}
    for path in sorted(LIBRARY.rglob("*.py")):
        name = ".".join(path.relative_to(LIBRARY.parent).with_suffix("").parts)
        out[name.removesuffix(".__init__")] = ast.parse(path.read_text(encoding="utf-8"))
    return out


def _imported_at_load(tree: ast.Module, modules: dict) -> set[str]:
    """The project's modules a module imports when it is loaded (not those imported inside a
    function, nor under TYPE_CHECKING)."""
    found = set()
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        for n in ast.walk(node) if isinstance(node, ast.If | ast.Try) else [node]:
            if isinstance(n, ast.ImportFrom) and n.module and n.level == 0:
                found |= {
                    f"{n.module}.{a.name}" if f"{n.module}.{a.name}" in modules else n.module
                    for a in n.names
                }
            elif isinstance(n, ast.Import):
                found |= {a.name for a in n.names}
    return {m for m in found if m.split(".")[0] in ("township", "flows")}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    done, path = set(), []

    def visit(module: str) -> list[str] | None:
        if module in path:
            return [*path[path.index(module) :], module]
        if module in done or module not in graph:
            return None
        path.append(module)
        for other in sorted(graph[module]):
            if (found := visit(other)) is not None:
                return found
        path.pop()
        done.add(module)
        return None

    return next(filter(None, map(visit, sorted(graph))), None)


def test_the_library_has_no_import_cycle_and_never_imports_the_flows():
    modules = _modules()
    graph = {name: _imported_at_load(tree, modules) - {name} for name, tree in modules.items()}
    assert not [m for m, deps in graph.items() if any(d.startswith("flows") for d in deps)]
    assert len(graph) > 50 and sum(map(len, graph.values())) > 100  # the scan sees imports
    assert _cycle(graph) is None, " → ".join(_cycle(graph))


def test_a_cycle_is_found_where_there_is_one():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def _calls(tree: ast.Module, attribute: str) -> list[str]:
    return [
        ast.unparse(n)
        for n in ast.walk(tree)
        if isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and n.func.attr == attribute
        and "con" in ast.unparse(n.func.value).split(".")
    ]


def test_only_the_store_sends_sql_to_the_warehouse():
    outside = {
        name: calls
        for name, tree in _modules().items()
        if not name.startswith("township.store")
        and f"{name.replace('.', '/')}.py" not in OWN_DATABASES
        and (calls := _calls(tree, "execute") + _calls(tree, "sql"))
    }
    assert outside == {}, "move the query into township/sql/queries and read it through the store"


def test_settings_are_read_from_the_environment_in_config_only():
    readers = {
        name
        for name, tree in _modules().items()
        if name != "township.config"
        for n in ast.walk(tree)
        if (isinstance(n, ast.Attribute) and n.attr == "getenv")
        or (
            isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and n.func.attr == "get"
            and ast.unparse(n.func.value) == "os.environ"
        )
        or (
            isinstance(n, ast.Subscript)
            and isinstance(n.ctx, ast.Load)
            and ast.unparse(n.value) == "os.environ"
        )
    }
    assert readers == set(), "add the setting to township.config.Settings"

"""Import hygiene, read from the source (no module is imported): the project's modules import each other without
a cycle, and import at the top of the module; an import inside a function is one of `ALLOWED`, each with its reason.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).parents[2]
PACKAGES = ("api", "callbacks", "cli", "data", "pages", "web")
SKIPPED = ("migrations",)
"""Alembic runs `data/migrations/` as scripts of its own, not as modules of the app."""

ALLOWED: dict[tuple[str, str], str] = {
    ("data.ocat.cache", "redis"): "only a process whose USINT_CACHE_URL names a Redis loads it (about 4 MiB)",
    ("data.ocat.sources", "ska_dbi.sqsh"): "optional: only Ska's environment has it (the sqsh Ocat source)",
    ("data.ocat.sources", "astropy.io"): "optional: Ska's environment has it with ska_dbi; here only requirements-dev",
    ("data.schema", "alembic"): "Alembic and Mako (about 10 MiB a worker) load only when a migration runs",
    ("data.schema", "alembic.autogenerate"): "Alembic only when a migration runs",
    ("data.schema", "alembic.config"): "Alembic only when a migration runs",
    ("data.schema", "alembic.runtime.migration"): "Alembic only when a migration runs",
    ("data.schema", "alembic.script"): "Alembic only when a migration runs",
}
"""(module, imported module) -> why the import stays inside a function."""


def module_files() -> dict[str, Path]:
    """Every project module by dotted name: the packages, `dashboard` and `gunicorn.conf` (read as config)."""
    found = {"dashboard": ROOT / "dashboard.py", "gunicorn.conf": ROOT / "gunicorn.conf.py"}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if any(p in SKIPPED for p in parts):
                continue
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


MODULES = module_files()


def run_at_import(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """The import statements a module runs when it is imported (not those in functions or `if TYPE_CHECKING:`)."""
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.ClassDef):
            yield from run_at_import(node.body)
        elif isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from run_at_import(node.orelse)
        elif not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for field in ("body", "orelse", "finalbody", "handlers"):
                yield from run_at_import(getattr(node, field, None) or [])


def source(module: str, node: ast.ImportFrom) -> str:
    """The absolute name of the module a `from ... import` reads from."""
    if not node.level:
        return node.module or ""
    package = module.split(".") if MODULES[module].name == "__init__.py" else module.split(".")[:-1]
    return ".".join([*package[: len(package) - node.level + 1], *([node.module] if node.module else [])])


def runs(module: str, node: ast.Import | ast.ImportFrom) -> set[str]:
    """The project modules an import statement runs, or reads names from, except packages `module` is inside."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = source(module, node)
        names = [base, *(f"{base}.{alias.name}" for alias in node.names)]
    out: set[str] = set()
    for name in names:
        parts = name.split(".")
        for end in range(1, len(parts) + 1):
            target = ".".join(parts[:end])
            if target in MODULES and target != module and not module.startswith(target + "."):
                out.add(target)
    if isinstance(node, ast.ImportFrom) and (base := source(module, node)) in MODULES and base != module:
        if any(f"{base}.{alias.name}" not in MODULES for alias in node.names):
            out.add(base)  # a name read from a package being initialised: it must have run that far
    return out


def import_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(), str(path))
        graph[module] = {t for node in run_at_import(tree.body) for t in runs(module, node)}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module, or one that imports itself (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while (top := stack.pop()) != node:
                component.append(top)
            component.append(node)
            if len(component) > 1 or node in graph[node]:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def imports_in_functions() -> set[tuple[str, str]]:
    """(module, imported module) for every import statement inside a function of the project."""
    found: set[tuple[str, str]] = set()
    for module, path in MODULES.items():
        for func in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(func):
                if isinstance(node, ast.Import):
                    found |= {(module, alias.name) for alias in node.names}
                elif isinstance(node, ast.ImportFrom):
                    found.add((module, source(module, node)))
    return found


def test_the_project_modules_import_each_other_without_a_cycle() -> None:
    graph = import_graph()
    assert len(graph) > 100 and graph["dashboard"] >= {"callbacks.board", "web.db", "api"}  # the scan sees imports
    assert cycles(graph) == [], "an import cycle: move the shared code to where both sides may import it"


def test_the_cycle_check_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_a_name_read_from_a_package_being_initialised_counts_as_an_import_of_it() -> None:
    route = ast.parse("from api._blueprint import bp\nfrom api import status\nfrom data import clock").body
    assert [runs("api.signoffs", node) for node in route] == [
        {"api._blueprint"},
        {"api.status"},
        {"data", "data.clock"},
    ]
    assert runs("api.signoffs", ast.parse("from api import bp").body[0]) == {"api"}


def test_imports_are_at_the_top_of_the_module_except_the_allowed_ones() -> None:
    inside = imports_in_functions()
    assert inside - ALLOWED.keys() == set(), "import at the top of the module, or add (module, import): reason"
    assert ALLOWED.keys() - inside == set(), "an allowed import no longer in a function: drop it from ALLOWED"


def test_only_dash_pages_imports_a_page_module() -> None:
    """A page module registers itself when imported, which needs the app (Dash Pages imports it): the rest of the
    code imports `pages._ids` and `pages._components`, never `pages.<page>`."""
    pages = {m for m in MODULES if m.startswith("pages.") and not m.startswith("pages._")}
    assert len(pages) > 5
    importers = {m: sorted(targets & pages) for m, targets in import_graph().items() if targets & pages}
    assert importers == {}

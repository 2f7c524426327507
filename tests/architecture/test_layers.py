"""The parts of convsign import only downwards, and never in a cycle (imports inside functions counted).

The layers, lowest first (README, "Layout"):
- base: the data model, the stores and trust services every feature stands on;
- domain: the rules of conventions, deliberations, signatures and accounts;
- follow-up: what watches the domain (notices, dashboard, evidence, verification);
- edges: the ways in (pages that span features, the API, the commands, the app's wiring).
A part may import its own layer or a lower one; within a layer, the parts must not form a cycle.
"""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "convsign"

LAYERS: dict[str, tuple[str, ...]] = {
    "base": (
        "models", "documents", "audit", "trust", "rules", "outbox", "pdf", "pki", "config", "errors", "events",
        "extensions", "faults", "formtools", "i18n", "i18n_catalogs", "labels", "locks", "permissions", "schema",
        "terminal", "view_actions", "filemodes", "links", "routing",
    ),
    "domain": ("auth", "clauses", "conventions", "deliberations", "signing"),
    "follow-up": ("followup", "dashboard", "evidence", "verification"),
    # The migrations seed data from the code (0007: the default clause models), so they sit with the commands.
    "edges": ("api", "admin", "home", "demo", "backup", "cli", "web", "migrations"),
}
RANK = {part: rank for rank, parts in enumerate(LAYERS.values()) for part in parts}
LAYER_OF = {part: layer for layer, parts in LAYERS.items() for part in parts}


def part_of(path: Path) -> str:
    """The part a file belongs to: its top-level package or module under convsign/."""
    relative = path.relative_to(PACKAGE)
    return relative.parts[0].removesuffix(".py")


def imported_parts(source: str, importer: str, package: tuple[str, ...] = ("convsign",)) -> set[str]:
    """The convsign parts a module's source imports, at any depth (functions included), but its own.

    `package` is the module's package (relative imports are resolved against it).
    """
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = ".".join([*package[: len(package) - node.level + 1], *([node.module] if node.module else [])])
            module = base if node.level else node.module or ""
            names = [module] + [f"{module}.{alias.name}" for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "convsign" and len(parts) > 1 and parts[1] in RANK and parts[1] != importer:
                found.add(parts[1])
    return found


def import_graph() -> dict[str, set[str]]:
    """Every part and the parts it imports."""
    graph: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.parent == PACKAGE and path.name == "__init__.py":
            continue  # create_app: the package's entry point, above everything
        importer = part_of(path)
        package = ("convsign", *path.parent.relative_to(PACKAGE).parts)
        graph.setdefault(importer, set()).update(imported_parts(path.read_text("utf-8"), importer, package))
    return graph


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    """Each import of a part from a higher layer, said plainly."""
    return [
        f"{importer} ({LAYER_OF[importer]}) imports {target} ({LAYER_OF[target]})"
        for importer, targets in sorted(graph.items())
        for target in sorted(targets)
        if RANK[target] > RANK[importer]
    ]


def cycle_in(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle between parts, or None."""
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError as error:
        return list(error.args[1])
    return None


def test_every_part_has_a_layer() -> None:
    unknown = sorted(set(import_graph()) - set(RANK))
    assert unknown == [], "place these parts in a layer of LAYERS (and README's layout)"


def test_imports_go_only_downwards() -> None:
    assert upward_imports(import_graph()) == []


def test_no_import_cycle_between_parts() -> None:
    assert cycle_in(import_graph()) is None


# The checks themselves can fail: an upward import hidden in a function, and a cycle, are caught.
CONTROL_SOURCE = '''
def remind():
    from convsign.followup.notifications import queue_reminder  # a domain module reaching up
'''


@pytest.mark.parametrize("importer", ["signing", "conventions"])
def test_control_an_upward_import_inside_a_function_is_caught(importer: str) -> None:
    graph = import_graph()
    graph[importer] = graph[importer] | imported_parts(CONTROL_SOURCE, importer)
    assert upward_imports(graph) == [f"{importer} (domain) imports followup (follow-up)"]
    assert cycle_in(graph) is not None  # followup imports signing and conventions: a cycle too


def test_control_a_cycle_within_a_layer_is_caught() -> None:
    graph = import_graph()
    graph["documents"] = graph["documents"] | {"audit"}
    graph["audit"] = graph["audit"] | {"documents"}
    assert upward_imports(graph) == []
    assert cycle_in(graph) is not None

"""convsign.pdf and convsign.pki stay plain Python: no Flask, no database, no other convsign package."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "convsign"
FORBIDDEN = ("flask", "flask_", "sqlalchemy", "werkzeug", "jinja2", "wtforms")
ALLOWED_CONVSIGN = {"pdf": ("convsign.pdf", "convsign.pki"), "pki": ("convsign.pki",)}


def imported_modules(path: Path) -> list[str]:
    """Absolute names of every module `path` imports (relative imports resolved)."""
    package = ["convsign", *path.parent.relative_to(PACKAGE).parts]
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            names.append(".".join([*base, *([node.module] if node.module else [])]))
    return names


@pytest.mark.parametrize("layer", ["pdf", "pki"])
def test_layer_imports_stay_inside_the_boundary(layer: str) -> None:
    files = sorted((PACKAGE / layer).rglob("*.py"))
    assert files
    offences = []
    for path in files:
        for name in imported_modules(path):
            top = name.split(".")[0]
            if top.startswith(FORBIDDEN) or (top == "convsign" and not name.startswith(ALLOWED_CONVSIGN[layer])):
                offences.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert offences == []

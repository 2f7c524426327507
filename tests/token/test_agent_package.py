"""The agent is its own small package: it never imports convsign, and needs only python-pkcs11 and
cryptography besides the standard library."""

from __future__ import annotations

import ast
import sys
import tomllib

from tests.tokens import AGENT

ALLOWED = {"convsign_agent", "pkcs11", "cryptography"}


def imported_roots() -> set[str]:
    roots: set[str] = set()
    for path in (AGENT / "convsign_agent").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                roots |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                roots.add(node.module.split(".")[0])
    return roots


def test_the_agent_imports_only_the_standard_library_pkcs11_and_cryptography() -> None:
    outside = imported_roots() - set(sys.stdlib_module_names) - {"__future__"}
    assert outside == ALLOWED


def test_the_agent_declares_its_console_script_and_dependencies() -> None:
    project = tomllib.loads((AGENT / "pyproject.toml").read_text())["project"]
    assert project["scripts"] == {"convsign-agent": "convsign_agent.cli:main"}
    assert {d.split(">")[0].split("=")[0].split("<")[0] for d in project["dependencies"]} == {
        "python-pkcs11", "cryptography"}

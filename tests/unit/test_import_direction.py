"""Imports point one way: workflows <- ewo_cases.models <- ewo_cases.services <- views and CLI; forms <- views.

Read from the source (every ``import``, at any depth in a module, including those inside functions), so a
forbidden import fails here before it can make a cycle or let a form reach the database.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: (package whose modules are checked, imports they must not make, imports allowed despite that).
RULES = [
    ("workflows", ("ewo_cases", "forms", "flask", "flask_", "sqlalchemy", "werkzeug"), ()),
    ("ewo_cases/models", ("ewo_cases.services", "ewo_cases.views", "ewo_cases.cli", "forms", "flask"), ()),
    ("ewo_cases/services", ("ewo_cases.views", "ewo_cases.cli", "forms"), ()),
    # Forms may name the models' enums and limits for their choices and lengths, and nothing else of the app.
    ("forms", ("ewo_cases", "sqlalchemy", "flask_sqlalchemy"), ("ewo_cases.models",)),
]


def imported_modules(path: Path) -> list[str]:
    """Every module ``path`` imports, absolute and relative (resolved against its package)."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module or "") if part)
            found.extend([module] if node.module else [f"{module}.{alias.name}" for alias in node.names])
    return found


def matches(module: str, prefix: str) -> bool:
    """``flask_`` matches any Flask extension; other prefixes match the package and its submodules."""
    if prefix.endswith("_"):
        return module.startswith(prefix)
    return module == prefix or module.startswith(f"{prefix}.")


def violations(package: str, forbidden: tuple[str, ...], allowed: tuple[str, ...]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in sorted((ROOT / package).rglob("*.py"))
        for module in imported_modules(path)
        if any(matches(module, prefix) for prefix in forbidden) and not any(matches(module, a) for a in allowed)
    ]


@pytest.mark.parametrize(("package", "forbidden", "allowed"), RULES, ids=[rule[0] for rule in RULES])
def test_imports_point_one_way(package, forbidden, allowed):
    assert (ROOT / package).is_dir()
    assert violations(package, forbidden, allowed) == []


def test_a_forbidden_import_is_caught(tmp_path, monkeypatch):
    """The check itself can fail: a form importing a service (even inside a function) and a service importing a
    view relatively are reported; a form naming a model's enum is not."""
    forms, services = tmp_path / "forms", tmp_path / "ewo_cases" / "services"
    forms.mkdir()
    services.mkdir(parents=True)
    (forms / "bad.py").write_text(
        "from ewo_cases.models import Role\nfrom ewo_cases.services import users\n"
        "def later():\n    import ewo_cases.scoping\n"
    )
    (services / "relative.py").write_text("from . import audit\nfrom ..views import cases\n")
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    assert violations(*RULES[3]) == [
        "forms/bad.py imports ewo_cases.services",
        "forms/bad.py imports ewo_cases.scoping",
    ]
    assert violations(*RULES[2]) == ["ewo_cases/services/relative.py imports ewo_cases.views"]

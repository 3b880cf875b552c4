"""The house rules of ../shared/ARCHITECTURE.md that a machine can check: import direction,
no country named in generic code, statuses spelled only by the status machine."""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app"
COUNTRY_PACKAGES = [APP / "fiscal" / "ec", APP / "fiscal" / "py"]
COUNTRY_CODES = {"EC", "PY"}
STATUS_WORDS = {"signed", "sent", "authorized", "rejected", "cancelled"}


def generic_modules() -> list[Path]:
    return [p for p in APP.rglob("*.py")
            if not any(p.is_relative_to(c) for c in COUNTRY_PACKAGES)]


def test_import_contracts_hold():
    """import-linter with the contracts in pyproject.toml: zero violations, zero cycles."""
    lint = Path(sys.executable).with_name("lint-imports")
    cmd = [str(lint)] if lint.exists() else [sys.executable, "-m", "importlinter.cli"]
    res = subprocess.run([*cmd, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-2000:]
    assert "BROKEN" not in res.stdout


def test_no_country_suffixed_module_outside_the_country_packages():
    offenders = [str(p.relative_to(ROOT)) for p in generic_modules()
                 if re.search(r"_(ec|py)\.py$", p.name)]
    assert offenders == []


def _enum_members(tree: ast.AST) -> set[int]:
    """ids of the constants that are not statuses in use: members of an Enum class (another
    thing's own status machine, an e-mail's `sent`, is spelled once, there, like the documents'
    in core) and dict keys."""
    members = set()
    for cls in ast.walk(tree):
        if isinstance(cls, ast.ClassDef) and any(
                (b.id if isinstance(b, ast.Name) else getattr(b, "attr", "")).endswith("Enum") for b in cls.bases):
            for stmt in cls.body:
                if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Constant):
                    members.add(id(stmt.value))
        # a JSON key that happens to be a status word ({"sent": 3}) names a field, not a status
        if isinstance(cls, ast.Dict):
            members.update(id(k) for k in cls.keys if isinstance(k, ast.Constant))
    return members


def _string_constants(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _enum_members(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            yield node


def test_generic_code_compares_with_no_country_code():
    """No `== "PY"`, `in ("EC", …)` or dict keyed by a country code outside the country packages
    (the registry's one line per country is the exception)."""
    offenders = []
    for path in generic_modules():
        if path == APP / "fiscal" / "registry.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            consts = []
            if isinstance(node, ast.Compare):
                consts = [n for n in [node.left, *node.comparators] if isinstance(n, ast.Constant)]
                for n in [node.left, *node.comparators]:
                    if isinstance(n, (ast.Tuple, ast.List, ast.Set)):
                        consts += [e for e in n.elts if isinstance(e, ast.Constant)]
            elif isinstance(node, ast.Dict):
                consts = [k for k in node.keys if isinstance(k, ast.Constant)]
            for c in consts:
                if c.value in COUNTRY_CODES:
                    offenders.append(f"{path.relative_to(ROOT)}:{c.lineno} {c.value!r}")
    assert offenders == []


def test_document_statuses_are_spelled_only_by_the_status_machine():
    """Every document (and event) status in code comes from app.core.status, SQL included."""
    offenders = []
    pattern = re.compile(r"""status\s*(=|IN|<>|!=)\s*\(?\s*'(%s)'""" % "|".join(STATUS_WORDS), re.I)
    for path in APP.rglob("*.py"):
        # the simulated authorities keep the authority's own states, not our documents'
        if path == APP / "core" / "status.py" or path.name == "sandbox.py":
            continue
        for node in _string_constants(path):
            if node.value in STATUS_WORDS or pattern.search(node.value):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value[:60]!r}")
    assert offenders == [], "\n".join(offenders)

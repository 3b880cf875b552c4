"""README.md stays true: every `mostrador` command is documented, and each one's --help works."""
from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from app.cli import _parser, main

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def commands() -> list[str]:
    sub = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction))
    return sorted(sub.choices)


def test_there_are_commands():
    assert {"demo", "issue", "export", "documents", "sync", "verify"} <= set(commands())


@pytest.mark.parametrize("name", commands())
def test_every_command_is_in_the_readme(name):
    assert f"`mostrador {name}" in README, f"README.md does not document `mostrador {name}`"


@pytest.mark.parametrize("name", commands())
def test_every_command_has_help(name, capsys):
    with pytest.raises(SystemExit) as done:
        main([name, "--help"])
    assert done.value.code == 0
    assert "usage: mostrador" in capsys.readouterr().out


def test_the_readme_commands_exist():
    scripts = Path(__file__).resolve().parents[2] / "scripts"
    assert "bash scripts/demo.sh" in README and (scripts / "demo.sh").exists()
    assert "bash scripts/test.sh" in README and (scripts / "test.sh").exists()
    ci = (Path(__file__).resolve().parents[2] / ".ci" / "run").read_text()
    assert "scripts/test.sh" in ci

"""The README's Quickstart is what CI runs: exactly two commands, the first starts the
app, the second runs the tests."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def quickstart_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"^    \$ (.*)$", text, flags=re.MULTILINE)[:2]


def test_readme_has_two_quickstart_commands() -> None:
    install, test = quickstart_commands()
    assert "pip install ." in install and "aichat-tui" in install
    assert "pip install '.[test]'" in test and "pytest" in test


def test_ci_runs_the_readme_commands() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "README.md" in ci and "passed" in ci

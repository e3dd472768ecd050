"""Recognising a dropped path, and completing a typed one."""

from __future__ import annotations

from pathlib import Path

import pytest

from aichat_tui.attachments.paths import complete_path, dropped_path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "notes.txt").write_text("n")
    (tmp_path / "note book.md").write_text("b")
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "deep.png").write_bytes(b"x")
    (tmp_path / ".hidden").write_text("h")
    return tmp_path


@pytest.mark.parametrize(
    "typed",
    [
        "{d}/notes.txt",
        "  {d}/notes.txt\n",
        "'{d}/note book.md'",
        '"{d}/note book.md"',
        "{d}/note\\ book.md",
        "file://{d}/note%20book.md",
        "notes.txt",
    ],
)
def test_a_path_alone_is_recognised(folder: Path, typed: str) -> None:
    found = dropped_path(typed.format(d=folder), cwd=folder)
    assert found is not None and found.is_file()


@pytest.mark.parametrize(
    "typed",
    ["hello world", "{d}/nested", "{d}/missing.txt", "{d}/notes.txt and more", "a\nb", ""],
)
def test_other_text_is_not_a_path(folder: Path, typed: str) -> None:
    assert dropped_path(typed.format(d=folder), cwd=folder) is None


def test_completion_from_the_current_folder(folder: Path) -> None:
    assert complete_path("no", folder) == "note"  # notes.txt and "note book.md"
    assert complete_path("note", folder) == "note book.md"  # ambiguous: the first
    assert complete_path("nes", folder) == "nested/"
    assert complete_path("nested/d", folder) == "nested/deep.png"
    assert complete_path(f"{folder}/notes", folder) == f"{folder}/notes.txt"
    assert complete_path("zzz", folder) is None
    assert complete_path(".h", folder) == ".hidden"
    assert complete_path("nested/", folder) == "nested/deep.png"

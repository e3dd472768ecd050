"""Unit tests of the UI's pure text helpers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from aichat_tui.ui.text import check_link, code_blocks, relative_time


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "file:///etc/passwd",
        "data:text/html,x",
        "ssh://host",
        "vscode://file/x",
        "ms-msdt:/id",
        "relative/path",
        "-oProxyCommand=x",
        "https:",
        "https://a.example/\x1b]8;;x\x07",
        "http://a\u202eb.example",
    ],
)
def test_check_link_refuses(href: str) -> None:
    target, refusal = check_link(href)
    assert refusal
    assert "\x1b" not in target and "\u202e" not in target


@pytest.mark.parametrize("href", ["https://example.com/a?b=1", "http://x.example", "mailto:a@b.c"])
def test_check_link_allows(href: str) -> None:
    assert check_link(href) == (href, None)


def test_code_blocks_fenced_and_indented() -> None:
    text = "intro\n\n```py\na = 1\n```\n\ntext\n\n    indented\n\n~~~\nlast\n~~~\n"
    assert code_blocks(text) == ["a = 1\n", "indented\n", "last\n"]
    assert code_blocks("no code here") == []


def test_relative_time() -> None:
    now = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
    assert relative_time(now - timedelta(seconds=5), now) == "now"
    assert relative_time(now - timedelta(minutes=5), now) == "5m"
    assert relative_time(now - timedelta(hours=3), now) == "3h"
    assert relative_time(now - timedelta(days=2), now) == "2d"
    assert relative_time(now - timedelta(days=30), now) == "2025-12-11"

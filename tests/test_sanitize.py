"""Untrusted text is made safe for a terminal without losing ordinary text."""

from __future__ import annotations

import pytest

from aichat_tui.sanitize import one_line, scrub, strip_control

HOSTILE = [
    ("clear\x1b[2Jscreen", "clearscreen"),
    ("osc52\x1b]52;c;aGVsbG8=\x07done", "osc52done"),
    ("title\x1b]0;pwned\x1b\\end", "titleend"),
    ("link\x1b]8;;https://evil\x1b\\label\x1b]8;;\x1b\\", "linklabel"),
    ("c1\x9b31mred", "c1red"),
    ("osc8bit\x9d0;x\x9cok", "osc8bitok"),
    ("dcs\x1bPq#0\x1b\\after", "dcsafter"),
    ("nul\x00del\x7f", "nuldel"),
    ("bidi\u202eevil\u202c", "bidievil"),
    ("cr\roverwrite", "cr\noverwrite"),
    ("lone esc\x1b", "lone esc"),
]


@pytest.mark.parametrize(("raw", "clean"), HOSTILE)
def test_strip_control_removes_sequences(raw: str, clean: str) -> None:
    assert strip_control(raw) == clean


@pytest.mark.parametrize(
    "text",
    ["plain", "tab\tand\nnewline", "[bold]markup stays literal[/]", "emoji 😀 日本語 עברית"],
)
def test_strip_control_keeps_ordinary_text(text: str) -> None:
    assert strip_control(text) == text


def test_no_escape_survives_any_payload() -> None:
    payload = "".join(raw for raw, _ in HOSTILE) * 3
    out = strip_control(payload)
    assert "\x1b" not in out
    assert not any(0x80 <= ord(ch) <= 0x9F for ch in out)


def test_one_line_flattens_and_limits() -> None:
    assert one_line("a\n\tb\x1b[1m  c") == "a b c"
    assert one_line("x" * 300, limit=10) == "x" * 9 + "…"


def test_scrub_replaces_secrets_longest_first() -> None:
    text = "cookie=abcdef token=abc"
    assert scrub(text, ["abc", "abcdef"]) == "cookie=*** token=***"
    assert scrub("short ab", ["ab"]) == "short ab"  # too short to be a secret

"""Multi-line message text is written as a TOML literal string when nothing needs
escaping (much faster to read back) and as an escaped basic string otherwise;
either way it reads back exactly."""

from __future__ import annotations

import random
import tomllib

from aichat_tui.store.toml_codec import fix_surrogates, multiline_string

PIECES = [
    "a",
    " ",
    "\n",
    "'",
    "''",
    "'''",
    '"',
    "\\",
    "\t",
    "\r",
    "\r\n",
    "é",
    "\u2028",
    "\x7f",
    "\x85",
    "\ufeff",
    "\x00",
    "\x1b[31m",
    "\ud83d",
    "\ude00",
    "[b]x[/]",
]


def _read(encoded: str) -> str:
    return tomllib.loads(f"content = {encoded}\n")["content"]


def test_plain_text_is_a_literal_string() -> None:
    text = 'def f(x):\n    return "a\\b" + x\n'
    encoded = multiline_string(text)
    assert encoded.startswith("'''\n")
    assert _read(encoded) == text


def test_text_a_literal_cannot_hold_is_escaped() -> None:
    for text in (
        "a'''b\n",
        "ends with a quote'\n x'",
        "cr\r\nlf\n",
        "esc \x1b[0m\n",
        "bom\ufeff\n",
    ):
        encoded = multiline_string(text)
        assert encoded.startswith('"""\n'), text
        assert _read(encoded) == text


def test_any_text_round_trips() -> None:
    rng = random.Random(6)
    for _ in range(5000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 10))) + "\n"
        assert _read(multiline_string(text)) == fix_surrogates(text)

"""A streamed reply reaches stdout without control sequences, whatever the chunking."""

from __future__ import annotations

import pytest

from aichat_tui.sanitize import MAX_HELD, StreamSanitizer, strip_control

PAYLOADS = [
    "plain text\nwith lines\n",
    "red \x1b[31mALERT\x1b[0m done",
    "title \x1b]0;pwned\x07 after",
    "osc52 \x1b]52;c;aGVsbG8=\x1b\\ after",
    "link \x1b]8;;https://evil\x1b\\label\x1b]8;;\x1b\\ end",
    "c1 \x9b2J clear \x9d0;t\x9c ok",
    "dcs \x1bPq#0;2;0\x1b\\ after",
    "crlf\r\nline\rnext",
    "emoji 😀 and ünïcödé",
    "lone esc at end \x1b",
]


def feed_all(text: str, size: int) -> str:
    sanitizer = StreamSanitizer()
    out = [sanitizer.feed(text[i : i + size]) for i in range(0, len(text), size)]
    out.append(sanitizer.flush())
    return "".join(out)


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("size", [1, 2, 3, 5, 64])
def test_chunked_output_equals_whole_output(payload: str, size: int) -> None:
    assert feed_all(payload, size) == strip_control(payload)


def test_no_escape_byte_survives_any_split() -> None:
    payload = "".join(PAYLOADS) * 2
    for size in range(1, 12):
        out = feed_all(payload, size)
        assert "\x1b" not in out
        assert not any(0x80 <= ord(ch) <= 0x9F for ch in out)


def test_unterminated_sequence_is_not_held_forever() -> None:
    sanitizer = StreamSanitizer()
    sanitizer.feed("start \x1b]0;")
    released = "".join(sanitizer.feed("x" * 4096) for _ in range(MAX_HELD // 4096 + 2))
    # Past the limit the open sequence is dropped and the buffer no longer grows.
    assert "\x1b" not in released
    assert len(sanitizer._held) <= MAX_HELD


def test_text_flows_immediately_when_no_sequence_is_open() -> None:
    sanitizer = StreamSanitizer()
    assert sanitizer.feed("hello ") == "hello "
    assert sanitizer.feed("world") == "world"

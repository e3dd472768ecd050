"""The pure SSE decoder: framing rules, chunk boundaries, limits."""

from __future__ import annotations

import json

import pytest

from aichat_tui.client.sse import ServerSentEvent, SSEDecoder, SSEError

STREAM = (
    ": keep-alive comment\r\n"
    "event: update\r\n"
    'data: {"text": "caf\u00e9 \u2028 \u2029 \u0085 😀"}\r\n'
    "id: 7\r\n"
    "\r\n"
    "data: first line\n"
    "data: second line\n"
    "\n"
    "data:no-space\r"
    "\r"
    "retry: 1500\n"
    "data: [DONE]\n"
    "\n"
).encode()

EXPECTED = [
    ServerSentEvent(data='{"text": "café \u2028 \u2029 \u0085 😀"}', event="update", id="7"),
    ServerSentEvent(data="first line\nsecond line", id="7"),
    ServerSentEvent(data="no-space", id="7"),
    ServerSentEvent(data="[DONE]", id="7", retry=1500),
]


def decode(chunks: list[bytes]) -> list[ServerSentEvent]:
    decoder = SSEDecoder()
    events: list[ServerSentEvent] = []
    for chunk in chunks:
        events.extend(decoder.feed(chunk))
    events.extend(decoder.end())
    return events


def test_whole_stream() -> None:
    assert decode([STREAM]) == EXPECTED
    assert json.loads(EXPECTED[0].data)["text"].count("\u2028") == 1


@pytest.mark.parametrize("offset", range(1, len(STREAM)))
def test_split_at_every_byte(offset: int) -> None:
    assert decode([STREAM[:offset], STREAM[offset:]]) == EXPECTED


def test_one_byte_at_a_time() -> None:
    assert decode([STREAM[i : i + 1] for i in range(len(STREAM))]) == EXPECTED


def test_comments_are_counted_not_dispatched() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b": ping\n\n: ping\n\n") == []
    assert decoder.comments == 2


def test_crlf_split_between_chunks_is_one_line_end() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\r") == []
    assert decoder.feed(b"\n") == []  # the LF completes the CRLF, not a blank line
    assert decoder.feed(b"\r\n") == [ServerSentEvent(data="a")]


def test_bom_is_stripped_even_when_split() -> None:
    assert decode([b"\xef", b"\xbb\xbfdata: x\n\n"]) == [ServerSentEvent(data="x")]


def test_field_without_colon_and_unknown_fields() -> None:
    assert decode([b"data\nfoo: bar\n\n"]) == [ServerSentEvent(data="")]


def test_event_without_data_is_not_dispatched() -> None:
    assert decode([b"event: ping\n\ndata: x\n\n"]) == [ServerSentEvent(data="x")]


def test_end_delivers_unterminated_event() -> None:
    assert decode([b"data: [DONE]"]) == [ServerSentEvent(data="[DONE]")]
    assert decode([b"data: a\n"]) == [ServerSentEvent(data="a")]


def test_invalid_utf8_is_replaced() -> None:
    assert decode([b"data: \xff\xfe ok\n\n"]) == [ServerSentEvent(data="\ufffd\ufffd ok")]


def test_huge_line_is_bounded() -> None:
    decoder = SSEDecoder(max_event_bytes=1024)
    decoder.feed(b"data: " + b"x" * 1000)
    with pytest.raises(SSEError):
        decoder.feed(b"x" * 100)


def test_huge_multiline_event_is_bounded() -> None:
    decoder = SSEDecoder(max_event_bytes=1024)
    with pytest.raises(SSEError):
        for _ in range(100):
            decoder.feed(b"data: " + b"y" * 50 + b"\n")


def test_json_helper() -> None:
    assert ServerSentEvent(data='{"a": 1}').json() == {"a": 1}

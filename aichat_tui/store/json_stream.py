"""Read a large JSON document one top-level item at a time, with limits.

An import file can be hundreds of megabytes (a ChatGPT export) or hostile (a zip
bomb, a million nested brackets). :func:`iter_items` reads a binary stream in
chunks and yields each element of a top-level array (or the one top-level object)
as soon as it is complete, so memory holds one item, not the whole document. It
checks the nesting depth while scanning, before ``json`` parses anything (the
``json`` module recurses once per level), and stops at a byte limit.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from typing import Any, BinaryIO

CHUNK = 1024 * 1024
# Outside a string only brackets and quotes matter; inside one, quotes and backslashes.
_OUTSIDE = re.compile(r'[\[\]{}"]')
_INSIDE = re.compile(r'["\\]')


class JsonLimitError(ValueError):
    """The document breaks a limit or is not JSON; ``str()`` is one line for the user."""


def read_capped(stream: BinaryIO, limit: int, what: str, said: str) -> Iterator[bytes]:
    """Chunks of ``stream``; raises JsonLimitError once more than ``limit`` bytes
    came (``said``: the limit as the message words it)."""
    total = 0
    while True:
        chunk = stream.read(CHUNK)
        if not chunk:
            return
        total += len(chunk)
        if total > limit:
            raise JsonLimitError(f"{what} is larger than the import limit of {said}")
        yield chunk


def iter_items(
    chunks: Iterator[bytes], *, source: str, max_depth: int, max_items: int, max_item: int
) -> Iterator[Any]:
    """Each element of a top-level JSON array (or the single top-level object).

    Raises JsonLimitError for nesting deeper than ``max_depth``, more than
    ``max_items`` elements, one element longer than ``max_item`` characters, or
    text that is not JSON.
    """
    decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="replace")
    buf = ""
    pos = 0  # scan position in buf
    start = -1  # where the current item starts in buf (-1: between items)
    # The scanned text of an item spanning chunks, kept as pieces: growing one
    # string would copy it once per chunk and hold two copies at a time.
    parts: list[str] = []
    held = 0
    depth = 0
    in_string = False
    top: str | None = None  # "[" or "{" once seen
    count = 0
    ended = False

    def bad(what: str) -> JsonLimitError:
        return JsonLimitError(f"{source} is not valid JSON ({what})")

    def parse(text: str) -> Any:
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise bad(f"{exc.msg}") from None

    def item_text(end: int) -> str:
        nonlocal held
        text = "".join([*parts, buf[start:end]])
        parts.clear()
        held = 0
        return text

    for chunk in _with_end(chunks):
        if start >= 0:  # set the scanned part of the current item aside
            parts.append(buf[start:pos])
            held += pos - start
            start = 0
        buf = buf[pos:] + decoder.decode(b"" if chunk is None else chunk, final=chunk is None)
        pos = 0
        if start >= 0 and held + len(buf) > max_item:
            raise JsonLimitError(
                f"{source} holds one conversation larger than {max_item // 2**20} MiB; "
                "the import limit"
            )
        while True:
            if ended:
                if buf[pos:].strip():
                    raise bad("extra data after the end")
                pos = len(buf)
                break
            if in_string:
                m = _INSIDE.search(buf, pos)
                if m is None:
                    pos = len(buf)
                    break
                if m.group() == "\\":
                    if m.end() >= len(buf):  # the escaped character is in the next chunk
                        pos = m.start()
                        break
                    pos = m.end() + 1
                    continue
                in_string = False
                pos = m.end()
                continue
            if top is None:
                stripped = buf[pos:].lstrip()
                if not stripped:
                    pos = len(buf)
                    break
                pos = len(buf) - len(stripped)
                top = stripped[0]
                if top not in "[{":
                    raise bad("it must be an array or an object")
                if top == "{":
                    start = pos
                depth = 1
                pos += 1
                continue
            if top == "[" and depth == 1 and start < 0:
                # Between items: skip whitespace and commas; a scalar item is parsed whole.
                rest = buf[pos:].lstrip(" \t\r\n,")
                pos = len(buf) - len(rest)
                if not rest:
                    break
                if rest[0] == "]":
                    ended = True
                    pos += 1
                    continue
                if rest[0] not in "[{":
                    raise JsonLimitError(f"{source}: the top-level array holds a non-object")
                start = pos
            m = _OUTSIDE.search(buf, pos)
            if m is None:
                pos = len(buf)
                break
            ch = m.group()
            pos = m.end()
            if ch == '"':
                in_string = True
            elif ch in "[{":
                depth += 1
                if depth > max_depth:
                    raise JsonLimitError(
                        f"{source} is nested more than {max_depth} levels deep; "
                        "not a conversation export"
                    )
            else:
                depth -= 1
                if depth < 0:
                    raise bad("unbalanced brackets")
                if top == "[" and depth == 1:
                    count += 1
                    if count > max_items:
                        raise JsonLimitError(
                            f"{source} holds more than {max_items:,} conversations; "
                            "the import limit"
                        )
                    yield parse(item_text(pos))
                    start = -1
                elif depth == 0:
                    if top == "{":
                        yield parse(item_text(pos))
                        start = -1
                    ended = True
        if chunk is None:
            break
    if top is None:
        raise bad("the file is empty")
    if not ended:
        raise bad("it ends before the document does")


def _with_end(chunks: Iterator[bytes]) -> Iterator[bytes | None]:
    yield from chunks
    yield None

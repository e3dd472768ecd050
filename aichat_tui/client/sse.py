"""A pure Server-Sent Events decoder: bytes in, events out.

It follows the WHATWG rules that matter for chat streams:

* lines end with CRLF, LF or a bare CR -- including a CRLF split across two
  network chunks;
* lines are split on *bytes*, so chunk boundaries inside a multi-byte UTF-8
  character are harmless, and U+2028/U+2029/U+0085 inside JSON strings are not
  mistaken for line breaks (the trap of ``httpx.Response.aiter_lines()``);
* several ``data:`` lines form one event joined by LF; ``:`` lines are
  comments (keep-alives); ``event:``, ``id:`` and ``retry:`` are honoured;
* an unterminated line or an event larger than ``max_event_bytes`` raises
  :class:`SSEError` instead of eating memory.

Unlike the browser algorithm, :meth:`SSEDecoder.end` also delivers a final
event whose blank line never came (servers that end with ``data: [DONE]\\n``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

__all__ = ["DEFAULT_MAX_EVENT_BYTES", "SSEDecoder", "SSEError", "ServerSentEvent"]

DEFAULT_MAX_EVENT_BYTES = 16 * 1024 * 1024

_EOL = re.compile(rb"\r\n|\r|\n")
_BOM = b"\xef\xbb\xbf"


class SSEError(ValueError):
    """The byte stream cannot be decoded as bounded SSE (an oversized event)."""


@dataclass(frozen=True)
class ServerSentEvent:
    """One dispatched event."""

    data: str
    event: str = "message"
    id: str | None = None
    retry: int | None = None

    def json(self) -> Any:
        """The data parsed as JSON (raises ``json.JSONDecodeError``)."""
        return json.loads(self.data)


class SSEDecoder:
    """Incremental decoder. Call :meth:`feed` with each network chunk and
    :meth:`end` once the stream is over; both return the completed events."""

    def __init__(self, max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES) -> None:
        self.max_event_bytes = max_event_bytes
        self.comments = 0  # keep-alive comments seen (for diagnostics)
        self._buf = bytearray()
        self._scanned = 0
        self._skip_lf = False  # the previous chunk ended with CR: a leading LF is its pair
        self._started = False
        self._data: list[str] = []
        self._data_size = 0
        self._event = ""
        self._last_id: str | None = None
        self._retry: int | None = None

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Add bytes; return the events completed by them."""
        if not chunk:
            return []
        if self._skip_lf:
            self._skip_lf = False
            if chunk[:1] == b"\n":
                chunk = chunk[1:]
        buf = self._buf
        buf += chunk
        if not self._started:
            if len(buf) < len(_BOM) and _BOM.startswith(bytes(buf)):
                return []  # could still be a BOM; wait for more
            self._started = True
            if buf.startswith(_BOM):
                del buf[: len(_BOM)]
        events: list[ServerSentEvent] = []
        start = 0
        end = len(buf)
        scan = self._scanned  # bytes already known to hold no line end
        while start < end:
            match = _EOL.search(buf, max(start, scan))
            if match is None:
                break
            line = bytes(buf[start : match.start()])
            start = match.end()
            if match.group() == b"\r" and start == end:
                self._skip_lf = True  # may be the first half of a split CRLF
            event = self._line(line)
            if event is not None:
                events.append(event)
        del buf[:start]
        # What is left has no line end: do not scan it again (keeps a long
        # line linear instead of quadratic in the number of chunks).
        self._scanned = len(buf)
        if len(buf) > self.max_event_bytes:
            raise SSEError(f"an event line is longer than {self.max_event_bytes} bytes")
        return events

    def end(self) -> list[ServerSentEvent]:
        """The stream is over: deliver what is left (lenient: an event without
        its closing blank line is still dispatched)."""
        events: list[ServerSentEvent] = []
        if self._buf:
            line = bytes(self._buf)
            self._buf.clear()
            self._scanned = 0
            event = self._line(line)
            if event is not None:
                events.append(event)
        event = self._line(b"")
        if event is not None:
            events.append(event)
        return events

    def _line(self, raw: bytes) -> ServerSentEvent | None:
        if not raw:
            return self._dispatch()
        if raw[:1] == b":":
            self.comments += 1
            return None
        line = raw.decode("utf-8", errors="replace")
        name, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data_size += len(raw) + 1
            if self._data_size > self.max_event_bytes:
                raise SSEError(f"an event is larger than {self.max_event_bytes} bytes")
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id" and "\0" not in value:
            self._last_id = value
        elif name == "retry" and value.isascii() and value.isdigit():
            self._retry = int(value)
        return None

    def _dispatch(self) -> ServerSentEvent | None:
        if not self._data:
            self._event = ""
            return None
        event = ServerSentEvent(
            data="\n".join(self._data),
            event=self._event or "message",
            id=self._last_id,
            retry=self._retry,
        )
        self._data = []
        self._data_size = 0
        self._event = ""
        return event

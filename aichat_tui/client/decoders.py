"""Response body parsers: bytes in, reply text pieces out.

Each parser has ``feed(bytes) -> list[str]`` and ``end() -> list[str]`` and
raises the documented errors (the caller attaches the partial text).
"""

from __future__ import annotations

import codecs
import json
import re
from typing import Any, Protocol

from aichat_tui.client import errors as E
from aichat_tui.client.sse import DEFAULT_MAX_EVENT_BYTES, ServerSentEvent, SSEDecoder, SSEError

__all__ = [
    "BodyParser",
    "JSONParser",
    "PlainTextParser",
    "SSEParser",
    "SurrogateJoiner",
    "html_error",
    "sniff_parser",
]

MAX_JSON_BODY = DEFAULT_MAX_EVENT_BYTES


class BodyParser(Protocol):
    """What the client needs from a body parser."""

    def feed(self, data: bytes) -> list[str]:
        """Bytes in, reply text pieces out."""
        ...

    def end(self) -> list[str]:
        """The body is complete; raises if the reply is incomplete."""
        ...


def html_error(server: str) -> E.ProtocolError:
    """The error for an HTML page where an API answer was expected."""
    return E.ProtocolError(
        f"{server} returned an HTML page instead of an API answer "
        "(session expired, login page, or wrong base URL?)"
    )


def _error_text(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("message") or value.get("type") or value.get("code") or value)
    return str(value)


class SSEParser:
    """SSE reply for both backends.

    ``require_done``: the stream must end with ``[DONE]`` or a
    ``finish_reason`` (OpenAI); otherwise it is :class:`StreamInterrupted`.
    Data may be OpenAI chunks (``choices[0].delta.content``), aichat-style
    JSON (``message``/``content``/``text``), or plain text (aichat only).
    """

    def __init__(self, server: str, *, require_done: bool, allow_plain: bool) -> None:
        self.server = server
        self.require_done = require_done
        self.allow_plain = allow_plain
        self.done = False
        self.finished = False
        self._decoder = SSEDecoder()

    def feed(self, data: bytes) -> list[str]:
        """Decode events and extract their text."""
        try:
            events = self._decoder.feed(data)
        except SSEError as exc:
            raise E.ProtocolError(f"{self.server} sent an oversized event ({exc})") from None
        return self._texts(events)

    def end(self) -> list[str]:
        """Flush; raise :class:`StreamInterrupted` if the reply is incomplete."""
        texts = self._texts(self._decoder.end())
        if self.require_done and not (self.done or self.finished):
            raise E.StreamInterrupted(
                f"the reply from {self.server} ended before it was complete (no [DONE])"
            )
        return texts

    def _texts(self, events: list[ServerSentEvent]) -> list[str]:
        out: list[str] = []
        for event in events:
            if self.done:
                break
            text = self._event(event)
            if text:
                out.append(text)
        return out

    def _event(self, event: ServerSentEvent) -> str:
        data = event.data
        if data.strip() == "[DONE]":
            self.done = True
            return ""
        try:
            payload = json.loads(data)
        except ValueError:
            if event.event == "error":
                raise E.ServerReportedError(f"{self.server} reported an error: {data}") from None
            if self.allow_plain:
                return data
            raise E.ProtocolError(f"{self.server} sent a malformed JSON event") from None
        if event.event == "error" or (isinstance(payload, dict) and "error" in payload):
            inner = payload.get("error", payload) if isinstance(payload, dict) else payload
            raise E.ServerReportedError(f"{self.server} reported an error: {_error_text(inner)}")
        if not isinstance(payload, dict):
            if self.allow_plain and isinstance(payload, str):
                return payload
            raise E.ProtocolError(f"{self.server} sent an unexpected event")
        if payload.get("response") is False:
            raise E.ServerReportedError(
                f"{self.server} reported an error: {_error_text(payload.get('message', ''))}"
            )
        choices = payload.get("choices")
        if isinstance(choices, list):
            if not choices:
                return ""  # e.g. a usage-only chunk
            choice = choices[0] if isinstance(choices[0], dict) else {}
            if choice.get("finish_reason"):
                self.finished = True
            delta = choice.get("delta") or choice.get("message") or {}
            content = delta.get("content") if isinstance(delta, dict) else None
            return content if isinstance(content, str) else ""
        for key in ("message", "content", "text", "delta"):
            if isinstance(payload.get(key), str):
                return payload[key]
        if self.allow_plain:
            return ""
        raise E.ProtocolError(f"{self.server} sent an event without reply text")


class JSONParser:
    """A whole JSON body: an OpenAI completion or an aichat answer."""

    def __init__(self, server: str, *, aichat: bool) -> None:
        self.server = server
        self.aichat = aichat
        self._buf = bytearray()

    def feed(self, data: bytes) -> list[str]:
        """Accumulate (bounded)."""
        self._buf += data
        if len(self._buf) > MAX_JSON_BODY:
            raise E.ProtocolError(f"{self.server} sent an oversized answer")
        return []

    def end(self) -> list[str]:
        """Parse the whole body."""
        text = bytes(self._buf).decode("utf-8", errors="replace").strip()
        if text.startswith("<"):
            raise html_error(self.server)
        try:
            payload = json.loads(text)
        except ValueError:
            raise E.ProtocolError(f"{self.server} sent malformed JSON") from None
        if not isinstance(payload, dict):
            raise E.ProtocolError(f"{self.server} sent an unexpected JSON answer")
        if payload.get("error"):
            raise E.ServerReportedError(
                f"{self.server} reported an error: {_error_text(payload['error'])}"
            )
        if self.aichat:
            if payload.get("response") is True and isinstance(payload.get("message"), str):
                return [payload["message"]]
            if payload.get("response") is False:
                detail = payload.get("message") or json.dumps(payload)[:200]
                raise E.ServerReportedError(f"{self.server} reported an error: {detail}")
            raise E.ProtocolError(f"{self.server} sent an answer without a reply message")
        try:
            content = payload["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise E.ProtocolError(f"{self.server} sent a completion without a message") from None
        return [content] if isinstance(content, str) and content else []


class PlainTextParser:
    """``text/plain`` (aichat servers that stream raw text)."""

    def __init__(self, server: str) -> None:
        self.server = server
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._started = False

    def feed(self, data: bytes) -> list[str]:
        """Decode incrementally (a chunk may end inside a UTF-8 character)."""
        text = self._decoder.decode(data)
        if not self._started and text.strip():
            self._started = True
            if text.lstrip().startswith("<!") or text.lstrip().lower().startswith("<html"):
                raise html_error(self.server)
        return [text] if text else []

    def end(self) -> list[str]:
        """Flush the decoder."""
        text = self._decoder.decode(b"", final=True)
        return [text] if text else []


_SURROGATE = re.compile("[\ud800-\udfff]")


class SurrogateJoiner:
    """Rejoins a UTF-16 surrogate pair split across two JSON deltas
    (``"\\ud83d"`` then ``"\\ude00"``) and turns lone surrogates into U+FFFD,
    so the text can always be encoded and saved."""

    def __init__(self) -> None:
        self._held = ""

    def push(self, text: str) -> str:
        """The text that is safe to emit now."""
        if self._held:
            text, self._held = self._held + text, ""
        if text and "\ud800" <= text[-1] <= "\udbff":
            text, self._held = text[:-1], text[-1]
        if _SURROGATE.search(text):
            text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        return text

    def flush(self) -> str:
        """What is left at the end (a lone high surrogate becomes U+FFFD)."""
        held, self._held = self._held, ""
        return "\ufffd" if held else ""


class _Sniffer:
    """Picks a parser from the first bytes when the content type says nothing."""

    def __init__(self, server: str, *, aichat: bool) -> None:
        self.server = server
        self.aichat = aichat
        self._inner: BodyParser | None = None
        self._buf = b""

    def feed(self, data: bytes) -> list[str]:
        if self._inner is None:
            self._buf += data
            head = self._buf.lstrip()
            if not head:
                return []
            if head[:1] == b"<":
                raise html_error(self.server)
            if head[:5] == b"data:" or head[:1] == b":" or head[:6] == b"event:":
                self._inner = SSEParser(
                    self.server, require_done=not self.aichat, allow_plain=self.aichat
                )
            elif head[:1] in (b"{", b"["):
                self._inner = JSONParser(self.server, aichat=self.aichat)
            elif self.aichat:
                self._inner = PlainTextParser(self.server)
            else:
                raise E.ProtocolError(f"{self.server} sent an answer that is not JSON or SSE")
            data, self._buf = self._buf, b""
        return self._inner.feed(data)

    def end(self) -> list[str]:
        if self._inner is None:
            raise E.ProtocolError(f"{self.server} sent an empty answer")
        return self._inner.end()


def sniff_parser(content_type: str, server: str, *, aichat: bool) -> BodyParser:
    """The parser for a 2xx response with this content type."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "text/event-stream":
        return SSEParser(server, require_done=not aichat, allow_plain=aichat)
    if kind == "text/html":
        raise html_error(server)
    if kind.endswith("json"):
        return JSONParser(server, aichat=aichat)
    if kind == "text/plain" and aichat:
        return PlainTextParser(server)
    return _Sniffer(server, aichat=aichat)

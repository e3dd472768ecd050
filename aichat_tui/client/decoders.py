"""Response body parsers: bytes in, stream events out.

Each parser has ``feed(bytes) -> list[StreamEvent]`` and ``end()`` and
raises the documented errors (the caller attaches the partial text).
"""

from __future__ import annotations

import codecs
import json
import re
from typing import Any, Protocol

from aichat_tui.client import errors as E
from aichat_tui.client.events import (
    Finish,
    ReasoningDelta,
    StreamEvent,
    TextDelta,
    normalise_finish,
)
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

    def feed(self, data: bytes) -> list[StreamEvent]:
        """Bytes in, stream events out."""
        ...

    def end(self) -> list[StreamEvent]:
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


def _parts_text(value: Any) -> tuple[str, str]:
    """(text, reasoning) of ``content``: a string, or a list of parts
    (``{"type": "text", "text": ...}``; Mistral's ``{"type": "thinking",
    "thinking": [parts]}``)."""
    if isinstance(value, str):
        return value, ""
    if not isinstance(value, list):
        return "", ""
    text: list[str] = []
    reasoning: list[str] = []
    for part in value:
        if isinstance(part, str):
            text.append(part)
        elif isinstance(part, dict):
            kind = part.get("type")
            if kind in ("thinking", "reasoning"):
                inner = part.get("thinking", part.get("reasoning", part.get("text")))
                a, b = _parts_text(inner)
                reasoning.append(a + b)
            elif isinstance(part.get("text"), str):
                text.append(part["text"])
    return "".join(text), "".join(reasoning)


def _pick_choice(choices: list[Any]) -> dict[str, Any]:
    """The choice with index 0 (servers may send several in any order)."""
    dicts = [c for c in choices if isinstance(c, dict)]
    for choice in dicts:
        if choice.get("index", 0) == 0:
            return choice
    return dicts[0] if dicts else {}


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _num(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


class ServerUsage:
    """What the server said about tokens and speed (``usage``; llama.cpp ``timings``)."""

    def __init__(self) -> None:
        self.prompt_tokens: int | None = None
        self.completion_tokens: int | None = None
        self.tokens_per_second: float | None = None

    def read(self, payload: dict[str, Any]) -> None:
        """Take ``usage`` and ``timings`` from a chunk or a whole completion."""
        usage = payload.get("usage")
        if isinstance(usage, dict):
            self.prompt_tokens = _int(usage.get("prompt_tokens")) or self.prompt_tokens
            self.completion_tokens = _int(usage.get("completion_tokens")) or self.completion_tokens
        timings = payload.get("timings")
        if isinstance(timings, dict):
            prompt_n, cache_n = _int(timings.get("prompt_n")), _int(timings.get("cache_n"))
            if self.prompt_tokens is None and prompt_n is not None:
                self.prompt_tokens = prompt_n + (cache_n or 0)
            predicted = _int(timings.get("predicted_n"))
            if self.completion_tokens is None and predicted is not None:
                self.completion_tokens = predicted
            speed = _num(timings.get("predicted_per_second"))
            if speed is not None:
                self.tokens_per_second = speed


class _ChunkReader:
    """Events out of one parsed OpenAI-style chunk (shared by SSE and JSON)."""

    def __init__(self, server: str) -> None:
        self.server = server
        self.finished = False
        self.usage = ServerUsage()
        self.tool_names: list[str] = []
        self.tool_calls = False

    def chunk(self, payload: dict[str, Any]) -> list[StreamEvent]:
        self.usage.read(payload)
        choices = payload.get("choices")
        if not isinstance(choices, list) or not choices:
            return []  # a usage-only chunk: no choices key, null or []
        choice = _pick_choice(choices)
        out: list[StreamEvent] = []
        delta = choice.get("delta")
        if not isinstance(delta, dict):
            delta = choice.get("message")
        if isinstance(delta, dict):
            thinking = delta.get("reasoning_content")
            if not isinstance(thinking, str) or not thinking:
                thinking = delta.get("reasoning")
            if isinstance(thinking, str) and thinking:
                out.append(ReasoningDelta(thinking))
            text, part_reasoning = _parts_text(delta.get("content"))
            if part_reasoning:
                out.append(ReasoningDelta(part_reasoning))
            if text:
                out.append(TextDelta(text))
            calls = delta.get("tool_calls")
            if isinstance(calls, list) and calls:
                self.tool_calls = True
                for call in calls:
                    function = call.get("function") if isinstance(call, dict) else None
                    name = function.get("name") if isinstance(function, dict) else None
                    if isinstance(name, str) and name and name not in self.tool_names:
                        self.tool_names.append(name)
            if isinstance(delta.get("function_call"), dict):
                self.tool_calls = True
                name = delta["function_call"].get("name")
                if isinstance(name, str) and name and name not in self.tool_names:
                    self.tool_names.append(name)
            refusal = delta.get("refusal")
            if isinstance(refusal, str) and refusal:
                out.append(TextDelta(refusal))
        raw = choice.get("finish_reason")
        if isinstance(raw, str) and raw:
            self.finished = True
            if raw == "error":  # OpenRouter: the error object rides in the same chunk
                detail = payload.get("error") or choice.get("error") or "the model failed"
                raise E.ServerReportedError(
                    f"{self.server} reported an error: {_error_text(detail)}"
                )
            out.append(Finish(normalise_finish(raw), raw))
        return out


def _reported_error(server: str, payload: Any) -> E.ServerReportedError | None:
    """An error object in place of a reply: ``{"error": ...}``, or vLLM's older
    ``{"object": "error", "message": ...}``."""
    if not isinstance(payload, dict):
        return None
    if payload.get("error"):
        return E.ServerReportedError(f"{server} reported an error: {_error_text(payload['error'])}")
    if payload.get("object") == "error":
        return E.ServerReportedError(f"{server} reported an error: {_error_text(payload)}")
    return None


class SSEParser:
    """SSE reply for both backends.

    ``require_done``: the stream must end with ``[DONE]`` or a
    ``finish_reason`` (OpenAI); otherwise it is :class:`StreamInterrupted`.
    Data may be OpenAI chunks (``choices[index 0].delta``), aichat-style
    JSON (``message``/``content``/``text``), or plain text (aichat only).
    """

    def __init__(self, server: str, *, require_done: bool, allow_plain: bool) -> None:
        self.server = server
        self.require_done = require_done
        self.allow_plain = allow_plain
        self.done = False
        self._reader = _ChunkReader(server)
        self._decoder = SSEDecoder()
        self._ending = False

    @property
    def finished(self) -> bool:
        """A finish_reason was seen."""
        return self._reader.finished

    @property
    def usage(self) -> ServerUsage:
        """What the server said about tokens and speed."""
        return self._reader.usage

    @property
    def tool_names(self) -> list[str]:
        """Tools the model asked for (empty: none)."""
        return self._reader.tool_names

    @property
    def tool_calls(self) -> bool:
        """The model asked for tools."""
        return self._reader.tool_calls

    def feed(self, data: bytes) -> list[StreamEvent]:
        """Decode events and extract their content."""
        try:
            events = self._decoder.feed(data)
        except SSEError as exc:
            raise E.ProtocolError(f"{self.server} sent an oversized event ({exc})") from None
        return self._events(events)

    def end(self) -> list[StreamEvent]:
        """Flush; raise :class:`StreamInterrupted` if the reply is incomplete."""
        self._ending = True
        out = self._events(self._decoder.end())
        if self.require_done and not (self.done or self.finished):
            raise E.StreamInterrupted(
                f"the reply from {self.server} ended before it was complete (no [DONE])"
            )
        return out

    def _events(self, events: list[ServerSentEvent]) -> list[StreamEvent]:
        out: list[StreamEvent] = []
        for event in events:
            if self.done:
                break
            try:
                out.extend(self._event(event))
            except E.AichatError as exc:
                # What came before the failure in the same network chunk is
                # still part of the partial reply.
                exc.events_before = out  # type: ignore[attr-defined]
                raise
        return out

    def _event(self, event: ServerSentEvent) -> list[StreamEvent]:
        data = event.data
        if data.strip() == "[DONE]":
            self.done = True
            return []
        try:
            payload = json.loads(data)
        except ValueError:
            if event.event == "error":
                raise E.ServerReportedError(f"{self.server} reported an error: {data}") from None
            if self.allow_plain:
                return [TextDelta(data)] if data else []
            if self._ending:
                # The last event never got its blank line: the connection was
                # cut in the middle of it, which is not the server's JSON's fault.
                raise E.StreamInterrupted(
                    f"the connection to {self.server} was cut before the reply was complete"
                ) from None
            raise E.ProtocolError(f"{self.server} sent a malformed JSON event") from None
        if event.event == "error":
            inner = payload.get("error", payload) if isinstance(payload, dict) else payload
            raise E.ServerReportedError(f"{self.server} reported an error: {_error_text(inner)}")
        error = _reported_error(self.server, payload)
        if error is not None:
            raise error
        if not isinstance(payload, dict):
            if self.allow_plain and isinstance(payload, str):
                return [TextDelta(payload)] if payload else []
            raise E.ProtocolError(f"{self.server} sent an unexpected event")
        if payload.get("response") is False:
            raise E.ServerReportedError(
                f"{self.server} reported an error: {_error_text(payload.get('message', ''))}"
            )
        if "choices" in payload or "usage" in payload or "timings" in payload:
            return self._reader.chunk(payload)
        for key in ("message", "content", "text", "delta"):
            if isinstance(payload.get(key), str):
                return [TextDelta(payload[key])] if payload[key] else []
        if self.allow_plain:
            return []
        raise E.ProtocolError(f"{self.server} sent an event without reply text")


class JSONParser:
    """A whole JSON body: an OpenAI completion or an aichat answer."""

    def __init__(self, server: str, *, aichat: bool) -> None:
        self.server = server
        self.aichat = aichat
        self._buf = bytearray()
        self._reader = _ChunkReader(server)

    @property
    def usage(self) -> ServerUsage:
        """What the server said about tokens and speed."""
        return self._reader.usage

    @property
    def tool_names(self) -> list[str]:
        """Tools the model asked for (empty: none)."""
        return self._reader.tool_names

    @property
    def tool_calls(self) -> bool:
        """The model asked for tools."""
        return self._reader.tool_calls

    def feed(self, data: bytes) -> list[StreamEvent]:
        """Accumulate (bounded)."""
        self._buf += data
        if len(self._buf) > MAX_JSON_BODY:
            raise E.ProtocolError(f"{self.server} sent an oversized answer")
        return []

    def end(self) -> list[StreamEvent]:
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
        error = _reported_error(self.server, payload)
        if error is not None:
            raise error
        if self.aichat:
            if payload.get("response") is True and isinstance(payload.get("message"), str):
                return [TextDelta(payload["message"])] if payload["message"] else []
            if payload.get("response") is False:
                detail = payload.get("message") or json.dumps(payload)[:200]
                raise E.ServerReportedError(f"{self.server} reported an error: {detail}")
            raise E.ProtocolError(f"{self.server} sent an answer without a reply message")
        choices = payload.get("choices")
        if not isinstance(choices, list) or not choices:
            raise E.ProtocolError(f"{self.server} sent a completion without a message")
        return self._reader.chunk(payload)


class PlainTextParser:
    """``text/plain`` (aichat servers that stream raw text)."""

    def __init__(self, server: str) -> None:
        self.server = server
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._started = False

    def feed(self, data: bytes) -> list[StreamEvent]:
        """Decode incrementally (a chunk may end inside a UTF-8 character)."""
        text = self._decoder.decode(data)
        if not self._started and text.strip():
            self._started = True
            if text.lstrip().startswith("<!") or text.lstrip().lower().startswith("<html"):
                raise html_error(self.server)
        return [TextDelta(text)] if text else []

    def end(self) -> list[StreamEvent]:
        """Flush the decoder."""
        text = self._decoder.decode(b"", final=True)
        return [TextDelta(text)] if text else []


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

    @property
    def inner(self) -> BodyParser | None:
        """The parser the body chose (None before the first bytes)."""
        return self._inner

    def feed(self, data: bytes) -> list[StreamEvent]:
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

    def end(self) -> list[StreamEvent]:
        if self._inner is None:
            raise E.ProtocolError(f"{self.server} sent an empty answer")
        return self._inner.end()


def sniff_parser(content_type: str, server: str, *, aichat: bool) -> BodyParser:
    """The parser for a 2xx response with this content type.

    Only ``text/event-stream`` is trusted; anything else is decided by the
    body's first bytes, as the original provider did (it parsed every answer
    as JSON whatever the header said): servers label JSON ``text/plain`` or
    ``text/html``, and an HTML login page is recognised by its ``<``."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "text/event-stream":
        return SSEParser(server, require_done=not aichat, allow_plain=aichat)
    return _Sniffer(server, aichat=aichat)

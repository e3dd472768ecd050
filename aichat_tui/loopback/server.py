"""The loopback server: a real HTTP/1.1 server on 127.0.0.1 that speaks both
backend protocols. One piece of code serves the tests, ``--demo`` mode and the
benchmarks.

Routes:

* ``POST /api/text`` -- aichat. Answers 401 without a ``Cookie`` header, else
  ``{"response": true, "message": ...}`` (or a stream when a behaviour asks).
* ``POST /v1/chat/completions`` -- OpenAI-compatible SSE (``stream: true``) or
  a JSON completion. With ``api_key=`` set, a wrong bearer token gets 401.
* ``GET /v1/models`` -- ``{"data": [{"id": ...}]}``.

Replies come from ``reply(messages)`` (default: canned Markdown demo replies)
and are streamed ``chunk_chars`` characters at a time, ``chunk_delay`` seconds
apart. :meth:`LoopbackServer.push` scripts misbehaviour for the next requests
with a :class:`Behaviour`. Every request is recorded in ``requests``; clients
that hang up while a reply is still being sent are counted in ``aborted``.

Run standalone: ``python -m aichat_tui.loopback --port 8765 [--chunk-chars N
--chunk-delay S --reply-chars N]``.
"""

from __future__ import annotations

import asyncio
import json
import ssl as ssl_module
import threading
import time
from collections.abc import Callable

from aichat_tui.loopback.behaviour import Behaviour
from aichat_tui.loopback.http import (
    RecordedRequest,
    chunk,
    head,
    read_request,
    reset_connection,
)
from aichat_tui.loopback.replies import demo_reply

__all__ = ["Behaviour", "LoopbackServer", "RecordedRequest"]

HOLD_LIMIT = 120.0  # seconds a held reply waits for the others at most

HTML_PAGE = (
    b"<!DOCTYPE html><html><head><title>Sign in</title></head>"
    b"<body><h1>Please sign in</h1><form action='/login'></form></body></html>"
)


class _ClientGone(Exception):
    """The client hung up while we were answering."""


class LoopbackServer:
    """Real HTTP/1.1 server on 127.0.0.1 speaking aichat ``/api/text`` and
    OpenAI ``/v1/chat/completions`` (SSE) and ``/v1/models``."""

    def __init__(
        self,
        *,
        reply: Callable[[list[dict]], str] | None = None,
        chunk_chars: int = 8,
        chunk_delay: float = 0.0,
        host: str = "127.0.0.1",
        port: int = 0,
        models: list[str] | None = None,
        api_key: str | None = None,
        ssl: ssl_module.SSLContext | None = None,
        hold_replies_until: int = 0,
    ) -> None:
        self.ssl = ssl
        # Tests of concurrency: every streamed reply stops after its first chunk until
        # this many replies have started, so they overlap by construction, not by timing.
        self.hold_replies_until = hold_replies_until
        self.replies_started = 0
        self.streams_open = 0
        self.peak_streams = 0  # most replies streaming at the same time
        self._all_started = asyncio.Event()
        self.reply = reply or demo_reply
        self.chunk_chars = max(1, chunk_chars)
        self.chunk_delay = chunk_delay
        self.host = host
        self.port = port
        self.models = models if models is not None else ["demo-model", "demo-model-large"]
        self.api_key = api_key
        self.requests: list[RecordedRequest] = []
        self.connections = 0  # TCP connections accepted
        self.aborted = 0  # replies the client hung up on
        self._behaviours: list[Behaviour] = []
        self._lock = threading.Lock()
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task] = set()
        self._thread: threading.Thread | None = None
        self._thread_loop: asyncio.AbstractEventLoop | None = None

    # -- lifecycle ---------------------------------------------------------

    @property
    def url(self) -> str:
        """Base URL for the aichat backend."""
        scheme = "https" if self.ssl is not None else "http"
        return f"{scheme}://{self.host}:{self.port}"

    @property
    def openai_url(self) -> str:
        """Base URL for the OpenAI-compatible backend."""
        return self.url + "/v1"

    async def start(self) -> None:
        """Listen (port 0 picks a free port; ``port`` is updated)."""
        self._server = await asyncio.start_server(self._handle, self.host, self.port, ssl=self.ssl)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop listening and drop every open connection."""
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> LoopbackServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def start_in_thread(self) -> None:
        """Run the server on its own event loop in a daemon thread (for sync
        code: CLI tests, benchmarks). Returns once it is listening."""
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._thread_loop = loop
            try:
                loop.run_until_complete(self.start())
            except BaseException as exc:
                failure.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self.stop())
            loop.close()

        self._thread = threading.Thread(target=run, name="loopback-server", daemon=True)
        self._thread.start()
        ready.wait(10)
        if failure:
            raise failure[0]

    def stop_thread(self) -> None:
        """Stop a server started with :meth:`start_in_thread`."""
        if self._thread is None or self._thread_loop is None:
            return
        self._thread_loop.call_soon_threadsafe(self._thread_loop.stop)
        self._thread.join(10)
        self._thread = None
        self._thread_loop = None

    # -- scripting ---------------------------------------------------------

    def push(self, behaviour: Behaviour) -> None:
        """Queue a behaviour for the next request(s) it matches (FIFO)."""
        with self._lock:
            self._behaviours.append(behaviour)

    def _take(self, path: str) -> Behaviour:
        with self._lock:
            for behaviour in self._behaviours:
                if behaviour.path is None or behaviour.path == path:
                    behaviour.times -= 1
                    if behaviour.times <= 0:
                        self._behaviours.remove(behaviour)
                    return behaviour
        return Behaviour()

    # -- connection handling ----------------------------------------------

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        self.connections += 1
        keep = True
        try:
            while keep:
                request = await read_request(reader)
                if request is None:
                    break
                self.requests.append(request)
                keep = await self._respond(request, self._take(request.path), reader, writer)
        except _ClientGone:
            self.aborted += 1
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        except asyncio.CancelledError:
            keep = False  # server stopping
        finally:
            if not writer.transport.is_closing():
                writer.transport.close()
            if task is not None:
                self._tasks.discard(task)

    async def _respond(
        self,
        request: RecordedRequest,
        b: Behaviour,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> bool:
        if b.close_without_response:
            if b.rst:
                reset_connection(writer)
            return False
        if b.delay_headers:
            await asyncio.sleep(b.delay_headers)
        if b.body is not None:
            body = b.body.encode("utf-8") if isinstance(b.body, str) else b.body
            if b.body_chunk:
                return await self._send_pieces(writer, b, body)
            return await self._send(writer, b.status, body, b.content_type, b.headers)
        if b.html:
            return await self._send(
                writer, b.status, HTML_PAGE, "text/html; charset=utf-8", b.headers
            )
        if b.status != 200:
            error = {"error": {"message": f"loopback answered {b.status}", "code": b.status}}
            return await self._send(writer, b.status, _dumps(error), headers=b.headers)
        if request.method == "POST" and request.path == "/api/text":
            return await self._aichat(request, b, reader, writer)
        if request.method == "POST" and request.path in (
            "/v1/chat/completions",
            "/chat/completions",
        ):
            return await self._openai(request, b, reader, writer)
        if request.method == "GET" and request.path in ("/v1/models", "/models"):
            if not self._key_ok(request):
                return await self._send(writer, 401, _dumps(_key_error()))
            data = {"object": "list", "data": [{"id": m, "object": "model"} for m in self.models]}
            return await self._send(writer, 200, _dumps(data), headers=b.headers)
        return await self._send(writer, 404, _dumps({"error": {"message": "no such route"}}))

    async def _send(
        self,
        writer: asyncio.StreamWriter,
        status: int,
        body: bytes,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> bool:
        all_headers = {"content-type": content_type, "content-length": str(len(body))}
        all_headers.update(headers or {})
        writer.write(head(status, all_headers) + body)
        await writer.drain()
        return True

    async def _send_pieces(self, writer: asyncio.StreamWriter, b: Behaviour, body: bytes) -> bool:
        """``body`` in ``b.body_chunk``-byte writes (each flushed, paced by
        ``chunk_delay``), so a client meets every chunk boundary a real server makes."""
        all_headers = {"content-type": b.content_type, "content-length": str(len(body))}
        all_headers.update(b.headers)
        writer.write(head(b.status, all_headers))
        step = max(1, b.body_chunk or len(body))
        delay = b.chunk_delay if b.chunk_delay is not None else self.chunk_delay
        for start in range(0, len(body), step):
            writer.write(body[start : start + step])
            await _drain(writer)
            if delay:
                await asyncio.sleep(delay)
        return True

    def _key_ok(self, request: RecordedRequest) -> bool:
        return self.api_key is None or request.headers.get("authorization") == (
            f"Bearer {self.api_key}"
        )

    # -- aichat ------------------------------------------------------------

    async def _aichat(
        self,
        request: RecordedRequest,
        b: Behaviour,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> bool:
        if not request.headers.get("cookie"):
            body = {"response": False, "message": "Missing cookies: please sign in."}
            return await self._send(writer, 401, _dumps(body), headers=b.headers)
        if b.malformed:
            return await self._send(writer, 200, b'{"response": true, "message": "unterminat')
        if b.response_false:
            body = {"response": False, "message": "The model is overloaded, try again later."}
            return await self._send(writer, 200, _dumps(body), headers=b.headers)
        prompt = str(request.json().get("message", ""))
        text = b.text if b.text is not None else self.reply([{"role": "user", "content": prompt}])
        if b.aichat_stream == "plain":
            headers = {"content-type": "text/plain; charset=utf-8", **b.headers}
            return await self._stream(writer, reader, b, headers, text, lambda t: t.encode(), [])
        if b.aichat_stream == "sse":
            le = b.line_ending

            def encode(piece: str) -> bytes:
                return f"data: {json.dumps({'message': piece})}{le}{le}".encode()

            tail = [f"data: [DONE]{le}{le}".encode()]
            headers = {"content-type": "text/event-stream", **b.headers}
            return await self._stream(writer, reader, b, headers, text, encode, tail)
        body = _dumps({"response": True, "message": text})
        if b.cut_after is not None:
            # Announce the full length, send part of it, then hang up.
            cut = len(_dumps({"response": True, "message": text[: b.cut_after]})) - 2
            writer.write(
                head(200, {"content-type": "application/json", "content-length": str(len(body))})
                + body[:cut]
            )
            await writer.drain()
            await self._hang_up(writer, b.rst)
            return False
        return await self._send(writer, 200, body, headers=b.headers)

    # -- openai ------------------------------------------------------------

    async def _openai(
        self,
        request: RecordedRequest,
        b: Behaviour,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> bool:
        if not self._key_ok(request):
            return await self._send(writer, 401, _dumps(_key_error()))
        payload = request.json()
        model = payload.get("model") or self.models[0]
        text = b.text if b.text is not None else self.reply(list(payload.get("messages", [])))
        created = int(time.time())
        if b.json_completion or not payload.get("stream"):
            body = {
                "id": "chatcmpl-loopback",
                "object": "chat.completion",
                "created": created,
                "model": model,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": text},
                        "finish_reason": "stop",
                    }
                ],
            }
            return await self._send(writer, 200, _dumps(body), headers=b.headers)
        le = b.line_ending

        def event(delta: dict, finish: str | None = None) -> bytes:
            data = {
                "id": "chatcmpl-loopback",
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }
            return f"data: {json.dumps(data, ensure_ascii=False)}{le}{le}".encode()

        head_events = [event({"role": "assistant", "content": ""})]
        tail: list[bytes] = []
        if b.malformed:
            tail.append(f'data: {{"choices": [{{"delta": {{"content": "x{le}{le}'.encode())
        elif b.error_event is not None:
            tail.append(f"data: {json.dumps({'error': b.error_event})}{le}{le}".encode())
        elif not b.no_done:
            tail += [event({}, "stop"), f"data: [DONE]{le}{le}".encode()]
        headers = {"content-type": "text/event-stream", "cache-control": "no-cache", **b.headers}
        return await self._stream(
            writer, reader, b, headers, text, lambda t: event({"content": t}), tail, head_events
        )

    # -- streaming core ----------------------------------------------------

    async def _stream(
        self,
        writer: asyncio.StreamWriter,
        reader: asyncio.StreamReader,
        b: Behaviour,
        headers: dict[str, str],
        text: str,
        encode: Callable[[str], bytes],
        tail: list[bytes],
        head_events: list[bytes] | None = None,
    ) -> bool:
        size = b.chunk_chars or self.chunk_chars
        delay = self.chunk_delay if b.chunk_delay is None else b.chunk_delay
        limit = min(x for x in (b.stall_after, b.cut_after, len(text)) if x is not None)
        writer.write(head(200, {**headers, "transfer-encoding": "chunked"}))
        for data in head_events or []:
            writer.write(chunk(data))
        self.streams_open += 1
        self.peak_streams = max(self.peak_streams, self.streams_open)
        try:
            return await self._stream_body(
                writer, reader, b, text, encode, tail, size, (delay, limit)
            )
        finally:
            self.streams_open -= 1

    async def _hold(self) -> None:
        self.replies_started += 1
        if self.replies_started >= self.hold_replies_until:
            self._all_started.set()
        try:
            # Bounded so that a test missing a request fails on its assertion, not a hang.
            await asyncio.wait_for(self._all_started.wait(), HOLD_LIMIT)
        except TimeoutError:
            pass

    async def _stream_body(
        self,
        writer: asyncio.StreamWriter,
        reader: asyncio.StreamReader,
        b: Behaviour,
        text: str,
        encode: Callable[[str], bytes],
        tail: list[bytes],
        size: int,
        delay_and_limit: tuple[float, int],
    ) -> bool:
        delay, limit = delay_and_limit
        sent = 0
        first = True
        while sent < limit:
            piece = text[sent : min(sent + size, limit)]
            if not first and delay:
                await asyncio.sleep(delay)
            if reader.at_eof() or writer.transport.is_closing():
                raise _ClientGone
            writer.write(chunk(encode(piece)))
            await _drain(writer)
            sent += len(piece)
            if first and self.hold_replies_until:
                await self._hold()
            if first and b.bad_chunked:
                writer.write(b"zz-not-a-chunk-size\r\n")
                await _drain(writer)
                await self._hang_up(writer, False)
                return False
            first = False
        await _drain(writer)
        if b.cut_after is not None and b.cut_after < len(text):
            await self._hang_up(writer, b.rst)
            return False
        if b.stall_after is not None and b.stall_after < len(text):
            await self._stall(writer, reader, b.drip)
            return False
        for data in tail:
            writer.write(chunk(data))
        writer.write(b"0\r\n\r\n")
        await _drain(writer)
        return not b.malformed

    async def _hang_up(self, writer: asyncio.StreamWriter, rst: bool) -> None:
        if rst:
            # Give the client a moment to read what was sent: a RST makes the
            # peer's kernel drop unread data.
            await asyncio.sleep(0.05)
            reset_connection(writer)
        else:
            writer.transport.close()

    async def _stall(
        self, writer: asyncio.StreamWriter, reader: asyncio.StreamReader, drip: float | None
    ) -> None:
        """Send nothing (or only keep-alive comments) until the client hangs up."""
        while True:
            try:
                async with asyncio.timeout(drip):
                    data = await reader.read(1)
            except TimeoutError:
                writer.write(chunk(b": keep-alive\n\n"))
                await _drain(writer)
                continue
            if not data:
                raise _ClientGone


async def _drain(writer: asyncio.StreamWriter) -> None:
    try:
        await writer.drain()
    except ConnectionError as exc:
        raise _ClientGone from exc


def _dumps(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def _key_error() -> dict:
    return {"error": {"message": "Incorrect API key provided.", "type": "invalid_request_error"}}

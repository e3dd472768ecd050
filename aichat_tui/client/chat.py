"""``ChatClient``: one pooled ``httpx.AsyncClient`` per profile, a streaming
interface (``async for chunk in client.stream(request)``) over both backends,
model listing and a connection test.

Deadlines: ``Timeouts.headers`` bounds everything up to the response headers
(including a SOCKS handshake that httpcore never times out); between two
pieces of reply text at most ``Timeouts.idle`` may pass (keep-alive comments
do not count); ``Timeouts.total`` optionally caps a whole reply.

Cancellation: cancelling the consuming task raises ``CancelledError`` inside
the generator, which closes the HTTP response (the connection is dropped, not
returned to the pool) and re-raises; it is never turned into an
:class:`AichatError`. Callers that stop iterating early should close the
generator (``contextlib.aclosing``) -- :meth:`ChatClient.aclose` also closes
any stream still open.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from aichat_tui.attachments.wire import has_images
from aichat_tui.client import aichat as aichat_backend
from aichat_tui.client import errors as E
from aichat_tui.client import openai as openai_backend
from aichat_tui.client.decoders import BodyParser, ServerUsage, SurrogateJoiner, sniff_parser
from aichat_tui.client.decoding import aiter_bounded
from aichat_tui.client.errmap import ErrorContext
from aichat_tui.client.events import (
    Finish,
    ReasoningDelta,
    StreamEvent,
    TextDelta,
    ToolCallNotice,
    UsageReport,
)
from aichat_tui.client.think import ThinkSplitter
from aichat_tui.client.transport import (
    ProxySpec,
    Timeouts,
    build_http_client,
    collect_secrets,
    display_url,
    environment_proxy,
    install_log_filter,
    register_secrets,
    unregister_secrets,
)
from aichat_tui.models import Profile, Usage

__all__ = ["ChatClient", "ChatRequest"]

log = logging.getLogger("aichat_tui.client")

MAX_ERROR_BODY = 64 * 1024
MAX_MODELS_BODY = 4 * 2**20  # a real /models answer is a few KB


@dataclass(frozen=True)
class ChatRequest:
    """One request: the wire messages and per-request overrides."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    model: str = ""
    temperature: float | None = None  # None -> profile default
    top_p: float | None = None
    max_tokens: int | None = None  # None -> profile default


# What the app and `ask` use (a library caller opts in with ``retries=``): a person
# waits at most two retries, each at most MAX_RETRY_WAIT seconds, before seeing the error.
INTERACTIVE_RETRIES = 2
INTERACTIVE_MAX_RETRY_WAIT = 20.0

# Profiles (name, base URL) whose server refused ``stream_options`` (this process).
_REJECTS_STREAM_OPTIONS: set[tuple[str, str]] = set()


class _StreamOptionsRejected(Exception):
    """A 400/422 answer that names ``stream_options``."""


RetryNotice = Callable[[E.AichatError, float, int], None]
"""Called as ``on_retry(error, wait_seconds, attempt)`` before an automatic retry."""


class ChatClient:
    """One pooled httpx.AsyncClient for one Profile (cookies, key, proxy, timeouts).

    Creating it never fails: configuration problems (a bad proxy URL, a broken
    proxy variable in the environment, socksio missing) are raised as
    :class:`ConfigurationError` by the first request. The proxy, the timeouts
    and the secrets to scrub are taken from the profile once: make a new
    client when the profile changes.
    """

    def __init__(
        self,
        profile: Profile,
        *,
        connect_timeout: float | None = None,
        idle_timeout: float | None = None,
        total_timeout: float | None = None,
        retries: int = 0,
        max_retry_wait: float = 30.0,
    ) -> None:
        self.profile = profile
        # Opt-in: retry 429/5xx before any text arrived (see _open_with_retries).
        self.retries = max(0, retries)
        self.max_retry_wait = max_retry_wait
        self.timeouts = Timeouts.for_profile(
            profile, connect=connect_timeout, idle=idle_timeout, total=total_timeout
        )
        self.server = display_url(profile.base_url)
        self._config_error: E.ConfigurationError | None = None
        self.proxy: ProxySpec | None = None
        if profile.proxy:
            try:
                self.proxy = ProxySpec.parse(profile.proxy)
            except E.ConfigurationError as exc:
                self._config_error = exc
        # Only to name an environment proxy in error messages.
        self._env_proxy = environment_proxy(profile.base_url) if profile.proxy is None else None
        self._secrets = collect_secrets(profile, self.proxy or self._env_proxy)
        install_log_filter()
        register_secrets(self, self._secrets)
        self._http: httpx.AsyncClient | None = None
        self._open: set[httpx.Response] = set()
        self._closed = False

    # -- lifecycle ---------------------------------------------------------

    async def __aenter__(self) -> ChatClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close open streams and the connection pool."""
        self._closed = True
        for response in list(self._open):
            await response.aclose()
        self._open.clear()
        if self._http is not None:
            await self._http.aclose()
            self._http = None
        unregister_secrets(self)

    def _context(self) -> ErrorContext:
        credential = "cookies" if self.profile.kind == "aichat" else "API key"
        proxy = self.proxy or self._env_proxy
        return ErrorContext(self.server, proxy, self._secrets, self.timeouts, credential)

    def _client(self) -> httpx.AsyncClient:
        if self._closed:
            raise E.ConfigurationError("this client was closed")
        if self._config_error is not None:
            raise self._config_error
        if self._http is None:
            try:
                self._http = build_http_client(self.profile.proxy, self.proxy, self.timeouts)
            except E.ConfigurationError as exc:
                self._context().finish(exc)
                raise
        return self._http

    # -- requests ----------------------------------------------------------

    def _build(self, http: httpx.AsyncClient, request: ChatRequest) -> httpx.Request:
        try:
            if self.profile.kind == "aichat":
                return aichat_backend.build_chat_request(http, self.profile, request)
            return openai_backend.build_chat_request(
                http, self.profile, request, include_usage=self._asks_usage()
            )
        except UnicodeEncodeError:
            # Lone surrogates: undecodable bytes smuggled in through argv or a file.
            raise E.ConfigurationError(
                "the message holds characters that are not valid Unicode "
                "(bytes that are not UTF-8?); nothing was sent"
            ) from None
        except (httpx.InvalidURL, httpx.UnsupportedProtocol, ValueError, TypeError) as exc:
            if isinstance(exc, E.AichatError):
                raise
            raise E.ConfigurationError(
                f"the base URL of profile {self.profile.name!r} is not a valid http(s) URL"
            ) from None

    def _usage_key(self) -> tuple[str, str]:
        return (self.profile.name, self.profile.base_url.rstrip("/"))

    def _asks_usage(self) -> bool:
        return self._usage_key() not in _REJECTS_STREAM_OPTIONS

    async def _open_response(
        self, http: httpx.AsyncClient, req: httpx.Request, request: ChatRequest | None = None
    ) -> httpx.Response:
        """Send and wait for the headers within the headers deadline; non-2xx
        statuses become errors (``request`` names the model and says whether
        images were sent, for a server that refuses them)."""
        ctx = self._context()
        if request is not None:
            ctx.model = request.model or self.profile.model
            ctx.images = has_images(request.messages)
        log.debug("%s %s%s", req.method, self.server, req.url.path)
        try:
            async with asyncio.timeout(self.timeouts.headers):
                response = await http.send(req, stream=True)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            error = ctx.transport(exc, answered=False, partial="")
            log.debug("request failed: %s", error)
            raise error from None
        self._open.add(response)
        if response.is_success:
            return response
        try:
            body = await self._read_bounded(response)
        finally:
            await self._close(response)
        if (
            response.status_code in (400, 422)
            and b"stream_options" in body
            and b"stream_options" in req.content
        ):
            raise _StreamOptionsRejected()
        error = ctx.status(response, body)
        log.debug("request failed: %s", error)
        raise error

    async def _read_bounded(self, response: httpx.Response) -> bytes:
        """Up to MAX_ERROR_BODY bytes of an error body ("" if it fails)."""
        data = bytearray()
        try:
            async with asyncio.timeout(self.timeouts.read):
                # Decoded in bounded pieces: a gzip bomb must not expand whole.
                async for piece in aiter_bounded(response):
                    data += piece
                    if len(data) >= MAX_ERROR_BODY:
                        break
        except (httpx.HTTPError, TimeoutError):
            pass
        return bytes(data)

    async def _close(self, response: httpx.Response) -> None:
        self._open.discard(response)
        await response.aclose()

    async def _open_with_retries(
        self, http: httpx.AsyncClient, request: ChatRequest, on_retry: RetryNotice | None
    ) -> httpx.Response:
        """Open the response; with ``retries`` > 0, answers 429 and 5xx are
        retried (nothing has been shown yet), waiting as the server asks
        (Retry-After) or with exponential backoff and jitter. A requested wait
        above ``max_retry_wait`` is not attempted: the error is raised.
        ``on_retry(error, wait, attempt)`` is told before each wait, so a user
        is never left looking at a silent pause."""
        attempt = 0
        while True:
            try:
                try:
                    return await self._open_response(http, self._build(http, request), request)
                except _StreamOptionsRejected:
                    # Older servers and strict proxies refuse the field: ask once
                    # more without it, and never again for this profile.
                    log.debug("%s rejects stream_options; retrying without it", self.server)
                    _REJECTS_STREAM_OPTIONS.add(self._usage_key())
                    return await self._open_response(http, self._build(http, request), request)
            except (E.RateLimitError, E.ServerError) as exc:
                if attempt >= self.retries:
                    raise
                wait = getattr(exc, "retry_after", None)
                if wait is None:
                    wait = min(self.max_retry_wait, 0.5 * 2**attempt) * random.uniform(0.5, 1.0)
                if wait > self.max_retry_wait:
                    raise
                attempt += 1
                log.debug("retrying in %.2f s after: %s", wait, exc)
                if on_retry is not None:
                    on_retry(exc, wait, attempt)
                await asyncio.sleep(wait)

    async def events(
        self, request: ChatRequest, *, on_retry: RetryNotice | None = None
    ) -> AsyncIterator[StreamEvent]:
        """Yield the reply as typed events (:mod:`aichat_tui.client.events`):
        text and reasoning deltas as they arrive, then a :class:`Finish`, a
        :class:`ToolCallNotice` if the model asked for tools, and last one
        :class:`UsageReport`. Raises the documented errors; ``error.partial``
        and ``error.partial_reasoning`` hold what arrived before a failure.
        Any delta, thinking included, resets the idle deadline."""
        http = self._client()
        loop = asyncio.get_running_loop()
        sent_at = loop.time()
        response = await self._open_with_retries(http, request, on_retry)
        ctx = self._context()
        shaper = _Shaper(think=self.profile.kind == "openai")
        first_at: float | None = None
        last_at: float | None = None
        text_parts: list[str] = []
        thought_parts: list[str] = []

        def failed(exc: BaseException) -> E.AichatError:
            for event in shaper.shape(getattr(exc, "events_before", [])) + shaper.flush():
                seen(event)
            error = ctx.transport(exc, answered=True, partial="".join(text_parts))
            error.partial_reasoning = "".join(thought_parts)
            return error

        def seen(event: StreamEvent) -> None:
            nonlocal first_at, last_at
            if isinstance(event, TextDelta | ReasoningDelta):
                now = loop.time()
                first_at = first_at if first_at is not None else now
                last_at = now
                (text_parts if isinstance(event, TextDelta) else thought_parts).append(event.text)

        try:
            try:
                parser = sniff_parser(
                    response.headers.get("content-type", ""),
                    self.server,
                    aichat=self.profile.kind == "aichat",
                )
            except E.AichatError as exc:
                raise ctx.finish(exc) from None
            chunks = aiter_bounded(response)  # a compressed bomb inflates in bounded pieces
            total = self.timeouts.total
            total_end = None if total is None else loop.time() + total
            active_at = loop.time()
            while True:
                deadline = active_at + self.timeouts.idle
                limit = deadline if total_end is None else min(deadline, total_end)
                try:
                    async with asyncio.timeout_at(limit):
                        data = await anext(chunks)
                    raw = parser.feed(data)
                except StopAsyncIteration:
                    break
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    if isinstance(exc, TimeoutError):
                        exc = self._deadline_error(loop.time(), active_at, total_end)
                    error = failed(exc)
                    log.debug("stream failed: %s", error)
                    raise error from None
                for event in shaper.shape(raw):
                    seen(event)
                    active_at = loop.time() if isinstance(event, _DELTAS) else active_at
                    yield event
            try:
                raw = parser.end()
            except E.AichatError as exc:
                error = failed(exc)
                log.debug("stream incomplete: %s", error)
                raise error from None
            for event in [*shaper.shape(raw), *shaper.flush()]:
                seen(event)
                yield event
            inner = _inner_parser(parser)
            if getattr(inner, "tool_calls", False):
                yield ToolCallNotice(tuple(getattr(inner, "tool_names", ())))
            yield UsageReport(_usage(getattr(inner, "usage", None), sent_at, first_at, last_at))
        finally:
            await self._close(response)

    def _deadline_error(
        self, now: float, active_at: float, total_end: float | None
    ) -> E.IdleTimeout:
        """The idle or overall deadline passed: name the time really waited."""
        via = ""
        proxy = self.proxy or self._env_proxy
        if proxy is not None:
            via = f" through proxy {proxy.display}"
        if total_end is not None and now >= total_end and self.timeouts.total is not None:
            return E.IdleTimeout(
                f"the reply from {self.server} took longer than the overall "
                f"limit of {self.timeouts.total:g} s"
            )
        waited = max(self.timeouts.idle, now - active_at)
        return E.IdleTimeout(f"no reply text from {self.server} for {_seconds(waited)}{via}")

    async def stream(
        self, request: ChatRequest, *, on_retry: RetryNotice | None = None
    ) -> AsyncIterator[str]:
        """Yield the reply's answer text as ``str`` chunks (thinking, endings
        and usage are left out: see :meth:`events`). A reply that only asked
        for tools raises :class:`ProtocolError` instead of ending blank."""
        wrote = False
        async with contextlib.aclosing(self.events(request, on_retry=on_retry)) as events:
            async for event in events:
                if isinstance(event, TextDelta):
                    wrote = True
                    yield event.text
                elif isinstance(event, ToolCallNotice) and not wrote:
                    raise self._context().finish(E.ProtocolError(tool_call_notice(event)))

    async def complete(self, request: ChatRequest) -> str:
        """The whole reply as one string."""
        parts: list[str] = []
        async for piece in self.stream(request):
            parts.append(piece)
        return "".join(parts)

    async def list_models(self) -> list[str]:
        """Model ids offered by an ``openai`` profile (``GET {base}/models``);
        ``[]`` for ``aichat``."""
        if self.profile.kind != "openai":
            return []
        http = self._client()
        try:
            req = openai_backend.build_models_request(http, self.profile)
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise E.ConfigurationError(
                f"the base URL of profile {self.profile.name!r} is not a valid http(s) URL"
            ) from exc
        response = await self._open_response(http, req)
        try:
            body = bytearray()
            try:
                async with asyncio.timeout(self.timeouts.read):
                    async for piece in aiter_bounded(response):
                        body += piece
                        if len(body) > MAX_MODELS_BODY:
                            raise E.ProtocolError(
                                f"the model list from {self.server} is larger than "
                                f"{MAX_MODELS_BODY // 2**20} MiB"
                            )
            except (asyncio.CancelledError, E.AichatError):
                raise
            except Exception as exc:
                raise self._context().transport(exc, answered=True, partial="") from None
        finally:
            await self._close(response)
        try:
            return openai_backend.parse_models(bytes(body), self.server)
        except E.AichatError as exc:
            raise self._context().finish(exc) from None

    async def test_connection(self) -> str:
        """A short human summary of a successful round trip, or raises."""
        via = f" through proxy {self.proxy.display}" if self.proxy else ""
        if self.profile.kind == "openai":
            models = await self.list_models()
            shown = ", ".join(models[:3]) + (", …" if len(models) > 3 else "")
            return f"{self.server} answered{via}: {len(models)} models ({shown})"
        reply = await self.complete(ChatRequest(messages=[{"role": "user", "content": "Hello"}]))
        return f"{self.server} answered{via}: a {len(reply)}-character reply"


_DELTAS = (TextDelta, ReasoningDelta)


def tool_call_notice(event: ToolCallNotice) -> str:
    """What to tell a person whose reply only asked for tools."""
    names = ", ".join(event.names) if event.names else "a function"
    return (
        f"the model answered only with a tool call ({names}), which aichat-tui does not run; "
        "the reply has no text"
    )


def _seconds(value: float) -> str:
    return f"{round(value, 1):g} s"


def _inner_parser(parser: BodyParser) -> object:
    inner = getattr(parser, "inner", None)
    return inner if inner is not None else parser


def _usage(
    server: ServerUsage | None, sent_at: float, first_at: float | None, last_at: float | None
) -> Usage:
    """Token counts from the server; time to first token measured here; speed
    from the server's timings, else completion tokens over the streaming time."""
    usage = Usage()
    if server is not None:
        usage.prompt_tokens = server.prompt_tokens
        usage.completion_tokens = server.completion_tokens
        usage.tokens_per_second = server.tokens_per_second
    if first_at is not None:
        usage.ttft = max(0.0, first_at - sent_at)
    if (
        usage.tokens_per_second is None
        and usage.completion_tokens
        and first_at is not None
        and last_at is not None
        and last_at > first_at
    ):
        usage.tokens_per_second = usage.completion_tokens / (last_at - first_at)
    return usage


class _Shaper:
    """Turns a parser's raw events into what callers get: ``<think>`` blocks
    split out of the answer (OpenAI-compatible servers), UTF-16 surrogate
    pairs rejoined per kind, empty pieces dropped."""

    def __init__(self, *, think: bool) -> None:
        self._think = ThinkSplitter() if think else None
        self._joiners = {"text": SurrogateJoiner(), "reasoning": SurrogateJoiner()}

    def _piece(self, kind: str, text: str) -> StreamEvent | None:
        text = self._joiners[kind].push(text)
        if not text:
            return None
        return TextDelta(text) if kind == "text" else ReasoningDelta(text)

    def shape(self, events: list[StreamEvent]) -> list[StreamEvent]:
        out: list[StreamEvent] = []
        for event in events:
            if isinstance(event, TextDelta):
                pieces = self._think.push(event.text) if self._think else [("text", event.text)]
            elif isinstance(event, ReasoningDelta):
                pieces = [("reasoning", event.text)]
            else:
                if isinstance(event, Finish):
                    out.extend(self.flush())
                out.append(event)
                continue
            for kind, text in pieces:
                shaped = self._piece(kind, text)
                if shaped is not None:
                    out.append(shaped)
        return out

    def flush(self) -> list[StreamEvent]:
        out: list[StreamEvent] = []
        pieces = self._think.flush() if self._think else []
        for kind, text in pieces:
            shaped = self._piece(kind, text)
            if shaped is not None:
                out.append(shaped)
        for kind, joiner in self._joiners.items():
            rest = joiner.flush()
            if rest:
                out.append(TextDelta(rest) if kind == "text" else ReasoningDelta(rest))
        return out

"""Every failure gets its own documented type and a message naming who failed."""

from __future__ import annotations

import email.utils
import time

import httpx
import pytest

from aichat_tui.client import (
    AichatError,
    AuthError,
    ChatClient,
    ConfigurationError,
    ConnectError,
    DNSError,
    HTTPStatusError,
    IdleTimeout,
    ProtocolError,
    ProxyAuthError,
    RateLimitError,
    ReadTimeout,
    ServerError,
    ServerReportedError,
    StreamInterrupted,
    errors,
    parse_retry_after,
)
from aichat_tui.loopback import Behaviour, LoopbackServer
from aichat_tui.models import Profile
from tests.client.helpers import close_at_once, free_port, request, tcp_server


def test_tree_shape() -> None:
    assert issubclass(errors.MissingCookiesError, RuntimeError)
    for name in errors.__all__:
        assert issubclass(getattr(errors, name), AichatError)
    assert issubclass(errors.ProxyAuthError, errors.ProxyError)
    assert issubclass(errors.ProxyError, errors.TransportError)
    assert issubclass(errors.IdleTimeout, errors.RequestTimeout)
    assert issubclass(errors.RateLimitError, errors.HTTPStatusError)
    error = errors.StreamInterrupted("two\nlines", partial="abc")
    assert str(error) == "two lines" and error.partial == "abc" and error.retryable


async def failure(profile: Profile) -> AichatError:
    async with ChatClient(profile) as client:
        with pytest.raises(AichatError) as info:
            await client.complete(request())
    return info.value


@pytest.mark.parametrize("status", [401, 403])
async def test_auth_errors_name_the_credential(
    loopback: LoopbackServer, profile_openai: Profile, profile_aichat: Profile, status: int
) -> None:
    loopback.push(Behaviour(status=status))
    error = await failure(profile_openai)
    assert isinstance(error, AuthError) and error.status == status
    assert "API key" in str(error) and f"HTTP {status}" in str(error)
    assert not error.retryable
    loopback.push(Behaviour(status=status))
    error = await failure(profile_aichat)
    assert isinstance(error, AuthError) and "cookies" in str(error)


async def test_wrong_api_key_is_rejected_by_server(
    loopback: LoopbackServer, profile_openai: Profile
) -> None:
    loopback.api_key = "sk-correct-value"
    profile_openai.api_key = "sk-wrong-value-123"
    error = await failure(profile_openai)
    assert isinstance(error, AuthError)
    assert "Incorrect API key" in str(error)
    assert "sk-wrong-value-123" not in str(error)
    async with ChatClient(profile_openai) as client:
        with pytest.raises(AuthError):
            await client.list_models()


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "7"}, 7.0),
        ({"retry-after-ms": "1500"}, 1.5),
        ({"Retry-After": "99999"}, 99999.0),
        ({"Retry-After": "soon"}, None),
        ({}, None),
    ],
)
async def test_rate_limit_carries_retry_after(
    loopback: LoopbackServer, profile_openai: Profile, headers: dict, expected: float | None
) -> None:
    loopback.push(Behaviour(status=429, headers=headers))
    error = await failure(profile_openai)
    assert isinstance(error, RateLimitError) and error.status == 429
    assert error.retry_after == expected
    assert error.retryable
    if expected is not None:
        assert f"retry after {expected:g} s" in str(error)


def test_retry_after_http_date() -> None:
    now = time.time()
    date = email.utils.formatdate(now + 30, usegmt=True)
    wait = parse_retry_after(httpx.Headers({"Retry-After": date}), now=now)
    assert wait is not None and 28 <= wait <= 31
    past = email.utils.formatdate(now - 30, usegmt=True)
    assert parse_retry_after(httpx.Headers({"Retry-After": past}), now=now) == 0.0


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_server_errors(
    loopback: LoopbackServer, profile_openai: Profile, status: int
) -> None:
    loopback.push(Behaviour(status=status))
    error = await failure(profile_openai)
    assert isinstance(error, ServerError) and error.status == status and error.retryable
    assert f"127.0.0.1:{loopback.port} failed (HTTP {status})" in str(error)


async def test_other_statuses(loopback: LoopbackServer, profile_openai: Profile) -> None:
    loopback.push(Behaviour(status=404))
    error = await failure(profile_openai)
    assert type(error) is HTTPStatusError and "base URL" in str(error)
    loopback.push(Behaviour(status=400, body=b'{"error": {"message": "bad model"}}'))
    error = await failure(profile_openai)
    assert type(error) is HTTPStatusError and "bad model" in str(error)


async def test_redirect_to_login_page(loopback: LoopbackServer, profile_openai: Profile) -> None:
    loopback.push(Behaviour(status=302, headers={"location": "/login"}, body=b""))
    error = await failure(profile_openai)
    assert isinstance(error, ProtocolError) and "redirected" in str(error)


async def test_html_page_with_200(loopback: LoopbackServer, profile_openai: Profile) -> None:
    loopback.push(Behaviour(html=True))
    error = await failure(profile_openai)
    assert isinstance(error, ProtocolError) and "HTML page" in str(error)
    loopback.push(Behaviour(body=b"<!doctype html><p>hi", content_type="application/octet-stream"))
    assert isinstance(await failure(profile_openai), ProtocolError)


async def test_malformed_json_event(loopback: LoopbackServer, profile_openai: Profile) -> None:
    loopback.push(Behaviour(text="good start", malformed=True, chunk_chars=4))
    error = await failure(profile_openai)
    assert isinstance(error, ProtocolError) and "malformed JSON" in str(error)
    assert error.partial == "good start"


async def test_malformed_json_completion(loopback: LoopbackServer, profile_openai: Profile) -> None:
    loopback.push(Behaviour(body=b'{"choices": [', content_type="application/json"))
    assert isinstance(await failure(profile_openai), ProtocolError)


async def test_error_event_mid_stream(loopback: LoopbackServer, profile_openai: Profile) -> None:
    loopback.push(Behaviour(text="partial text", error_event={"message": "model crashed"}))
    error = await failure(profile_openai)
    assert isinstance(error, ServerReportedError)
    assert "model crashed" in str(error)
    assert error.partial == "partial text"


async def test_missing_done_keeps_partial(
    loopback: LoopbackServer, profile_openai: Profile
) -> None:
    loopback.push(Behaviour(text="unfinished reply", no_done=True))
    error = await failure(profile_openai)
    assert isinstance(error, StreamInterrupted) and "[DONE]" in str(error)
    assert error.partial == "unfinished reply"


@pytest.mark.parametrize("rst", [False, True])
async def test_cut_mid_stream_keeps_partial(
    loopback: LoopbackServer, profile_openai: Profile, rst: bool
) -> None:
    text = "0123456789" * 10
    loopback.push(Behaviour(text=text, cut_after=30, rst=rst, chunk_chars=10))
    chunks: list[str] = []
    async with ChatClient(profile_openai) as client:
        with pytest.raises(StreamInterrupted) as info:
            async for piece in client.stream(request()):
                chunks.append(piece)
        assert "".join(chunks) == info.value.partial == text[:30]
        assert "cut" in str(info.value) and str(loopback.port) in str(info.value)
        # The same client still works afterwards.
        loopback.push(Behaviour(text="again"))
        assert await client.complete(request()) == "again"


async def test_broken_chunked_framing(loopback: LoopbackServer, profile_openai: Profile) -> None:
    loopback.push(Behaviour(text="abcdefgh" * 4, bad_chunked=True))
    error = await failure(profile_openai)
    assert isinstance(error, StreamInterrupted) and error.partial == "abcdefgh"


async def test_stall_after_first_token_times_out(
    loopback: LoopbackServer, profile_openai: Profile
) -> None:
    # Seconds, not tenths: the first chunk must arrive before the read timeout
    # even when every core is busy (the timeout is what the test is about).
    profile_openai.timeout = 3.0
    loopback.push(Behaviour(text="first then nothing", stall_after=5))
    error = await failure(profile_openai)
    assert isinstance(error, ReadTimeout) and error.partial == "first"
    assert "stopped sending" in str(error)


async def test_slow_drip_of_comments_hits_idle_deadline(
    loopback: LoopbackServer, profile_openai: Profile
) -> None:
    profile_openai.timeout = 2.0  # read timeout; comments every 0.1 s keep the socket busy
    loopback.push(Behaviour(text="hello world", stall_after=5, drip=0.1))
    async with ChatClient(profile_openai, idle_timeout=4.0) as client:
        with pytest.raises(IdleTimeout) as info:
            await client.complete(request())
    assert info.value.partial == "hello"
    await _wait_aborted(loopback)


async def test_total_deadline(loopback: LoopbackServer, profile_openai: Profile) -> None:
    # The server sends five characters and stalls: the total deadline (3 s) ends the
    # reply before the read (10 s) and idle (20 s) ones, whatever the machine's load.
    loopback.push(Behaviour(text="x" * 400, stall_after=5))
    async with ChatClient(profile_openai, total_timeout=3.0) as client:
        with pytest.raises(IdleTimeout) as info:
            await client.complete(request())
    assert info.value.partial == "xxxxx"


async def test_slow_headers_time_out(loopback: LoopbackServer, profile_openai: Profile) -> None:
    profile_openai.timeout = 0.3
    loopback.push(Behaviour(delay_headers=3))
    error = await failure(profile_openai)
    assert isinstance(error, ReadTimeout) and "did not answer" in str(error)


async def test_wrong_content_encoding(loopback: LoopbackServer, profile_openai: Profile) -> None:
    loopback.push(Behaviour(body=b"plain, not gzip", headers={"content-encoding": "gzip"}))
    error = await failure(profile_openai)
    assert isinstance(error, ProtocolError) and "Content-Encoding" in str(error)


@pytest.mark.parametrize("rst", [False, True])
async def test_server_closes_without_answer(
    loopback: LoopbackServer, profile_openai: Profile, rst: bool
) -> None:
    loopback.push(Behaviour(close_without_response=True, rst=rst))
    error = await failure(profile_openai)
    assert isinstance(error, StreamInterrupted) and "without answering" in str(error)
    assert error.partial == ""


async def test_connection_refused() -> None:
    port = free_port()
    error = await failure(Profile(base_url=f"http://127.0.0.1:{port}/v1", proxy=""))
    assert type(error) is ConnectError
    assert str(error) == f"cannot connect to 127.0.0.1:{port}: connection refused"


async def test_dns_failure_is_distinct() -> None:
    error = await failure(Profile(base_url="http://nonexistent.invalid/v1", proxy=""))
    assert isinstance(error, DNSError) and "nonexistent.invalid" in str(error)
    assert "refused" not in str(error)


async def test_peer_closing_immediately() -> None:
    async with tcp_server(close_at_once) as port:
        error = await failure(Profile(base_url=f"http://127.0.0.1:{port}/v1", proxy=""))
    assert isinstance(error, StreamInterrupted)


@pytest.mark.parametrize("url", ["ftp://example.org/v1", "not a url", "http://[::1/v1"])
async def test_invalid_base_url(url: str) -> None:
    error = await failure(Profile(base_url=url, proxy=""))
    assert isinstance(error, ConfigurationError)


async def test_407_for_plain_http_target_without_exception(
    loopback: LoopbackServer, profile_openai: Profile
) -> None:
    # A forward proxy answers 407 as an ordinary response for http:// targets.
    loopback.push(Behaviour(status=407, headers={"proxy-authenticate": "Basic"}))
    error = await failure(profile_openai)
    assert isinstance(error, ProxyAuthError) and "proxy authentication failed" in str(error)


async def _wait_aborted(loopback: LoopbackServer) -> None:
    from tests.client.helpers import wait_until

    await wait_until(lambda: loopback.aborted >= 1)


async def test_huge_event_is_a_clean_protocol_error(
    loopback: LoopbackServer, profile_openai: Profile
) -> None:
    huge = b"data: " + b"x" * (17 * 1024 * 1024)  # no newline, beyond the 16 MiB bound
    loopback.push(Behaviour(body=huge, content_type="text/event-stream"))
    error = await failure(profile_openai)
    assert isinstance(error, ProtocolError) and "oversized" in str(error)


async def test_overall_limit_message(loopback: LoopbackServer, profile_openai: Profile) -> None:
    loopback.push(Behaviour(text="z" * 400, chunk_chars=1, chunk_delay=0.01))
    async with ChatClient(profile_openai, total_timeout=0.2) as client:
        with pytest.raises(IdleTimeout, match=r"overall limit of 0\.2 s"):
            await client.complete(request())


async def test_empty_stream_is_interrupted(
    loopback: LoopbackServer, profile_openai: Profile
) -> None:
    loopback.push(Behaviour(body=b"", content_type="text/event-stream"))
    error = await failure(profile_openai)
    assert isinstance(error, StreamInterrupted) and error.partial == ""


async def test_opt_in_retry_of_server_errors(
    loopback: LoopbackServer, profile_openai: Profile
) -> None:
    loopback.push(Behaviour(status=503, times=2))
    loopback.push(Behaviour(text="third time lucky"))
    async with ChatClient(profile_openai, retries=2, max_retry_wait=0.05) as client:
        assert await client.complete(request()) == "third time lucky"
    assert len(loopback.requests) == 3


async def test_on_retry_hears_each_wait_before_it_happens(
    loopback: LoopbackServer, profile_openai: Profile
) -> None:
    loopback.push(Behaviour(status=429, headers={"retry-after-ms": "20"}))
    loopback.push(Behaviour(status=502))
    heard: list[tuple[type, float, int]] = []
    async with ChatClient(profile_openai, retries=2, max_retry_wait=0.05) as client:
        chunks = [
            c
            async for c in client.stream(
                request(), on_retry=lambda e, wait, n: heard.append((type(e), wait, n))
            )
        ]
    assert "".join(chunks)
    assert [(kind, n) for kind, _, n in heard] == [(RateLimitError, 1), (ServerError, 2)]
    assert heard[0][1] == pytest.approx(0.02)
    assert 0 < heard[1][1] <= 0.05


async def test_opt_in_retry_honours_retry_after(
    loopback: LoopbackServer, profile_openai: Profile
) -> None:
    loopback.push(Behaviour(status=429, headers={"Retry-After": "0.05"}))
    loopback.push(Behaviour(text="after waiting"))
    async with ChatClient(profile_openai, retries=1) as client:
        assert await client.complete(request()) == "after waiting"
    assert len(loopback.requests) == 2


async def test_retry_gives_up_on_long_retry_after_and_when_exhausted(
    loopback: LoopbackServer, profile_openai: Profile
) -> None:
    loopback.push(Behaviour(status=429, headers={"Retry-After": "99999"}))
    async with ChatClient(profile_openai, retries=3) as client:
        with pytest.raises(RateLimitError) as info:
            await client.complete(request())
    assert info.value.retry_after == 99999 and len(loopback.requests) == 1
    loopback.push(Behaviour(status=500, times=5))
    async with ChatClient(profile_openai, retries=1, max_retry_wait=0.01) as client:
        with pytest.raises(ServerError):
            await client.complete(request())
    assert len(loopback.requests) == 3  # 1 + one retry


async def test_no_retry_by_default_and_not_for_auth(
    loopback: LoopbackServer, profile_openai: Profile
) -> None:
    loopback.push(Behaviour(status=502))
    async with ChatClient(profile_openai) as client:
        with pytest.raises(ServerError):
            await client.complete(request())
    loopback.push(Behaviour(status=401))
    async with ChatClient(profile_openai, retries=3) as client:
        with pytest.raises(AuthError):
            await client.complete(request())
    assert len(loopback.requests) == 2

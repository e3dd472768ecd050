"""Real proxies (pproxy subprocesses) and misbehaving ones (loopback TCP servers)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from urllib.parse import quote

import pytest

from aichat_tui.client import (
    AichatError,
    ChatClient,
    ConfigurationError,
    ConnectError,
    ProxyAuthError,
    ProxyConnectError,
    ProxySpec,
    ProxyTimeoutError,
)
from aichat_tui.loopback import LoopbackServer
from aichat_tui.models import Profile
from tests.client.helpers import close_at_once, free_port, pproxy, request, silent, tcp_server

USER = "alice"
PASSWORD = "p@ss:w/rd#50%x"  # every character that breaks naive URL handling
AUTH = f"{USER}:{PASSWORD}"


def via(profile: Profile, proxy: str | None, timeout: float | None = None) -> Profile:
    profile.proxy = proxy
    if timeout is not None:
        profile.timeout = timeout
    return profile


async def reply(profile: Profile) -> str:
    async with ChatClient(profile) as client, asyncio.timeout(20):
        return await client.complete(request())


async def failure(profile: Profile) -> AichatError:
    async with ChatClient(profile) as client, asyncio.timeout(20):
        with pytest.raises(AichatError) as info:
            await client.complete(request())
    return info.value


def test_proxy_url_parsing() -> None:
    raw = ProxySpec.parse(f"socks5h://{USER}:{PASSWORD}@proxy.example:1080/")
    encoded = ProxySpec.parse(f"socks5://{USER}:{quote(PASSWORD, safe='')}@proxy.example:1080")
    assert (raw.username, raw.password, raw.host, raw.port) == (
        USER,
        PASSWORD,
        "proxy.example",
        1080,
    )
    assert encoded.password == PASSWORD and encoded.scheme == "socks5"
    assert ProxySpec.parse("HTTP://h").port == 80
    assert ProxySpec.parse("http://[::1]:3128").host == "[::1]"
    assert PASSWORD not in raw.display
    for bad in ("socks://h:1", "h:1", "http://", "http://h:99999", "http://h/x/y"):
        with pytest.raises(ConfigurationError):
            ProxySpec.parse(bad)


@pytest.mark.parametrize("scheme", ["http", "socks5", "socks5h"])
async def test_proxy_without_auth(
    loopback: LoopbackServer, profile_openai: Profile, scheme: str
) -> None:
    listen = "http" if scheme == "http" else "socks5"
    with pproxy(listen) as port:
        assert await reply(via(profile_openai, f"{scheme}://127.0.0.1:{port}"))
    assert loopback.requests[-1].path == "/v1/chat/completions"


@pytest.mark.parametrize("scheme", ["http", "socks5"])
@pytest.mark.parametrize("encode", [False, True])
async def test_proxy_auth_with_special_characters(
    loopback: LoopbackServer, profile_aichat: Profile, scheme: str, encode: bool
) -> None:
    password = quote(PASSWORD, safe="") if encode else PASSWORD
    with pproxy(scheme, AUTH) as port:
        text = await reply(via(profile_aichat, f"{scheme}://{USER}:{password}@127.0.0.1:{port}"))
    assert text
    assert loopback.requests[-1].cookies == profile_aichat.cookies


@pytest.mark.parametrize("scheme", ["http", "socks5"])
async def test_proxy_wrong_password(profile_openai: Profile, scheme: str) -> None:
    with pproxy(scheme, AUTH) as port:
        error = await failure(
            via(profile_openai, f"{scheme}://{USER}:wrong-secret@127.0.0.1:{port}")
        )
    assert isinstance(error, ProxyAuthError)
    assert f"proxy {scheme}://127.0.0.1:{port}" in str(error)
    assert "proxy authentication failed" in str(error)
    assert "wrong-secret" not in str(error)
    assert not error.retryable


async def test_http_proxy_407_on_connect_for_https_target(profile_openai: Profile) -> None:
    profile_openai.base_url = f"https://127.0.0.1:{free_port()}/v1"
    with pproxy("http", AUTH) as port:
        error = await failure(via(profile_openai, f"http://{USER}:nope-nope@127.0.0.1:{port}"))
    assert isinstance(error, ProxyAuthError) and "proxy" in str(error)


async def test_socks_proxy_requiring_auth_without_credentials(profile_openai: Profile) -> None:
    with pproxy("socks5", AUTH) as port:
        error = await failure(via(profile_openai, f"socks5://127.0.0.1:{port}"))
    assert isinstance(error, ProxyConnectError)
    assert "user name and password" in str(error)


@pytest.mark.parametrize("scheme", ["http", "socks5"])
async def test_proxy_down_names_the_proxy(profile_openai: Profile, scheme: str) -> None:
    port = free_port()
    error = await failure(via(profile_openai, f"{scheme}://{USER}:{PASSWORD}@127.0.0.1:{port}"))
    assert isinstance(error, ProxyConnectError)
    assert (
        str(error) == f"proxy {scheme}://127.0.0.1:{port} refused the connection (is it running?)"
    )


async def test_proxy_host_unresolvable(profile_openai: Profile) -> None:
    error = await failure(via(profile_openai, "socks5://proxy.nonexistent.invalid:1080"))
    assert isinstance(error, ProxyConnectError) and "proxy.nonexistent.invalid" in str(error)


@pytest.mark.parametrize("scheme", ["http", "socks5"])
async def test_silent_proxy_fails_in_bounded_time(profile_openai: Profile, scheme: str) -> None:
    async with tcp_server(silent) as port:
        error = await failure(via(profile_openai, f"{scheme}://127.0.0.1:{port}", timeout=0.3))
    assert isinstance(error, ProxyTimeoutError)
    assert f"proxy {scheme}://127.0.0.1:{port}" in str(error)


async def test_socks_proxy_closing_after_greeting(profile_openai: Profile) -> None:
    async with tcp_server(close_at_once) as port:
        error = await failure(via(profile_openai, f"socks5://127.0.0.1:{port}"))
    assert isinstance(error, ProxyConnectError) and f"127.0.0.1:{port}" in str(error)


@pytest.mark.parametrize("scheme", ["http", "socks5"])
async def test_target_unreachable_through_proxy(profile_openai: Profile, scheme: str) -> None:
    target = free_port()
    profile_openai.base_url = f"http://127.0.0.1:{target}/v1"
    with pproxy(scheme) as port:
        error = await failure(via(profile_openai, f"{scheme}://127.0.0.1:{port}"))
    assert isinstance(error, ConnectError | ProxyConnectError)
    assert f"127.0.0.1:{target}" in str(error) and f"127.0.0.1:{port}" in str(error)


async def test_configured_proxy_wins_over_environment(
    loopback: LoopbackServer, profile_openai: Profile, monkeypatch: pytest.MonkeyPatch
) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
        monkeypatch.setenv(name, dead)
    with pproxy("socks5") as port:
        assert await reply(via(profile_openai, f"socks5://127.0.0.1:{port}"))
    # NO_PROXY does not bypass an explicit proxy either (documented).
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    error = await failure(via(profile_openai, dead))
    assert isinstance(error, ProxyConnectError)


async def test_environment_proxy_used_when_profile_has_none(
    loopback: LoopbackServer, profile_openai: Profile, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    dead = free_port()
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{dead}")
    error = await failure(via(profile_openai, None))
    assert isinstance(error, ProxyConnectError) and f"127.0.0.1:{dead}" in str(error)
    # "" means no proxy at all: the environment is ignored.
    assert await reply(via(profile_openai, ""))
    with pproxy("http") as port:
        monkeypatch.setenv("HTTP_PROXY", f"127.0.0.1:{port}")  # no scheme: http assumed
        assert await reply(via(profile_openai, None))


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ALL_PROXY", "socks://127.0.0.1:9"),
        ("HTTP_PROXY", "ftp://127.0.0.1:9"),
        ("HTTPS_PROXY", "::::"),
        ("http_proxy", "http://proxy:notaport"),
    ],
)
async def test_broken_environment_proxy_does_not_crash(
    loopback: LoopbackServer,
    profile_openai: Profile,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    value: str,
) -> None:
    monkeypatch.setenv(name, value)
    client = ChatClient(via(profile_openai, None))  # creating never fails
    with pytest.raises(ConfigurationError) as info:
        await client.complete(request())
    await client.aclose()
    assert name in str(info.value) and "profile's proxy" in str(info.value)
    # The user can override: no proxy, or an explicit one.
    assert await reply(via(profile_openai, ""))
    with pproxy("http") as port:
        assert await reply(via(profile_openai, f"http://127.0.0.1:{port}"))


async def test_garbage_environment_proxy_is_named(
    loopback: LoopbackServer, profile_openai: Profile, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.setenv("HTTP_PROXY", "garbage")  # httpx reads it as http://garbage
    error = await failure(via(profile_openai, None))
    assert isinstance(error, ProxyConnectError) and "garbage" in str(error)


async def test_bad_configured_proxy_url_raises_on_request(profile_openai: Profile) -> None:
    client = ChatClient(via(profile_openai, "socks4://127.0.0.1:1080"))
    with pytest.raises(ConfigurationError, match="socks5"):
        await client.complete(request())
    await client.aclose()


async def test_socks_without_socksio(
    profile_openai: Profile, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The one simulated failure: socksio cannot be uninstalled for one test.
    monkeypatch.setitem(sys.modules, "socksio", None)
    error = await failure(via(profile_openai, "socks5://127.0.0.1:1080"))
    assert isinstance(error, ConfigurationError)
    assert "aichat-tui[socks]" in str(error)


def socks_replying(
    method: bytes,
) -> Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]:
    """A SOCKS5 server that answers the greeting with ``method`` and waits."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(16)
        writer.write(b"\x05" + method)
        await writer.drain()
        await reader.read(4096)

    return handler


async def test_socks_proxy_demanding_auth_when_none_configured(profile_openai: Profile) -> None:
    async with tcp_server(socks_replying(b"\x02")) as port:
        error = await failure(via(profile_openai, f"socks5://127.0.0.1:{port}"))
    assert isinstance(error, ProxyAuthError)
    assert "requires a user name and password" in str(error)


async def test_socks_proxy_with_no_acceptable_method(profile_openai: Profile) -> None:
    async with tcp_server(socks_replying(b"\xff")) as port:
        error = await failure(via(profile_openai, f"socks5://u:{PASSWORD}@127.0.0.1:{port}"))
    assert isinstance(error, ProxyAuthError) and "rejected the credentials" in str(error)
    assert PASSWORD not in str(error)

"""No secret (cookie, API key, proxy password) in any error message or log."""

from __future__ import annotations

import base64
import logging
from urllib.parse import quote

import pytest

from aichat_tui.client import AichatError, ChatClient
from aichat_tui.client.transport import SecretFilter, register_secrets, unregister_secrets
from aichat_tui.loopback import Behaviour, LoopbackServer
from aichat_tui.models import Profile
from tests.client.helpers import free_port, pproxy, request

PASSWORD = "Sup3r:s3cr@t/pw#%"
API_KEY = "sk-live-ABCDEF0123456789"
COOKIE = "cookie-value-42xyz"


def forms(secret: str) -> list[str]:
    return [secret, quote(secret, safe=""), repr(secret.encode())[2:-1]]


def assert_clean(text: str, *secrets: str) -> None:
    for secret in secrets:
        for form in forms(secret):
            assert form not in text, f"secret leaked: {form!r}"
    basic = base64.b64encode(f"user:{PASSWORD}".encode()).decode()
    assert basic not in text


@pytest.mark.parametrize("scheme", ["socks5", "http"])
async def test_debug_logs_with_proxy_password(
    loopback: LoopbackServer,
    profile_openai: Profile,
    caplog: pytest.LogCaptureFixture,
    scheme: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    profile_openai.api_key = API_KEY
    with pproxy(scheme, f"user:{PASSWORD}") as port:
        profile_openai.proxy = f"{scheme}://user:{PASSWORD}@127.0.0.1:{port}"
        async with ChatClient(profile_openai) as client:
            assert await client.complete(request())
            # and a failing request, which logs its error
            loopback.push(Behaviour(status=500, body=f'{{"error": "bad key {API_KEY}"}}'))
            with pytest.raises(AichatError) as info:
                await client.complete(request())
    assert_clean(str(info.value), PASSWORD, API_KEY)
    assert "***" in str(info.value)  # the echoed key was scrubbed, not dropped
    text = caplog.text
    assert "httpcore" in " ".join(r.name for r in caplog.records)  # the logs were really on
    if scheme == "socks5":
        assert "setup_socks5_connection" in text
    assert_clean(text, PASSWORD, API_KEY)


async def test_cookies_never_logged_or_shown(
    loopback: LoopbackServer, profile_aichat: Profile, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    profile_aichat.cookies = {"session": COOKIE}
    loopback.push(
        Behaviour(status=403, body=f"rejected session={COOKIE}", content_type="text/plain")
    )
    async with ChatClient(profile_aichat) as client:
        with pytest.raises(AichatError) as info:
            await client.complete(request())
    assert "cookies" in str(info.value)
    assert_clean(str(info.value) + caplog.text, COOKIE)


@pytest.mark.parametrize("scheme", ["http", "socks5"])
async def test_proxy_failure_messages_hide_credentials(
    profile_openai: Profile, caplog: pytest.LogCaptureFixture, scheme: str
) -> None:
    caplog.set_level(logging.DEBUG)
    port = free_port()
    profile_openai.proxy = f"{scheme}://user:{quote(PASSWORD, safe='')}@127.0.0.1:{port}"
    async with ChatClient(profile_openai) as client:
        with pytest.raises(AichatError) as info:
            await client.complete(request())
    assert f"127.0.0.1:{port}" in str(info.value)
    assert_clean(str(info.value) + caplog.text, PASSWORD)


async def test_wrong_proxy_password_message_hides_it(profile_openai: Profile) -> None:
    with pproxy("socks5", "user:right-one") as port:
        profile_openai.proxy = f"socks5://user:{PASSWORD}@127.0.0.1:{port}"
        async with ChatClient(profile_openai) as client:
            with pytest.raises(AichatError) as info:
                await client.complete(request())
    assert "proxy authentication failed" in str(info.value)
    assert_clean(str(info.value), PASSWORD)


def test_filter_scrubs_header_values_and_auth_tuples() -> None:
    owner = object()
    register_secrets(owner, ["registered-secret"])
    try:
        record = logging.LogRecord(
            "httpcore.http11",
            logging.DEBUG,
            __file__,
            1,
            "send %s auth=(b'bob', b'pw-not-registered') extra %s",
            ([(b"Cookie", b"sid=abc"), (b"Authorization", b"Bearer xyz")], "registered-secret"),
            None,
        )
        assert SecretFilter().filter(record)
        message = record.getMessage()
    finally:
        unregister_secrets(owner)
    assert "sid=abc" not in message and "Bearer xyz" not in message
    assert "pw-not-registered" not in message and "registered-secret" not in message
    assert "(b'Cookie', b'***')" in message and "auth=(b'bob', b'***')" in message


async def test_credentials_in_base_url_never_shown(
    loopback: LoopbackServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    tail = "/v1?api-key=querysecret99"
    for host, behaviour in ((f"127.0.0.1:{loopback.port}", Behaviour(status=502)),
                            (f"127.0.0.1:{free_port()}", None)):  # fmt: skip
        if behaviour:
            loopback.push(behaviour)
        profile = Profile(base_url=f"http://bob:urlpass123@{host}{tail}", proxy="")
        async with ChatClient(profile) as client:
            with pytest.raises(AichatError) as info:
                await client.complete(request())
        assert host in str(info.value)
        assert_clean(str(info.value) + caplog.text, "urlpass123", "querysecret99")
    assert "HTTP Request" in caplog.text  # httpx logged the URL, scrubbed


def test_secrets_are_dropped_with_their_owner() -> None:
    import gc

    from aichat_tui.client import transport

    class Owner:
        pass

    owner = Owner()
    register_secrets(owner, ["dropped-secret"])
    key = id(owner)
    assert key in transport._secrets
    del owner
    gc.collect()
    assert key not in transport._secrets

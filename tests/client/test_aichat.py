"""The aichat backend and the original ``Aichat`` provider contract."""

from __future__ import annotations

import pytest

from aichat_tui.client import (
    Aichat,
    AichatError,
    ChatClient,
    ChatRequest,
    MissingCookiesError,
    ProtocolError,
    ServerReportedError,
    flatten_prompt,
)
from aichat_tui.client.aichat import USER_AGENT
from aichat_tui.loopback import Behaviour, LoopbackServer
from aichat_tui.models import Profile, Settings
from aichat_tui.store import Paths, save_settings
from tests.client.helpers import collect, request

COOKIES = {"session": "abc-session-value", "cf_clearance": "clear-123"}


def test_provider_class_attributes() -> None:
    assert Aichat.url == "https://chat-gpt.org"
    assert Aichat.working is True
    assert Aichat.supports_gpt_35_turbo is True


def test_flatten_prompt() -> None:
    assert flatten_prompt([{"role": "user", "content": "hi"}]) == "hi"
    assert flatten_prompt(
        [
            {"role": "system", "content": "be kind"},
            {"role": "user", "content": "hi"},
            {"role": "assistant", "content": "hello"},
            {"role": "user", "content": "bye"},
        ]
    ) == ("System: be kind\nUser: hi\nAssistant: hello\nUser: bye\nAssistant:")


async def test_create_async_sends_the_documented_request(loopback: LoopbackServer) -> None:
    loopback.push(Behaviour(text="the reply"))
    messages = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]
    reply = await Aichat.create_async(
        "gpt-3.5-turbo",
        messages,
        cookies=COOKIES,
        temperature=0.3,
        top_p=0.8,
        base_url=loopback.url,
    )
    assert reply == "the reply"
    sent = loopback.requests[-1]
    assert (sent.method, sent.path) == ("POST", "/api/text")
    assert sent.json() == {
        "message": "User: hi\nAssistant: yo\nAssistant:",
        "temperature": 0.3,
        "presence_penalty": 0,
        "top_p": 0.8,
        "frequency_penalty": 0,
    }
    h = sent.headers
    assert h["authority"] == f"127.0.0.1:{loopback.port}"
    assert h["accept"] == "*/*"
    assert h["content-type"] == "application/json"
    assert h["origin"] == loopback.url
    assert h["referer"] == loopback.url + "/chat"
    assert h["user-agent"] == USER_AGENT
    assert h["sec-fetch-mode"] == "cors"
    assert sent.cookies == COOKIES


async def test_create_async_defaults(loopback: LoopbackServer) -> None:
    await Aichat.create_async(
        "", [{"role": "user", "content": "x"}], cookies=COOKIES, base_url=loopback.url
    )
    body = loopback.requests[-1].json()
    assert (body["temperature"], body["top_p"], body["message"]) == (0.5, 1, "x")


async def test_missing_cookies_fail_before_any_request(loopback: LoopbackServer) -> None:
    with pytest.raises(MissingCookiesError) as info:
        await Aichat.create_async("m", [{"role": "user", "content": "x"}], base_url=loopback.url)
    assert isinstance(info.value, RuntimeError)
    assert "127.0.0.1" in str(info.value) and "cookies" in str(info.value)
    profile = Profile(kind="aichat", base_url=loopback.url, proxy="")
    async with ChatClient(profile) as client:
        with pytest.raises(MissingCookiesError):
            await client.complete(request())
    assert loopback.requests == []


async def test_default_base_url_is_named_in_missing_cookie_error(app_dirs: Paths) -> None:
    with pytest.raises(MissingCookiesError, match=r"chat-gpt\.org"):
        await Aichat.create_async("m", [{"role": "user", "content": "x"}])


async def test_cookies_from_stored_settings(loopback: LoopbackServer, app_dirs: Paths) -> None:
    from aichat_tui import provider

    stored = Profile(name="work", kind="aichat", base_url=loopback.url, cookies={"sid": "stored1"})
    save_settings(app_dirs, Settings(profiles={"work": stored}, default_profile="work"))
    await provider.Aichat.create_async(
        "m", [{"role": "user", "content": "x"}], base_url=loopback.url
    )
    assert loopback.requests[-1].cookies == {"sid": "stored1"}
    # The client's own provider reads no configuration: cookies are passed in.
    with pytest.raises(MissingCookiesError):
        await Aichat.create_async("m", [{"role": "user", "content": "x"}], base_url=loopback.url)
    assert len(loopback.requests) == 1


async def test_cookie_source_is_passed_in(loopback: LoopbackServer) -> None:
    seen: list[str] = []

    class Supplied(Aichat):
        @staticmethod
        def cookie_source(base_url: str) -> dict[str, str]:
            seen.append(base_url)
            return {"sid": "supplied"}

    await Supplied.create_async("m", [{"role": "user", "content": "x"}], base_url=loopback.url)
    assert seen == [loopback.url]
    assert loopback.requests[-1].cookies == {"sid": "supplied"}


async def test_server_rejects_missing_cookie_header(loopback: LoopbackServer) -> None:
    # The loopback server itself checks cookies, so a client bug would show.
    import httpx

    async with httpx.AsyncClient() as http:
        answer = await http.post(loopback.url + "/api/text", json={"message": "x"})
    assert answer.status_code == 401


async def test_response_false_shows_server_message(
    loopback: LoopbackServer, profile_aichat: Profile
) -> None:
    loopback.push(Behaviour(response_false=True))
    async with ChatClient(profile_aichat) as client:
        with pytest.raises(ServerReportedError, match="overloaded") as info:
            await client.complete(request())
    assert f"127.0.0.1:{loopback.port}" in str(info.value)


@pytest.mark.parametrize(
    ("behaviour", "match"),
    [
        (Behaviour(malformed=True), "malformed JSON"),
        (Behaviour(html=True), "HTML page"),
        (Behaviour(body=b"<html><body>login</body></html>", content_type="text/plain"), "HTML"),
        (Behaviour(body=b'{"ok": 1}'), "without a reply"),
        (Behaviour(body=b"[1, 2]"), "unexpected JSON"),
    ],
)
async def test_bad_bodies_are_protocol_errors(
    loopback: LoopbackServer, profile_aichat: Profile, behaviour: Behaviour, match: str
) -> None:
    loopback.push(behaviour)
    async with ChatClient(profile_aichat) as client:
        with pytest.raises(ProtocolError, match=match):
            await client.complete(request())


async def test_whole_reply_is_one_chunk(loopback: LoopbackServer, profile_aichat: Profile) -> None:
    loopback.push(Behaviour(text="one piece"))
    async with ChatClient(profile_aichat) as client:
        assert await collect(client) == ["one piece"]


@pytest.mark.parametrize("mode", ["sse", "plain"])
async def test_streaming_aichat_server_yields_chunks(
    loopback: LoopbackServer, profile_aichat: Profile, mode: str
) -> None:
    text = "streamed reply with ünïcødé and 😀 emoji " * 3
    loopback.push(Behaviour(text=text, aichat_stream=mode, chunk_chars=5))  # type: ignore[arg-type]
    async with ChatClient(profile_aichat) as client:
        chunks = await collect(client)
    assert "".join(chunks) == text
    assert len(chunks) > 5


async def test_temperature_override_per_request(
    loopback: LoopbackServer, profile_aichat: Profile
) -> None:
    async with ChatClient(profile_aichat) as client:
        await client.complete(ChatRequest(messages=[{"role": "user", "content": "a"}], top_p=0.4))
    assert loopback.requests[-1].json()["top_p"] == 0.4


async def test_cut_json_body_is_interrupted(
    loopback: LoopbackServer, profile_aichat: Profile
) -> None:
    loopback.push(Behaviour(text="a reply that will be cut", cut_after=5))
    async with ChatClient(profile_aichat) as client:
        with pytest.raises(AichatError) as info:
            await client.complete(request())
    assert type(info.value).__name__ == "StreamInterrupted"
    assert info.value.retryable


async def test_create_async_through_a_proxy(loopback: LoopbackServer) -> None:
    from tests.client.helpers import pproxy

    with pproxy("http") as port:
        reply = await Aichat.create_async(
            "m",
            [{"role": "user", "content": "x"}],
            proxy=f"http://127.0.0.1:{port}",
            cookies=COOKIES,
            base_url=loopback.url,
        )
    assert reply
    dead = f"http://127.0.0.1:{port}"  # the proxy is gone now
    with pytest.raises(AichatError, match="proxy"):
        await Aichat.create_async(
            "m", [{"role": "user", "content": "x"}], proxy=dead, cookies=COOKIES,
            base_url=loopback.url,
        )  # fmt: skip


async def test_create_async_timeout(loopback: LoopbackServer) -> None:
    from aichat_tui.client import ReadTimeout

    # The connect timeout is derived from this one: 2 s, so that a busy machine's
    # slow connect is never mistaken for the silent server the test is about.
    loopback.push(Behaviour(delay_headers=30))
    with pytest.raises(ReadTimeout, match=r"within 2 s"):
        await Aichat.create_async(
            "m", [{"role": "user", "content": "x"}], cookies=COOKIES, base_url=loopback.url,
            timeout=2,
        )  # fmt: skip

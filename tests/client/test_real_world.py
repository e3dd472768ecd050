"""Issue 11 (real servers) and issue 16 item 7 at the client layer: each test
here failed before the typed stream events landed."""

from __future__ import annotations

import asyncio
import json

import pytest

from aichat_tui.client import ChatClient, ChatRequest, IdleTimeout, StreamInterrupted
from aichat_tui.client.aichat import flatten_prompt
from aichat_tui.client.events import ReasoningDelta, TextDelta
from aichat_tui.loopback import Behaviour, LoopbackServer
from aichat_tui.models import Profile
from tests.client.helpers import request, tcp_server

COOKIES = {"session": "abc-session-value", "cf_clearance": "clear-123"}

# What g4f's Aichat provider (the one ../shared/seed/ documents) sent, copied
# from its source: the headers dict, then json_data. httpx adds only transport
# headers (host, content-length, accept-encoding, connection) and the cookie.
PROVIDER_HEADERS = {
    "authority": "chat-gpt.org",
    "accept": "*/*",
    "accept-language": (
        "en,fr-FR;q=0.9,fr;q=0.8,es-ES;q=0.7,es;q=0.6,en-US;q=0.5,am;q=0.4,de;q=0.3"
    ),
    "content-type": "application/json",
    "origin": "https://chat-gpt.org",
    "referer": "https://chat-gpt.org/chat",
    "sec-ch-ua": '"Chromium";v="118", "Google Chrome";v="118", "Not=A?Brand";v="99"',
    "sec-ch-ua-mobile": "?0",
    "sec-ch-ua-platform": '"macOS"',
    "sec-fetch-dest": "empty",
    "sec-fetch-mode": "cors",
    "sec-fetch-site": "same-origin",
    "user-agent": (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/118.0.0.0 Safari/537.36"
    ),
}
TRANSPORT = {"host", "content-length", "accept-encoding", "connection", "cookie"}


def _provider_request(base: str, messages: list[dict[str, str]]) -> tuple[dict, bytes]:
    """The provider's headers (with its base swapped for the loopback's) and body."""
    headers = dict(PROVIDER_HEADERS)
    host = base.split("://", 1)[1]
    headers.update(authority=host, origin=base, referer=f"{base}/chat")
    body = {
        "message": flatten_prompt(messages),
        "temperature": 0.5,
        "presence_penalty": 0,
        "top_p": 1,
        "frequency_penalty": 0,
    }
    return headers, json.dumps(body, ensure_ascii=False).encode("utf-8")


async def test_aichat_request_matches_the_provider(
    loopback: LoopbackServer, profile_aichat: Profile
) -> None:
    profile_aichat.temperature = profile_aichat.top_p = None
    messages = [
        {"role": "system", "content": "Sois bref."},
        {"role": "user", "content": "Привет, ça va? 😀"},
    ]
    async with ChatClient(profile_aichat) as client:
        await client.complete(ChatRequest(messages=messages))
    sent = loopback.requests[-1]
    headers, body = _provider_request(loopback.url, messages)
    assert (sent.method, sent.path) == ("POST", "/api/text")
    assert {k: v for k, v in sent.headers.items() if k not in TRANSPORT} == headers
    assert sent.json() == json.loads(body)
    # the same value types as the provider: top_p is the integer 1, not 1.0
    assert b'"top_p": 1,' in sent.body and b'"presence_penalty": 0,' in sent.body
    assert json.loads(sent.body)["message"].encode("utf-8") == (
        "System: Sois bref.\nUser: Привет, ça va? 😀\nAssistant:".encode()
    )


async def test_profile_user_agent_and_headers(
    loopback: LoopbackServer, profile_aichat: Profile, profile_openai: Profile
) -> None:
    browser = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"
    for profile in (profile_aichat, profile_openai):
        profile.user_agent = browser
        profile.headers = {"X-Extra": "yes", "Accept-Language": "de"}
        async with ChatClient(profile) as client:
            await client.complete(request())
        sent = loopback.requests[-1]
        assert sent.headers["user-agent"] == browser
        assert sent.headers["x-extra"] == "yes"
        assert sent.headers["accept-language"] == "de"


def test_secret_looking_extra_headers_are_scrubbed() -> None:
    profile = Profile(headers={"X-Api-Key": "very-secret-key", "X-Trace": "visible"})
    assert "very-secret-key" in profile.secrets()
    assert "visible" not in profile.secrets()


@pytest.mark.parametrize("content_type", ["text/plain", "text/html", "application/octet-stream"])
async def test_aichat_json_is_recognised_by_its_body(
    loopback: LoopbackServer, profile_aichat: Profile, content_type: str
) -> None:
    """Issue 11: shown raw as text/plain, reported as an HTML page as text/html."""
    body = json.dumps({"response": True, "message": "the real reply"})
    loopback.push(Behaviour(body=body, content_type=content_type))
    async with ChatClient(profile_aichat) as client:
        assert await client.complete(request()) == "the real reply"


async def test_openai_sends_only_what_the_user_set(
    loopback: LoopbackServer, profile_openai: Profile
) -> None:
    async with ChatClient(profile_openai) as client:
        await client.complete(request())
    body = loopback.requests[-1].json()
    assert "temperature" not in body and "top_p" not in body and "max_tokens" not in body
    assert body["stream_options"] == {"include_usage": True}
    profile_openai.max_tokens = 256
    async with ChatClient(profile_openai) as client:
        await client.complete(ChatRequest(messages=[{"role": "user", "content": "x"}], top_p=0.3))
    body = loopback.requests[-1].json()
    assert (body["max_tokens"], body["top_p"]) == (256, 0.3)
    assert "temperature" not in body


async def test_stream_options_rejected_once_then_remembered(
    loopback: LoopbackServer, profile_openai: Profile
) -> None:
    profile_openai.name = "strict-proxy"  # remembered per profile: a fresh name
    rejection = {"error": {"message": "Unrecognized request argument supplied: stream_options"}}
    loopback.push(Behaviour(status=400, body=json.dumps(rejection)))
    async with ChatClient(profile_openai) as client:
        assert await client.complete(request("first"))
    first, retried = loopback.requests[-2:]
    assert "stream_options" in first.json()
    assert "stream_options" not in retried.json()
    async with ChatClient(profile_openai) as client:
        await client.complete(request("second"))
    assert "stream_options" not in loopback.requests[-1].json()
    assert len(loopback.requests) == 3


async def test_other_400s_are_not_retried(
    loopback: LoopbackServer, profile_openai: Profile
) -> None:
    profile_openai.name = "plain-400"
    loopback.push(Behaviour(status=400, body='{"error": {"message": "bad model"}}'))
    async with ChatClient(profile_openai) as client:
        with pytest.raises(Exception, match="bad model"):
            await client.complete(request())
    assert len(loopback.requests) == 1


def _reasoning_stream(pieces: int) -> bytes:
    chunks = [
        "data: "
        + json.dumps({"choices": [{"index": 0, "delta": {"reasoning_content": f"step {i}. "}}]})
        + "\n\n"
        for i in range(pieces)
    ]
    chunks.append('data: {"choices": [{"index": 0, "delta": {"content": "done"}}]}\n\n')
    chunks.append('data: {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}\n\n')
    chunks.append("data: [DONE]\n\n")
    return "".join(chunks).encode()


async def test_thinking_counts_as_activity_for_the_idle_deadline(
    loopback: LoopbackServer, profile_openai: Profile
) -> None:
    """Issue 11: a long think tripped "no reply text for 2 s" while data kept coming.
    Twelve thinking pieces 0.3 s apart take 3.6 s; the idle limit is 1.5 s."""
    body = _reasoning_stream(12)
    size = len(body) // 14 + 1
    loopback.push(
        Behaviour(body=body, content_type="text/event-stream", body_chunk=size, chunk_delay=0.3)
    )
    thought = text = ""
    async with ChatClient(profile_openai, idle_timeout=1.5) as client:
        async for event in client.events(request()):
            if isinstance(event, ReasoningDelta):
                thought += event.text
            elif isinstance(event, TextDelta):
                text += event.text
    assert text == "done"
    assert thought.startswith("step 0. ") and "step 11. " in thought


async def test_idle_timeout_names_the_time_it_waited(
    loopback: LoopbackServer, profile_openai: Profile
) -> None:
    profile_openai.timeout = 5.0  # the socket stays busy with comments meanwhile
    loopback.push(Behaviour(text="hello world", stall_after=5, drip=0.1))
    async with ChatClient(profile_openai, idle_timeout=0.6) as client:
        with pytest.raises(IdleTimeout) as info:
            await client.complete(request())
    message = str(info.value)
    assert "no reply text from" in message
    waited = float(message.split(" for ", 1)[1].split(" s", 1)[0])
    assert waited >= 0.6  # what it waited, never less than the limit
    assert "10 s" not in message  # not the read timeout's doubled default


async def test_connection_cut_mid_event_is_a_cut_not_malformed_json() -> None:
    """Issue 16 item 7: reported as "malformed JSON event"; the partial text is kept."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n"
            b'data: {"choices":[{"index":0,"delta":{"content":"kept "}}]}\n\n'
            b'data: {"choices":[{"index":0,"delta":{"content":"lo'
        )
        await writer.drain()
        writer.close()

    async with tcp_server(handler) as port:
        profile = Profile(kind="openai", base_url=f"http://127.0.0.1:{port}/v1", proxy="")
        async with ChatClient(profile) as client:
            with pytest.raises(StreamInterrupted, match="cut") as info:
                await client.complete(request())
    assert info.value.partial == "kept "
    assert "malformed" not in str(info.value)


async def test_reasoning_survives_an_error(
    loopback: LoopbackServer, profile_openai: Profile
) -> None:
    body = _reasoning_stream(3).replace(b"data: [DONE]\n\n", b"")
    body = body.replace(b'"finish_reason": "stop"', b'"finish_reason": null')
    loopback.push(Behaviour(body=body, content_type="text/event-stream"))
    async with ChatClient(profile_openai) as client:
        with pytest.raises(StreamInterrupted) as info:
            async for _ in client.events(request()):
                pass
    assert info.value.partial == "done"
    assert info.value.partial_reasoning == "step 0. step 1. step 2. "

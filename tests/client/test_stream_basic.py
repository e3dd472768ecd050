"""Streaming over both backends against the real loopback server."""

from __future__ import annotations

import pytest

from aichat_tui.client import ChatClient, ChatRequest
from aichat_tui.loopback import Behaviour, LoopbackServer
from aichat_tui.loopback.replies import demo_reply
from aichat_tui.models import Profile
from tests.client.helpers import collect, request


async def test_openai_stream_yields_reply_in_chunks(
    loopback: LoopbackServer, profile_openai: Profile
) -> None:
    async with ChatClient(profile_openai) as client:
        chunks = await collect(client, request("tell me"))
    expected = demo_reply([{"role": "user", "content": "tell me"}])
    assert "".join(chunks) == expected
    assert len(chunks) > 1
    assert all(len(c) <= loopback.chunk_chars for c in chunks)


async def test_openai_request_body_and_headers(
    loopback: LoopbackServer, profile_openai: Profile
) -> None:
    profile_openai.api_key = "sk-test-123456"
    messages = [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "hi"},
    ]
    async with ChatClient(profile_openai) as client:
        await client.complete(ChatRequest(messages=messages, model="m-1", temperature=0.2))
    sent = loopback.requests[-1]
    assert sent.method == "POST"
    assert sent.path == "/v1/chat/completions"
    assert sent.headers["authorization"] == "Bearer sk-test-123456"
    assert sent.headers["content-type"] == "application/json"
    assert sent.json() == {
        "model": "m-1",
        "messages": messages,
        "stream": True,
        "temperature": 0.2,  # top_p was not set: the server's default applies
        "stream_options": {"include_usage": True},
    }


async def test_openai_profile_model_and_defaults(
    loopback: LoopbackServer, profile_openai: Profile
) -> None:
    profile_openai.temperature = 0.7
    profile_openai.top_p = 0.9
    async with ChatClient(profile_openai) as client:
        await client.complete(request())
    body = loopback.requests[-1].json()
    assert body["model"] == "demo-model"
    assert (body["temperature"], body["top_p"]) == (0.7, 0.9)
    assert "authorization" not in loopback.requests[-1].headers


async def test_openai_json_completion_when_server_does_not_stream(
    loopback: LoopbackServer, profile_openai: Profile
) -> None:
    loopback.push(Behaviour(json_completion=True, text="whole answer"))
    async with ChatClient(profile_openai) as client:
        assert await collect(client) == ["whole answer"]


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
async def test_openai_line_endings(
    loopback: LoopbackServer, profile_openai: Profile, ending: str
) -> None:
    loopback.push(Behaviour(text="line one\nline two\u2028three ✓", line_ending=ending))
    async with ChatClient(profile_openai) as client:
        assert await client.complete(request()) == "line one\nline two\u2028three ✓"


async def test_pooled_connection_is_reused(
    loopback: LoopbackServer, profile_openai: Profile
) -> None:
    async with ChatClient(profile_openai) as client:
        for _ in range(3):
            assert await client.complete(request())
        assert await client.list_models() == ["demo-model", "demo-model-large"]
    assert loopback.connections == 1
    assert len(loopback.requests) == 4


async def test_list_models_and_test_connection(
    loopback: LoopbackServer, profile_openai: Profile
) -> None:
    loopback.models = ["zeta", "alpha", "alpha"]
    async with ChatClient(profile_openai) as client:
        assert await client.list_models() == ["alpha", "zeta"]
        summary = await client.test_connection()
    assert summary.startswith(f"127.0.0.1:{loopback.port} answered")
    assert "2 models" in summary
    assert loopback.requests[-1].path == "/v1/models"


async def test_aichat_profile_lists_no_models(profile_aichat: Profile) -> None:
    async with ChatClient(profile_aichat) as client:
        assert await client.list_models() == []


async def test_server_api_key_enforced(loopback: LoopbackServer, profile_openai: Profile) -> None:
    loopback.api_key = "sk-right-key"
    profile_openai.api_key = "sk-right-key"
    async with ChatClient(profile_openai) as client:
        assert await client.complete(request())
        assert await client.list_models()


def sse(*payloads: object, done: bool = True) -> bytes:
    import json

    out = "".join(f"data: {json.dumps(p)}\n\n" for p in payloads)
    return (out + ("data: [DONE]\n\n" if done else "")).encode()


def delta(text: str, finish: str | None = None) -> dict:
    return {"choices": [{"index": 0, "delta": {"content": text}, "finish_reason": finish}]}


async def test_finish_reason_without_done_is_complete(
    loopback: LoopbackServer, profile_openai: Profile
) -> None:
    body = sse(delta("all "), delta("there", "stop"), done=False)
    loopback.push(Behaviour(body=body, content_type="text/event-stream"))
    async with ChatClient(profile_openai) as client:
        assert await client.complete(request()) == "all there"


async def test_surrogate_pair_split_across_events(
    loopback: LoopbackServer, profile_openai: Profile
) -> None:
    # json.dumps writes "\ud83d" escapes: the emoji is split between two deltas.
    body = sse(delta("smile \ud83d"), delta("\ude00 ok"), delta("lone \ud83d"), delta("!"))
    loopback.push(Behaviour(body=body, content_type="text/event-stream"))
    async with ChatClient(profile_openai) as client:
        text = await client.complete(request())
    assert text == "smile 😀 oklone \ufffd!"
    text.encode("utf-8")  # always encodable, so it can be saved


async def test_sse_without_content_type_is_sniffed(
    loopback: LoopbackServer, profile_openai: Profile
) -> None:
    loopback.push(Behaviour(body=sse(delta("sniffed")), content_type="application/octet-stream"))
    async with ChatClient(profile_openai) as client:
        assert await client.complete(request()) == "sniffed"


async def test_usage_chunks_and_empty_deltas_are_skipped(
    loopback: LoopbackServer, profile_openai: Profile
) -> None:
    body = sse({"choices": []}, delta(""), {"choices": [{"delta": {}}]}, delta("x", "stop"))
    loopback.push(Behaviour(body=body, content_type="text/event-stream"))
    async with ChatClient(profile_openai) as client:
        assert await collect(client) == ["x"]

"""The loopback server itself: modes, replies, recording, standalone process."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import httpx
import pytest

from aichat_tui.client import ChatClient
from aichat_tui.loopback import Behaviour, LoopbackServer
from aichat_tui.loopback.replies import DEMO_REPLIES, demo_reply, sized_reply
from aichat_tui.models import Profile
from tests.client.helpers import collect, free_port, request


def test_demo_reply_is_deterministic_markdown_with_a_quote() -> None:
    messages = [{"role": "user", "content": "How do I read a file?\nthanks"}]
    first = demo_reply(messages)
    assert first == demo_reply(messages)
    assert first.startswith("> You said: How do I read a file? thanks\n\n")
    assert first.split("\n\n", 1)[1] in DEMO_REPLIES
    bodies = {
        demo_reply([{"role": "user", "content": f"q{i}"}]).split("\n\n", 1)[1] for i in range(40)
    }
    assert len(bodies) >= 3
    joined = "\n".join(DEMO_REPLIES)
    for marker in ("## ", "| ", "```python", "```rust", "1. ", "- "):
        assert marker in joined


@pytest.mark.parametrize("size", [0, 1, 50, 20_000])
def test_sized_reply_has_exact_length(size: int) -> None:
    text = sized_reply(size)
    assert len(text) == size
    if size == 20_000:
        assert "```" in text and "|" in text


async def test_chunking_and_custom_reply() -> None:
    seen: list[list[dict]] = []

    def reply(messages: list[dict]) -> str:
        seen.append(messages)
        return "abcdefghij"

    async with LoopbackServer(reply=reply, chunk_chars=3) as server:
        profile = Profile(base_url=server.openai_url, proxy="")
        async with ChatClient(profile) as client:
            assert await collect(client, request("q")) == ["abc", "def", "ghi", "j"]
    assert seen == [[{"role": "user", "content": "q"}]]


async def test_behaviour_queue_is_fifo_with_path_and_times(loopback: LoopbackServer) -> None:
    loopback.push(Behaviour(status=503, path="/v1/models", times=2))
    loopback.push(Behaviour(text="scripted"))
    async with httpx.AsyncClient() as http:
        body = {"messages": [], "stream": False}
        answer = await http.post(loopback.openai_url + "/chat/completions", json=body)
        assert answer.json()["choices"][0]["message"]["content"] == "scripted"
        assert (await http.get(loopback.openai_url + "/models")).status_code == 503
        assert (await http.get(loopback.openai_url + "/models")).status_code == 503
        assert (await http.get(loopback.openai_url + "/models")).status_code == 200
        assert (await http.get(loopback.url + "/nowhere")).status_code == 404
    assert [r.path for r in loopback.requests][-1] == "/nowhere"


def test_thread_mode_serves_sync_clients(loopback_thread: LoopbackServer) -> None:
    loopback_thread.push(Behaviour(text="from a thread"))
    with httpx.Client() as http:
        answer = http.post(
            loopback_thread.url + "/api/text", json={"message": "hi"}, headers={"cookie": "a=b"}
        )
    assert answer.json() == {"response": True, "message": "from a thread"}
    assert loopback_thread.requests[-1].json() == {"message": "hi"}


def test_standalone_process() -> None:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "aichat_tui.loopback", "--port", str(port),
         "--chunk-delay", "0", "--reply-chars", "300"],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert f"http://127.0.0.1:{port}/v1" in line
        body = {"messages": [{"role": "user", "content": "x"}], "stream": True}
        with httpx.Client() as http:
            answer = http.post(f"http://127.0.0.1:{port}/v1/chat/completions", json=body)
        text = ""
        for block in answer.text.split("\n\n"):
            if block.startswith("data: {"):
                delta = json.loads(block[6:])["choices"][0]["delta"]
                text += delta.get("content") or ""
        assert len(text) == 300
        assert answer.text.rstrip().endswith("data: [DONE]")
    finally:
        proc.terminate()
        proc.wait(10)
    assert proc.returncode == 0  # SIGTERM is a clean stop


def test_stop_thread_releases_the_port() -> None:
    server = LoopbackServer()
    server.start_in_thread()
    port = server.port
    server.stop_thread()  # joins the thread after the listening socket is closed
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0

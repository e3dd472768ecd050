"""The corpus of real stream shapes, replayed from the loopback server.

``tests/fixtures/real_servers/``: byte streams recorded from llama.cpp and
litellm (copied from ``../shared/fixtures/real-servers/``). ``documented_shapes/``:
shapes written from the docs and source of vLLM, Ollama, OpenRouter, LM Studio,
Mistral and the OpenAI reference (its README names the source of each).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from aichat_tui.client import ChatClient, ProtocolError, ServerReportedError
from aichat_tui.client.events import (
    Finish,
    ReasoningDelta,
    TextDelta,
    ToolCallNotice,
    UsageReport,
)
from aichat_tui.loopback import Behaviour, LoopbackServer
from aichat_tui.models import Profile, Usage
from tests.client.helpers import request

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
REAL = FIXTURES / "real_servers"
DOCUMENTED = FIXTURES / "documented_shapes"


@dataclass
class Reply:
    text: str = ""
    reasoning: str = ""
    finish: str | None = None
    finishes: int = 0
    tools: tuple[str, ...] | None = None
    usage: Usage | None = None
    order: list[str] = field(default_factory=list)


def _bytes(path: Path) -> bytes:
    return path.read_bytes()


async def replay(
    loopback: LoopbackServer, profile: Profile, path: Path, chunk: int | None = None
) -> Reply:
    """Serve ``path`` as the next reply (in ``chunk``-byte writes) and collect the events."""
    loopback.push(Behaviour(body=_bytes(path), content_type="text/event-stream", body_chunk=chunk))
    reply = Reply()
    async with ChatClient(profile) as client:
        async for event in client.events(request()):
            if isinstance(event, TextDelta):
                reply.text += event.text
                reply.order.append("text")
            elif isinstance(event, ReasoningDelta):
                reply.reasoning += event.text
                reply.order.append("reasoning")
            elif isinstance(event, Finish):
                reply.finish = event.reason
                reply.finishes += 1
            elif isinstance(event, ToolCallNotice):
                reply.tools = event.names
            elif isinstance(event, UsageReport):
                reply.usage = event.usage
    return reply


def _content(path: Path, key: str) -> str:
    """Every ``key`` value of every delta in a recorded stream, joined."""
    import json

    out = []
    for line in path.read_text().splitlines():
        if line.startswith("data: {"):
            for choice in json.loads(line[6:]).get("choices") or []:
                value = (choice.get("delta") or {}).get(key)
                if isinstance(value, str):
                    out.append(value)
    return "".join(out)


# -- recorded from real servers -------------------------------------------------


@pytest.mark.parametrize("chunk", [None, 7])
async def test_llamacpp_plain_stream(
    loopback: LoopbackServer, profile_openai: Profile, chunk: int | None
) -> None:
    path = REAL / "llamacpp-plain.sse"
    reply = await replay(loopback, profile_openai, path, chunk)
    assert reply.text == _content(path, "content")
    assert reply.reasoning == ""
    assert reply.finish == "length"
    assert reply.usage is not None and reply.usage.completion_tokens == 40


async def test_llamacpp_usage_chunk_with_timings(
    loopback: LoopbackServer, profile_openai: Profile
) -> None:
    reply = await replay(loopback, profile_openai, REAL / "llamacpp-usage.sse")
    assert reply.finish == "length"
    assert reply.usage is not None
    assert (reply.usage.prompt_tokens, reply.usage.completion_tokens) == (50, 40)
    assert reply.usage.tokens_per_second == pytest.approx(1184.258472002915)
    assert reply.usage.ttft is not None and reply.usage.ttft >= 0


@pytest.mark.parametrize("chunk", [None, 5])
async def test_reasoning_is_kept_not_thrown_away(
    loopback: LoopbackServer, profile_openai: Profile, chunk: int | None
) -> None:
    """Issue 11: hundreds of reasoning_content deltas and no content."""
    path = REAL / "llamacpp-reasoning-deepseek.sse"
    reply = await replay(loopback, profile_openai, path, chunk)
    assert reply.text == ""
    assert reply.reasoning == _content(path, "reasoning_content")
    assert len(reply.reasoning) > 100
    assert reply.finish == "length"
    # llama.cpp sent only timings here: the counts come from them
    assert reply.usage is not None
    assert (reply.usage.prompt_tokens, reply.usage.completion_tokens) == (29, 40)


@pytest.mark.parametrize("chunk", [None, 3])
async def test_inline_think_block_is_reasoning(
    loopback: LoopbackServer, profile_openai: Profile, chunk: int | None
) -> None:
    """Issue 11: ``<think>`` inside content showed as plain text (here never closed)."""
    path = REAL / "llamacpp-reasoning-inline-think.sse"
    reply = await replay(loopback, profile_openai, path, chunk)
    assert "<think>" not in reply.text + reply.reasoning
    assert reply.text == ""
    assert reply.reasoning == _content(path, "content").removeprefix("<think>")
    assert reply.finish == "length"


async def test_litellm_stream(loopback: LoopbackServer, profile_openai: Profile) -> None:
    reply = await replay(loopback, profile_openai, REAL / "litellm-mock-stream.sse")
    assert reply.text.startswith("Hello from the lit")
    assert reply.text.endswith("The end.")
    assert reply.finish == "stop"


def _http(path: Path) -> tuple[int, dict[str, str], bytes]:
    head, _, body = path.read_bytes().partition(b"\r\n\r\n")
    if not body and b"\n\n" in head:
        head, _, body = path.read_bytes().partition(b"\n\n")
    lines = head.decode().splitlines()
    status = int(lines[0].split()[1])
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return status, headers, body


async def test_llamacpp_context_overflow(loopback: LoopbackServer, profile_openai: Profile) -> None:
    status, headers, body = _http(REAL / "llamacpp-context-overflow.http")
    loopback.push(Behaviour(status=status, body=body, content_type=headers["Content-Type"]))
    async with ChatClient(profile_openai) as client:
        with pytest.raises(Exception) as info:
            await client.complete(request())
    assert "exceeds the available context size" in str(info.value)


async def test_llamacpp_model_list(loopback: LoopbackServer, profile_openai: Profile) -> None:
    status, headers, body = _http(REAL / "llamacpp-models.http")
    loopback.push(Behaviour(status=status, body=body, content_type=headers["Content-Type"]))
    async with ChatClient(profile_openai) as client:
        assert await client.list_models() == ["tiny.gguf"]


# -- documented shapes ------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "reasoning", "finish", "usage"),
    [
        ("vllm-reasoning.sse", "Hello there!", "The user greets. Answer briefly.", "stop", (12, 8)),
        ("ollama-v1-reasoning.sse", "Hi!", "Okay, a greeting.", "stop", (11, 30)),
        ("openrouter-reasoning.sse", "Answer.", "Thinking about it.", "stop", (9, 14)),
        ("lmstudio-reasoning-content.sse", "Paris.", "Let me think. Done thinking.", "stop", None),
        ("openai-usage.sse", "Hello!", "", "stop", (9, 2)),
        ("openai-refusal.sse", "I can't help with that.", "", "stop", None),
        ("openai-content-filter.sse", "Here is", "", "content_filter", None),
        ("mistral-content-parts.sse", "Bonjour", "Short thought.", "stop", None),
        ("proxy-usage-no-choices.sse", "ok", "", "stop", (5, 1)),
        ("choices-out-of-order.sse", "right one", "", "stop", None),
        ("think-tags-split.sse", "The answer is 42.", "Weighing options", "stop", None),
        ("think-unclosed-length.sse", "", "\nStill thinking", "length", None),
    ],
)
@pytest.mark.parametrize("chunk", [None, 4])
async def test_documented_shape(
    loopback: LoopbackServer,
    profile_openai: Profile,
    name: str,
    text: str,
    reasoning: str,
    finish: str,
    usage: tuple[int, int] | None,
    chunk: int | None,
) -> None:
    reply = await replay(loopback, profile_openai, DOCUMENTED / name, chunk)
    assert (reply.text, reply.reasoning, reply.finish) == (text, reasoning, finish)
    if usage is not None:
        assert reply.usage is not None
        assert (reply.usage.prompt_tokens, reply.usage.completion_tokens) == usage
    if reasoning and text:
        # thinking first, answer after: the order the UI relies on
        assert reply.order.index("text") > max(
            i for i, kind in enumerate(reply.order) if kind == "reasoning"
        )


async def test_tool_calls_only_reply_gives_a_notice(
    loopback: LoopbackServer, profile_openai: Profile
) -> None:
    """Issue 11: a reply that only carries tool_calls was a blank message."""
    reply = await replay(loopback, profile_openai, DOCUMENTED / "openai-tool-calls.sse")
    assert reply.text == ""
    assert reply.finish == "tool_calls"
    assert reply.tools == ("get_weather",)
    loopback.push(
        Behaviour(
            body=(DOCUMENTED / "openai-tool-calls.sse").read_bytes(),
            content_type="text/event-stream",
        )
    )
    async with ChatClient(profile_openai) as client:
        with pytest.raises(ProtocolError, match="tool call \\(get_weather\\)"):
            await client.complete(request())


async def test_vllm_error_event_is_an_error_not_text(
    loopback: LoopbackServer, profile_openai: Profile
) -> None:
    """Issue 11: vLLM's ``{"object": "error"}`` event was appended to the reply."""
    loopback.push(
        Behaviour(
            body=(DOCUMENTED / "vllm-error-event.sse").read_bytes(),
            content_type="text/event-stream",
        )
    )
    async with ChatClient(profile_openai) as client:
        with pytest.raises(ServerReportedError, match="ran out of KV cache") as info:
            await client.complete(request())
    assert info.value.partial == "Partial "


async def test_openrouter_error_mid_stream(
    loopback: LoopbackServer, profile_openai: Profile
) -> None:
    loopback.push(
        Behaviour(
            body=(DOCUMENTED / "openrouter-midstream-error.sse").read_bytes(),
            content_type="text/event-stream",
        )
    )
    async with ChatClient(profile_openai) as client:
        with pytest.raises(ServerReportedError, match="Provider disconnected") as info:
            await client.complete(request())
    assert info.value.partial == "The answer is"


def test_every_shared_recording_is_copied() -> None:
    """The repository holds its own copy of ../shared/fixtures/real-servers."""
    shared = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "real-servers"
    if not shared.is_dir():
        pytest.skip("../shared is not beside this clone")
    for original in shared.iterdir():
        copy = REAL / original.name
        assert copy.is_file(), original.name
        assert copy.read_bytes() == original.read_bytes(), original.name

"""Reasoning, endings and usage through the engine (issue 11), replaying the
recorded llama.cpp streams from the loopback server into a real store."""

from __future__ import annotations

from pathlib import Path

import pytest

from aichat_tui.client import ChatClient
from aichat_tui.engine import ChatEngine, ReplyState
from aichat_tui.loopback import Behaviour, LoopbackServer
from aichat_tui.models import Profile
from aichat_tui.store import ConversationStore, to_json, to_markdown
from aichat_tui.store.search import search_conversations
from tests.engine.test_engine import Record

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _bytes(path: Path) -> bytes:
    return path.read_bytes()


@pytest.fixture
async def engine(store: ConversationStore, profile_openai: Profile):
    client = ChatClient(profile_openai)
    engine = ChatEngine(store, lambda _p: client)
    record = Record()
    engine.subscribe(record)
    engine.record = record  # type: ignore[attr-defined]
    try:
        yield engine
    finally:
        await engine.aclose()
        await client.aclose()


def _push(loopback: LoopbackServer, path: Path) -> None:
    loopback.push(Behaviour(body=_bytes(path), content_type="text/event-stream", body_chunk=64))


async def test_a_reply_that_only_thought_is_saved_with_its_thinking_and_ending(
    engine: ChatEngine,
    store: ConversationStore,
    loopback: LoopbackServer,
    profile_openai: Profile,
) -> None:
    """Issue 11: an empty reply saved as 'complete'; the thinking thrown away."""
    _push(loopback, FIXTURES / "real_servers" / "llamacpp-reasoning-deepseek.sse")
    conv = store.create()
    reply = engine.send(conv, "think hard", profile_openai)
    assert await reply.wait() is ReplyState.COMPLETE
    states = engine.record.states()  # type: ignore[attr-defined]
    assert states == [
        ReplyState.QUEUED,
        ReplyState.CONNECTING,
        ReplyState.THINKING,
        ReplyState.COMPLETE,
    ]
    saved = store.load(conv.id).messages[-1]
    assert saved.content == ""
    assert saved.reasoning.startswith("\n jest") and len(saved.reasoning) > 100
    assert saved.finish_reason == "length"
    assert saved.usage is not None and saved.usage.completion_tokens == 40
    # The thinking is never sent back: the next request's messages lack it.
    _push(loopback, FIXTURES / "real_servers" / "litellm-mock-stream.sse")
    reply = engine.send(conv, "and now?", profile_openai)
    await reply.wait()
    sent = loopback.requests[-1].json()["messages"]
    assert all("reasoning" not in m and "reasoning_content" not in m for m in sent)
    assert saved.reasoning not in str(sent)
    # ... but search, Markdown and JSON carry it.
    word = next(w for w in saved.reasoning.split() if len(w) > 5 and w.isalpha())
    hits = search_conversations(store, word)
    assert [(hit.id, hit.message_index) for hit in hits] == [(conv.id, 1)]
    loaded = store.load(conv.id)
    markdown = to_markdown(loaded)
    assert "<details>\n<summary>Thinking</summary>" in markdown
    assert "truncated" in markdown
    assert '"reasoning": ' in to_json(loaded) and '"finish_reason": "length"' in to_json(loaded)


async def test_thinking_then_answer_moves_thinking_to_streaming(
    engine: ChatEngine,
    store: ConversationStore,
    loopback: LoopbackServer,
    profile_openai: Profile,
) -> None:
    _push(loopback, FIXTURES / "documented_shapes" / "vllm-reasoning.sse")
    conv = store.create()
    reply = engine.send(conv, "hi", profile_openai)
    assert await reply.wait() is ReplyState.COMPLETE
    assert ReplyState.THINKING in engine.record.states()  # type: ignore[attr-defined]
    message = store.load(conv.id).messages[-1]
    assert (message.content, message.reasoning) == (
        "Hello there!",
        "The user greets. Answer briefly.",
    )
    assert message.finish_reason == "stop"
    assert message.usage is not None
    assert (message.usage.prompt_tokens, message.usage.completion_tokens) == (12, 8)
    assert reply.thinking_started is not None and reply.thinking_ended is not None


async def test_a_tool_call_only_reply_says_so(
    engine: ChatEngine,
    store: ConversationStore,
    loopback: LoopbackServer,
    profile_openai: Profile,
) -> None:
    """Issue 11: a reply that only carries tool_calls was a blank message."""
    _push(loopback, FIXTURES / "documented_shapes" / "openai-tool-calls.sse")
    conv = store.create()
    reply = engine.send(conv, "weather?", profile_openai)
    assert await reply.wait() is ReplyState.ERROR
    message = store.load(conv.id).messages[-1]
    assert message.finish_reason == "tool_calls"
    assert message.error is not None and "get_weather" in message.error


async def test_content_filter_ending_is_kept(
    engine: ChatEngine,
    store: ConversationStore,
    loopback: LoopbackServer,
    profile_openai: Profile,
) -> None:
    """Issue 11: finish_reason content_filter looked like a normal ending."""
    _push(loopback, FIXTURES / "documented_shapes" / "openai-content-filter.sse")
    conv = store.create()
    reply = engine.send(conv, "x", profile_openai)
    await reply.wait()
    assert store.load(conv.id).messages[-1].finish_reason == "content_filter"

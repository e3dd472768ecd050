"""Reading one reply's stream from a client: the only place the engine does it.

Kept this small on purpose: moving from ``ChatClient.stream()`` (text chunks) to
``ChatClient.events()`` (typed text/reasoning/finish/usage events) changes this
function and the :class:`StreamSink` it feeds, nothing else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from aichat_tui.models import Conversation, Profile, Usage

if TYPE_CHECKING:
    from aichat_tui.client import ChatClient, ChatRequest, RetryNotice


class StreamSink(Protocol):
    """What a stream's pieces are handed to (the engine's running reply)."""

    def text(self, chunk: str) -> None:
        """A piece of reply text, as received."""

    def reasoning(self, chunk: str) -> None:
        """A piece of reasoning text, as received."""

    def finish(self, reason: str | None) -> None:
        """The server said why the reply ended (stop, length, content_filter, tool_calls)."""

    def tool_calls(self, names: tuple[str, ...]) -> None:
        """The model asked for tools (which are not run)."""

    def usage(self, usage: Usage) -> None:
        """Tokens and speed of the whole reply (last)."""


def build_request(conv: Conversation, profile: Profile, model: str | None = None) -> ChatRequest:
    """The request for the next reply in ``conv`` (its model/sampling overrides first)."""
    from aichat_tui.client import ChatRequest  # imported on first use (start-up time)

    return ChatRequest(
        messages=conv.wire_messages(),
        model=model or conv.model or profile.model,
        temperature=conv.temperature,
        top_p=conv.top_p,
        max_tokens=conv.max_tokens,
    )


async def consume(
    client: ChatClient, request: ChatRequest, sink: StreamSink, on_retry: RetryNotice | None
) -> None:
    """Feed every event of the reply to ``sink``; raises the client's errors."""
    from aichat_tui.client.events import (
        Finish,
        ReasoningDelta,
        TextDelta,
        ToolCallNotice,
        UsageReport,
    )

    async for event in client.events(request, on_retry=on_retry):
        if isinstance(event, TextDelta):
            sink.text(event.text)
        elif isinstance(event, ReasoningDelta):
            sink.reasoning(event.text)
        elif isinstance(event, Finish):
            sink.finish(event.reason)
        elif isinstance(event, ToolCallNotice):
            sink.tool_calls(event.names)
        elif isinstance(event, UsageReport):
            sink.usage(event.usage)

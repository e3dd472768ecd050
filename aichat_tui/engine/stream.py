"""Reading one reply's stream from a client: the only place the engine does it.

Kept this small on purpose: moving from ``ChatClient.stream()`` (text chunks) to
``ChatClient.events()`` (typed text/reasoning/finish/usage events) changes this
function and the :class:`StreamSink` it feeds, nothing else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from aichat_tui.models import Conversation, Profile

if TYPE_CHECKING:
    from aichat_tui.client import ChatClient, ChatRequest, RetryNotice


class StreamSink(Protocol):
    """What a stream's pieces are handed to (the engine's running reply)."""

    def text(self, chunk: str) -> None:
        """A piece of reply text, as received."""

    def reasoning(self, chunk: str) -> None:
        """A piece of reasoning text, as received."""


def build_request(conv: Conversation, profile: Profile, model: str | None = None) -> ChatRequest:
    """The request for the next reply in ``conv`` (its model/sampling overrides first)."""
    from aichat_tui.client import ChatRequest  # imported on first use (start-up time)

    return ChatRequest(
        messages=conv.wire_messages(),
        model=model or conv.model or profile.model,
        temperature=conv.temperature,
        top_p=conv.top_p,
    )


async def consume(
    client: ChatClient, request: ChatRequest, sink: StreamSink, on_retry: RetryNotice | None
) -> None:
    """Feed every piece of the reply to ``sink``; raises the client's errors."""
    async for chunk in client.stream(request, on_retry=on_retry):
        if chunk:
            sink.text(chunk)

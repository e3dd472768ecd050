"""One streaming reply, independent of any mounted widget.

A :class:`ReplyController` lives as long as its reply streams. The transcript
may attach a view to it (when its conversation is shown) and detach it (when
the user switches away); the stream, the partial sidecar and the final save go
on regardless. The worker running :meth:`ReplyController.run` is in the group
``reply-<conv_id>`` so cancelling one conversation's reply leaves the others.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from aichat_tui.models import Conversation, Message, Profile, Usage
from aichat_tui.sanitize import StreamSanitizer, one_line, scrub
from aichat_tui.store import ConversationStore, PartialWriter, StoreError
from aichat_tui.ui.widgets.message_view import MessageView

if TYPE_CHECKING:
    from aichat_tui.client import ChatClient, ChatRequest


def build_request(conv: Conversation, profile: Profile) -> ChatRequest:
    """The request for the next reply in ``conv`` (its model/sampling overrides first)."""
    from aichat_tui.client import ChatRequest  # imported on first use (start-up time)

    return ChatRequest(
        messages=conv.wire_messages(),
        model=conv.model or profile.model,
        temperature=conv.temperature,
        top_p=conv.top_p,
        max_tokens=conv.max_tokens,
    )


class ReplyController:
    """Streams one assistant reply into ``message`` of ``conv`` and saves it."""

    def __init__(
        self,
        *,
        conv: Conversation,
        message: Message,
        client: ChatClient,
        profile: Profile,
        store: ConversationStore,
        on_done: Callable[[ReplyController], Awaitable[None]],
        notify: Callable[[str], object] | None = None,
    ) -> None:
        self.conv = conv
        self.message = message
        self.client = client
        self.profile = profile
        self.store = store
        self.on_done = on_done
        self.notify = notify
        self.raw = ""  # every byte received, saved as is
        self.shown = ""  # the sanitized text widgets display
        self.reasoning = ""  # thinking as received (saved, never sent back)
        self.reasoning_shown = ""  # the sanitized thinking widgets display
        self.finish_reason: str | None = None
        self.tool_names: tuple[str, ...] | None = None
        self.usage: Usage | None = None
        self._thinking_since: float | None = None
        self.thinking_seconds: float | None = None
        self._reasoning_sanitizer = StreamSanitizer()
        self.view: MessageView | None = None
        self.finished = asyncio.Event()
        # Why the final save failed (the reply is then kept in memory only).
        self.save_error: str | None = None
        self._sanitizer = StreamSanitizer()
        self._writer: PartialWriter | None = None

    @property
    def conv_id(self) -> str:
        """The conversation this reply belongs to."""
        return self.conv.id

    @property
    def group(self) -> str:
        """The worker group of this conversation's replies."""
        return f"reply-{self.conv.id}"

    async def attach(self, view: MessageView | None) -> None:
        """Show the stream in ``view`` from now on (None: nowhere)."""
        self.view = view
        if view is not None:
            if self.reasoning_shown:
                view.show_thinking(self.reasoning_shown)
                if self.thinking_seconds is not None:
                    view.answer_started(self.thinking_seconds)
            view.follow(lambda: self.shown)
            await view.sync(self.shown)

    async def _show(self, piece: str) -> None:
        if not piece:
            return
        self.shown += piece
        view = self.view
        if view is not None and view.is_attached:
            await view.sync(self.shown)

    async def run(self) -> None:
        """Stream, then save with status complete, interrupted or error."""
        from aichat_tui.client import AichatError  # imported on first use (start-up time)

        request = build_request(self.conv, self.profile)
        self._open_sidecar()
        status, error = "complete", None
        try:
            async for event in self.client.events(request, on_retry=self._retrying):
                await self._event(event)
        except asyncio.CancelledError:
            status = "interrupted"
            await self._finish(status, None)
            raise
        except AichatError as exc:
            status = "error"
            error = scrub(str(exc), self.profile.secrets())
            if not self.reasoning and exc.partial_reasoning:
                self._thought(exc.partial_reasoning)
            if not self.raw and exc.partial:
                self.raw = exc.partial
                await self._show(self._sanitizer.feed(exc.partial))
        except Exception as exc:  # a bug in a client must not lose the conversation
            status, error = "error", scrub(f"Unexpected error: {exc!r}", self.profile.secrets())
        await self._finish(status, error)

    async def _event(self, event: object) -> None:
        """One stream event (see ``aichat_tui.client.events``)."""
        from aichat_tui.client.events import (
            Finish,
            ReasoningDelta,
            TextDelta,
            ToolCallNotice,
            UsageReport,
        )

        if isinstance(event, TextDelta):
            if self._thinking_since is not None and self.thinking_seconds is None:
                self.thinking_seconds = time.monotonic() - self._thinking_since
                view = self.view
                if view is not None and view.is_attached:
                    view.answer_started(self.thinking_seconds)
            self.raw += event.text
            self._update_sidecar()
            await self._show(self._sanitizer.feed(event.text))
        elif isinstance(event, ReasoningDelta):
            self._thought(event.text)
        elif isinstance(event, Finish):
            self.finish_reason = event.reason
        elif isinstance(event, ToolCallNotice):
            self.tool_names = event.names
        elif isinstance(event, UsageReport):
            self.usage = None if event.usage.is_empty() else event.usage

    def _thought(self, text: str) -> None:
        if self._thinking_since is None:
            self._thinking_since = time.monotonic()
        self.reasoning += text
        piece = self._reasoning_sanitizer.feed(text)
        if not piece:
            return
        self.reasoning_shown += piece
        view = self.view
        if view is not None and view.is_attached:
            view.show_thinking(self.reasoning_shown)

    def _retrying(self, error: Exception, wait: float, attempt: int) -> None:
        """Say why the reply pauses before an automatic retry (429 / 5xx)."""
        if self.notify is not None:
            text = one_line(scrub(str(error), self.profile.secrets()), 160)
            self.notify(f"{text} — retrying in {wait:.0f} s ({attempt}/{self.client.retries})")

    # The sidecar only protects against a crash: when the disk refuses it (full,
    # read-only), the reply streams on without it rather than failing.

    def _open_sidecar(self) -> None:
        try:
            self._writer = self.store.partial_writer(self.conv.id, self.message.id)
        except (StoreError, OSError):
            self._writer = None

    def _update_sidecar(self) -> None:
        if self._writer is None:
            return
        try:
            self._writer.update(self.raw)
        except (StoreError, OSError):
            self._writer.close()
            self._writer = None

    def _close_sidecar(self, saved: bool) -> None:
        writer, self._writer = self._writer, None
        if writer is None:
            return
        try:
            # Not saved: keep the sidecar, so a later start still recovers the text.
            writer.close() if saved else writer.detach()
        except (StoreError, OSError):
            writer.close()

    async def _finish(self, status: str, error: str | None) -> None:
        await self._show(self._sanitizer.flush())
        self.reasoning_shown += self._reasoning_sanitizer.flush()
        if self._thinking_since is not None and self.thinking_seconds is None:
            self.thinking_seconds = time.monotonic() - self._thinking_since  # only thought
            if self.view is not None and self.view.is_attached:
                self.view.thinking_took(self.thinking_seconds)
        if status == "complete" and not self.raw and self.tool_names is not None:
            from aichat_tui.client.chat import tool_call_notice
            from aichat_tui.client.events import ToolCallNotice

            status, error = "error", tool_call_notice(ToolCallNotice(self.tool_names))
        self.message.content = self.raw
        self.message.status = status  # type: ignore[assignment]
        self.message.error = error
        self.message.reasoning = self.reasoning
        self.message.usage = self.usage
        if status == "complete":
            self.message.finish_reason = self.finish_reason or "stop"
        elif status == "interrupted":
            self.message.finish_reason = "interrupted"
        else:
            self.message.finish_reason = (
                "tool_calls" if self.tool_names and not self.raw else "error"
            )
        saved = False
        try:
            self.store.save(self.conv)
            saved = True
        except StoreError as exc:
            self.save_error = str(exc)
        finally:
            self._close_sidecar(saved)
            view = self.view
            if view is not None and view.is_attached:
                await view.finish()
            self.finished.set()
            await self.on_done(self)

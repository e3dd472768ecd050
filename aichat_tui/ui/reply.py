"""One streaming reply, independent of any mounted widget.

A :class:`ReplyController` lives as long as its reply streams. The transcript
may attach a view to it (when its conversation is shown) and detach it (when
the user switches away); the stream, the partial sidecar and the final save go
on regardless. The worker running :meth:`ReplyController.run` is in the group
``reply-<conv_id>`` so cancelling one conversation's reply leaves the others.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from aichat_tui.models import Conversation, Message, Profile
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
            async for chunk in self.client.stream(request, on_retry=self._retrying):
                self.raw += chunk
                self._update_sidecar()
                await self._show(self._sanitizer.feed(chunk))
        except asyncio.CancelledError:
            status = "interrupted"
            await self._finish(status, None)
            raise
        except AichatError as exc:
            status = "error"
            error = scrub(str(exc), self.profile.secrets())
            if not self.raw and exc.partial:
                self.raw = exc.partial
                await self._show(self._sanitizer.feed(exc.partial))
        except Exception as exc:  # a bug in a client must not lose the conversation
            status, error = "error", scrub(f"Unexpected error: {exc!r}", self.profile.secrets())
        await self._finish(status, error)

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
        self.message.content = self.raw
        self.message.status = status  # type: ignore[assignment]
        self.message.error = error
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

"""One message of a transcript: a user prompt or an assistant reply.

Replies render through ``Markdown(open_links=False)`` so links are only opened
after the app's confirmation; user text is plain ``Content``. Everything shown
has passed through strip_control first.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message as TextualMessage
from textual.timer import Timer
from textual.widgets import Button, Label, Static

from aichat_tui.models import Message
from aichat_tui.sanitize import one_line, strip_control
from aichat_tui.ui.widgets.thinking import DEFAULT_REASONING_MODE, ThinkingBlock

if TYPE_CHECKING:
    from textual.widgets import Markdown
    from textual.widgets.markdown import MarkdownStream

#: Seconds between two growths of a streaming reply's Markdown (about 10 per second).
STREAM_INTERVAL = 0.1

ROLE_NAMES = {"user": "You", "assistant": "Assistant", "system": "System"}


def status_text(message: Message, streaming: bool = False) -> str:
    """The short status shown in a message's header."""
    if streaming:
        return "streaming…"
    if message.status == "interrupted":
        return "interrupted"
    if message.status == "error":
        return "error"
    if message.role == "assistant" and message.status == "complete":
        if message.finish_reason == "length":
            return "truncated"
        if message.finish_reason == "content_filter":
            return "filtered"
        if not message.content.strip():
            return "no answer text"
    return ""


def versions_text(versions: tuple[int, int] | None) -> str:
    """``‹ 2/3 ›`` for the second of three versions of a message; "" for one."""
    if versions is None or versions[1] < 2:
        return ""
    return f"‹ {versions[0]}/{versions[1]} ›"


#: A prompt longer than this shows its beginning only: laying out megabytes of text
#: froze the screen (a 5 MB paste, issue 10). The whole prompt is sent and saved.
SHOWN_PROMPT_CHARS = 20_000


def shown_prompt(text: str) -> str:
    """``text`` sanitized, or its beginning and a line saying how much more there is."""
    if len(text) <= SHOWN_PROMPT_CHARS:
        return strip_control(text)
    cut = text.rfind("\n", 0, SHOWN_PROMPT_CHARS)
    cut = cut if cut > SHOWN_PROMPT_CHARS // 2 else SHOWN_PROMPT_CHARS
    rest = text[cut:]
    more = rest.count("\n")
    head = strip_control(text[:cut])  # only what shows: megabytes took seconds
    return f"{head}\n… {len(rest):,} more characters ({more:,} lines), sent and saved in full"


def attachments_text(message: Message) -> str:
    """``Attached: notes.txt (6 B), shot.png (77 KB)``; "" without attachments."""
    if not message.attachments:
        return ""
    from aichat_tui.attachments.limits import human_size

    names = ", ".join(
        f"{one_line(strip_control(a.name), 60)} ({human_size(a.size)})" for a in message.attachments
    )
    return f"Attached: {names}"


def ending_text(message: Message) -> str:
    """The hint under a reply that did not end normally ("" when it did)."""
    if message.role != "assistant" or message.status != "complete":
        return ""
    empty = not message.content.strip()
    if message.finish_reason == "length":
        what = "only thinking, no answer" if empty else "the reply was cut short"
        return (
            f"✂ {what}: it reached max_tokens — raise max_tokens "
            "(profile or session settings) for longer replies"
        )
    if message.finish_reason == "content_filter":
        return "the server's content filter stopped this reply"
    if empty:
        return "the server sent no answer text" + (" (only thinking)" if message.reasoning else "")
    return ""


def usage_text(message: Message) -> str:
    """The quiet usage line under a finished reply ("" when nothing is known)."""
    if message.usage is None or message.role != "assistant":
        return ""
    return message.usage.summary()


class MessageView(Vertical, can_focus=True):
    """Shows one :class:`Message`; focusable so a message can be chosen for copy/edit."""

    #: How thinking shows: hidden, collapsed (open while it streams) or expanded.
    #: Set by the app from ``[ui] reasoning``.
    reasoning_mode: str = DEFAULT_REASONING_MODE

    @dataclass
    class RetryPressed(TextualMessage):
        """The Retry button of an error or interrupted reply was pressed."""

        view: MessageView

        @property
        def control(self) -> MessageView:
            """The view whose button was pressed."""
            return self.view

    def __init__(
        self, message: Message, *, text: str | None = None, streaming: bool = False
    ) -> None:
        super().__init__(classes=f"message {message.role}")
        self.message = message
        # ``text`` is the already-sanitized text so far while a reply streams.
        if text is None:
            content = message.content
            long_prompt = message.role != "assistant" and len(content) > SHOWN_PROMPT_CHARS
            text = shown_prompt(content) if long_prompt else strip_control(content)
        self._text = text
        self._streaming = streaming
        self._stream: MarkdownStream | None = None
        self._source: Callable[[], str] | None = None
        self._shown_len = len(self._text)
        self._ready = False
        self._finished = not streaming
        self._lock = asyncio.Lock()
        self._latest = self._text  # newest text offered while streaming
        self._flush_timer: Timer | None = None
        # Only the last reply of a conversation can be retried.
        self.retry_allowed = True
        self._thinking: ThinkingBlock | None = None  # set by compose (replies only)
        # (place, count) among the message's versions (issue 13); None: the only one
        self.versions: tuple[int, int] | None = None

    def compose(self) -> ComposeResult:
        # Kept, not queried: on a busy machine this view's Mount can run before the
        # header's own children are mounted, and a query then found no status (issue 12).
        self._header = Horizontal(classes="message-header")
        self._status = Label(Content(status_text(self.message, self._streaming)), classes="status")
        self._error = Static(Content(self._error_line()), classes="error-line")
        self._retry = Button(Content("Retry"), classes="retry", compact=True)
        self._versions_label = Label(Content(versions_text(self.versions)), classes="versions")
        self._ending = Static(Content(ending_text(self.message)), classes="ending-line")
        self._usage = Static(Content(usage_text(self.message)), classes="usage-line")
        with self._header:
            yield Label(
                Content(ROLE_NAMES.get(self.message.role, self.message.role)), classes="role"
            )
            yield self._status
            yield self._versions_label
        if self.message.role == "assistant":
            # Imported here: Markdown loads with the first reply, not at start-up.
            from aichat_tui.ui.widgets.markdown.reply import ReplyMarkdown

            thought = "" if self.reasoning_mode == "hidden" else self.message.reasoning
            expanded = self.reasoning_mode == "expanded"
            self._thinking = ThinkingBlock(strip_control(thought), expanded=expanded)
            yield self._thinking
            yield ReplyMarkdown(self._text, self._markdown_ready)
        else:
            yield Static(Content(self._text), classes="body")
        if self.message.attachments:
            yield Static(Content(attachments_text(self.message)), classes="attachments")
        yield self._error
        yield self._ending
        yield self._usage
        yield self._retry

    def on_mount(self) -> None:
        self._refresh_status()
        self._versions_label.display = self.versions is not None

    def set_versions(self, versions: tuple[int, int] | None) -> None:
        """Show which version of its turn this message is (``‹ 2/3 ›``)."""
        self.versions = versions
        if self.is_mounted:
            label = self._versions_label
            label.update(Content(versions_text(versions)))
            label.display = versions is not None

    def _error_line(self) -> str:
        if self.message.status == "error" and self.message.error:
            return "⚠ " + one_line(self.message.error, 300)
        return ""

    def _refresh_status(self) -> None:
        self._status.update(Content(status_text(self.message, self._streaming)))
        self._error.update(Content(self._error_line()))
        self._error.display = bool(self._error_line())
        for line, text in (
            (self._ending, "" if self._streaming else ending_text(self.message)),
            (self._usage, "" if self._streaming else usage_text(self.message)),
        ):
            line.update(Content(text))
            line.display = bool(text)
        failed = self.message.status in ("error", "interrupted") and not self._streaming
        self._retry.display = failed and self.retry_allowed
        # On the header, not the view: a class change on the view restyles every
        # widget of the reply, which cost ~0.1 s at the end of a long one.
        self._header.set_class(self._streaming, "-streaming")
        self.set_class(self.message.status == "error", "-error")

    def _body(self) -> Markdown:
        """The reply's Markdown widget."""
        from textual.widgets import Markdown

        return self.query_one(".body", Markdown)

    @property
    def text(self) -> str:
        """The displayed (sanitized) text; for a reply, its Markdown source."""
        if self.message.role == "assistant" and self.is_mounted:
            return self._body().source
        return self._text

    @property
    def streaming(self) -> bool:
        """Whether the view still shows its reply as streaming (until :meth:`finish`)."""
        return self._streaming

    def disallow_retry(self) -> None:
        """A later message exists: hide the Retry button."""
        self.retry_allowed = False
        if self.is_mounted:
            self._refresh_status()

    def follow(self, source: Callable[[], str]) -> None:
        """Stream from ``source`` (the reply's sanitized text so far)."""
        self._source = source

    def offer(self) -> None:
        """The followed source has more text: show it within STREAM_INTERVAL.
        Synchronous and cheap: called for every piece that arrives."""
        if not self._ready or self._finished or self._source is None:
            return
        if self._flush_timer is None and self.is_attached:
            self._flush_timer = self.set_timer(STREAM_INTERVAL, self._flush)

    async def _markdown_ready(self) -> None:
        self._ready = True
        if self._source is not None:
            await self.sync(self._source())
        if self._finished:
            await self._stop_stream()

    async def sync(self, full: str) -> None:
        """Show what ``full`` has beyond what is shown.

        While the reply streams, chunks are coalesced: the Markdown grows at most every
        STREAM_INTERVAL seconds. Each growth costs a parse of the last block and a
        layout pass over the transcript, so one per network chunk made a fast stream
        cost seconds of CPU (issue 6). Once the reply has finished, the rest shows at once.
        """
        if not self._ready or len(full) <= self._shown_len:
            return
        if self._finished:
            await self._append(full)
            return
        self._latest = full
        if self._flush_timer is None:
            self._flush_timer = self.set_timer(STREAM_INTERVAL, self._flush)

    async def _flush(self) -> None:
        self._flush_timer = None
        await self._append(self._source() if self._source is not None else self._latest)

    def _cancel_flush(self) -> None:
        if self._flush_timer is not None:
            self._flush_timer.stop()
            self._flush_timer = None

    async def _append(self, full: str) -> None:
        async with self._lock:
            if len(full) <= self._shown_len:
                return
            piece = full[self._shown_len :]
            self._shown_len = len(full)
            if self._stream is None:
                body = self._body()
                self._stream = body.get_stream(body)
            await self._stream.write(piece)

    async def release(self) -> None:
        """The view is going away: stop following and end its stream task."""
        self._source = None
        self._finished = True
        self._cancel_flush()
        await self._stop_stream()

    async def _stop_stream(self) -> None:
        async with self._lock:
            if self._stream is not None:
                stream, self._stream = self._stream, None
                await stream.stop()

    async def finish(self) -> None:
        """The reply ended (complete, interrupted or failed): flush and show its status."""
        self._finished = True
        self._cancel_flush()
        if self._source is not None:
            await self.sync(self._source())
        if self._ready:
            await self._stop_stream()
        self._streaming = False
        block = self.thinking()
        if block is not None and block.live:
            keep_open = self.reasoning_mode == "expanded" or not self.message.content
            block.show(block.text, live=False, expanded=keep_open)
        if self.is_mounted:
            self._refresh_status()

    # -- thinking ------------------------------------------------------------

    def thinking(self) -> ThinkingBlock | None:
        """The thinking block of a reply (None for other messages, or before compose)."""
        return self._thinking

    def show_thinking(self, text: str, *, seconds: float | None = None) -> None:
        """The thinking so far, while the reply streams (opened as it streams)."""
        block = self.thinking()
        if block is None or self.reasoning_mode == "hidden":
            return
        block.show(text, live=True, seconds=seconds, expanded=True)

    def answer_started(self, seconds: float | None) -> None:
        """The answer began: the thinking stops streaming and, unless the setting
        says expanded, folds away."""
        block = self.thinking()
        if block is None or not block.text:
            return
        keep_open = self.reasoning_mode == "expanded"
        block.show(block.text, live=False, seconds=seconds, expanded=keep_open)

    def thinking_took(self, seconds: float) -> None:
        """How long the model thought (shown in the block's title)."""
        block = self.thinking()
        if block is not None and block.text:
            block.show(block.text, seconds=seconds)

    def toggle_thinking(self) -> bool:
        """Open or close the thinking; False when this message has none shown."""
        block = self.thinking()
        if block is None or not block.text:
            return False
        block.toggle()
        return True

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.RetryPressed(self))

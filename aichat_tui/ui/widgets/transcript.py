"""The scrolling chat pane: message views, mounted lazily from the end."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message as TextualMessage
from textual.widgets import Button

from aichat_tui import branches
from aichat_tui.models import Conversation, Message
from aichat_tui.ui.widgets.message_view import MessageView

INITIAL_MESSAGES = 20
#: Fewer messages are mounted on open once the newest ones hold about a screenful of
#: characters (columns x rows, at least this many): mounting a reply costs time in
#: proportion to its length, and older ones load when scrolled to (issue 6).
INITIAL_CHARS = 2_000
BATCH = 20


def first_shown(messages: list[Message], budget: int = INITIAL_CHARS) -> int:
    """Index of the first message mounted when a conversation opens: the last
    INITIAL_MESSAGES, or fewer once the newest hold ``budget`` characters."""
    first = max(0, len(messages) - INITIAL_MESSAGES)
    total = 0
    for index in range(len(messages) - 1, first - 1, -1):
        total += len(messages[index].content)
        if total >= budget:
            return index
    return first


class Transcript(VerticalScroll):
    """Messages of one conversation; the last ``INITIAL_MESSAGES`` first, older on demand.

    A message can be chosen with the keyboard (tab into the pane, up/down) and
    then copied, its last code block copied, or (for a prompt) edited and resent;
    a reply can be regenerated, and a message with other versions (``‹ 2/3 ›``,
    issue 13) switched to its previous or next version.
    """

    BINDINGS = [
        Binding("up,k", "select(-1)", "Previous message", show=False, id="transcript.previous"),
        Binding("down,j", "select(1)", "Next message", show=False, id="transcript.next"),
        Binding("c", "copy_message", "Copy message", id="transcript.copy_message"),
        Binding("b", "copy_code", "Copy code", id="transcript.copy_code"),
        Binding("e", "edit", "Edit & resend", id="transcript.edit"),
        Binding("r", "regenerate", "Regenerate", id="transcript.regenerate"),
        Binding("left,h", "version(-1)", "Previous version", id="transcript.previous_version"),
        Binding("right,l", "version(1)", "Next version", id="transcript.next_version"),
        Binding("escape", "back", "Back", id="transcript.back"),
        Binding("home", "first", "First message", show=False, id="transcript.first"),
        Binding("end", "last", "Last message", show=False, id="transcript.last"),
        Binding("pageup", "page_up", "Scroll up", show=False, id="transcript.page_up"),
        Binding("pagedown", "page_down", "Scroll down", show=False, id="transcript.page_down"),
    ]

    @dataclass
    class CopyRequested(TextualMessage):
        """The user asked to copy a message (``code`` True: its last code block)."""

        transcript: Transcript
        message: Message
        code: bool

        @property
        def control(self) -> Transcript:
            """The transcript."""
            return self.transcript

    @dataclass
    class EditRequested(TextualMessage):
        """The user asked to edit a prompt and resend from there."""

        transcript: Transcript
        message: Message

        @property
        def control(self) -> Transcript:
            """The transcript."""
            return self.transcript

    @dataclass
    class VersionRequested(TextualMessage):
        """The user asked for the previous (``step`` -1) or next (+1) version of
        a message: the view then follows that branch."""

        transcript: Transcript
        message: Message
        step: int

        @property
        def control(self) -> Transcript:
            """The transcript."""
            return self.transcript

    @dataclass
    class RegenerateRequested(TextualMessage):
        """The user asked for a new version of a reply (kept beside the old one)."""

        transcript: Transcript
        message: Message

        @property
        def control(self) -> Transcript:
            """The transcript."""
            return self.transcript

    @dataclass
    class BackRequested(TextualMessage):
        """Escape while choosing messages: return to the composer."""

        transcript: Transcript

        @property
        def control(self) -> Transcript:
            """The transcript."""
            return self.transcript

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, can_focus=False)
        self.conversation: Conversation | None = None
        self._first = 0  # index in conversation.messages of the first mounted message
        self._views: dict[str, MessageView] = {}
        self._versions: dict[str, tuple[int, int]] = {}
        # One load of older messages at a time; a second request while one mounts is
        # dropped (cancelling a load mid-mount left half-built views behind).
        self._loading = False
        self._again = False

    async def show(
        self,
        conv: Conversation | None,
        *,
        streaming_id: str | None = None,
        source: Callable[[], str] | None = None,
    ) -> None:
        """Replace the pane's content with ``conv`` (its last messages). The message
        ``streaming_id`` is shown streaming, following ``source`` (its text so far)."""
        self.conversation = conv
        for view in self._views.values():
            await view.release()
        self._views.clear()
        with self.app.batch_update():
            await self.remove_children()
            if conv is None:
                return
            self._versions = branches.versions(conv) if conv.off_path else {}
            width, height = self.app.size
            self._first = first_shown(conv.messages, max(INITIAL_CHARS, width * height))
            views = [self._make_view(m, streaming_id, source) for m in conv.messages[self._first :]]
            for view in views[:-1]:
                view.retry_allowed = False
            if self._first:
                await self.mount(self._earlier_button())
            await self.mount_all(views)
        self.anchor()

    def _make_view(
        self, message: Message, streaming_id: str | None, source: Callable[[], str] | None
    ) -> MessageView:
        if message.id == streaming_id and source is not None:
            view = MessageView(message, text=source(), streaming=True)
            view.follow(source)
        else:
            view = MessageView(message)
        view.versions = self._versions.get(message.id)
        self._views[message.id] = view
        return view

    async def follow_branch(
        self,
        conv: Conversation,
        *,
        streaming_id: str | None = None,
        source: Callable[[], str] | None = None,
    ) -> None:
        """The active path of ``conv`` changed (another version chosen, a branch
        added, a prompt sent): keep the views of the messages it still shares with
        what is shown, replace the rest (``streaming_id`` shown streaming from
        ``source``). Falls back to :meth:`show` when the change is above the
        mounted messages or the new part is long."""
        path = conv.messages
        old = list(self._views)
        keep = 0
        for offset, view_id in enumerate(old):
            at = self._first + offset
            if at >= len(path) or path[at].id != view_id:
                break
            keep += 1
        start = self._first + keep
        if conv is not self.conversation or keep == 0 or len(path) - start > BATCH:
            await self.show(conv, streaming_id=streaming_id, source=source)
            return
        self._versions = branches.versions(conv) if conv.off_path else {}
        with self.app.batch_update():
            doomed = [self._views.pop(view_id) for view_id in old[keep:]]
            for view in doomed:
                await view.release()
            await self.remove_children(doomed)
            for view in self._views.values():
                versions = self._versions.get(view.message.id)
                if versions != view.versions:  # an update costs a layout pass
                    view.set_versions(versions)
            views = [self._make_view(m, streaming_id, source) for m in path[start:]]
            await self.mount_all(views)
            for view in list(self._views.values())[:-1]:
                view.disallow_retry()

    def _earlier_button(self) -> Button:
        return Button(
            Content(f"Load {min(BATCH, self._first)} earlier messages ({self._first} hidden)"),
            id="load-earlier",
            compact=True,
        )

    @property
    def hidden_count(self) -> int:
        """How many older messages are not mounted yet."""
        return self._first

    def streaming(self) -> bool:
        """Whether any mounted view still shows a streaming reply."""
        return any(view.streaming for view in self._views.values())

    def view_for(self, message_id: str) -> MessageView | None:
        """The mounted view of a message, if any."""
        return self._views.get(message_id)

    async def reconcile(
        self, *, streaming_id: str | None = None, source: Callable[[], str] | None = None
    ) -> None:
        """Bring the views in line with the conversation after a send, an edit or a
        regeneration (see :meth:`follow_branch`), and follow the end."""
        if self.conversation is not None:
            await self.follow_branch(self.conversation, streaming_id=streaming_id, source=source)
        self.anchor()

    async def action_load_earlier(self, count: int = BATCH) -> None:
        """Mount up to ``count`` older messages above the current ones, keeping what
        is on screen where it is."""
        conv = self.conversation
        if conv is None or not self._first:
            return
        start = max(0, self._first - count)
        batch = [self._make_view(m, None, None) for m in conv.messages[start : self._first]]
        for view in batch:
            view.retry_allowed = False
        first_view = next(iter(self._views.values()), None)
        # Where the first mounted message was: what is mounted above it pushes it down
        # by as much, and the view scrolls down by as much to stay put.
        was_at = first_view.virtual_region.y if first_view is not None else 0
        self._first = start
        self.release_anchor()
        with self.app.batch_update():
            await self.query("#load-earlier").remove()
            # Keep insertion order of self._views chronological.
            views = {m.id: self._views[m.id] for m in conv.messages[start:] if m.id in self._views}
            self._views = views
            if first_view is not None:
                await self.mount_all(batch, before=first_view)
            else:
                await self.mount_all(batch)
            if self._first:
                await self.mount(self._earlier_button(), before=batch[0])
        if first_view is not None:
            await self._after_layout()
            pushed = first_view.virtual_region.y - was_at
            self.scroll_to(y=self.scroll_y + pushed, animate=False, immediate=True)

    async def _after_layout(self) -> None:
        """Until the next refresh has laid out what was just mounted."""
        done = asyncio.Event()
        self.call_after_refresh(done.set)
        await done.wait()

    def request_earlier(self, then: Callable[[], object] | None = None) -> None:
        """Load the previous batch in the background (once at a time); ``then`` runs
        after it. While the view is still at the top, the next batch follows, so
        scrolling up reaches the first message by itself."""
        if not self._first:
            return
        if self._loading:
            self._again = True  # asked again meanwhile: load the next batch after this one
            return
        self._loading, self._again = True, False

        async def load() -> None:
            try:
                await self.action_load_earlier()
            finally:
                self._loading = False
            if then is not None:
                then()
            elif self._first and (self._again or self.scroll_y <= 0):
                self.request_earlier()

        self.run_worker(load(), group="load-earlier")

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        # Reaching the top by scrolling loads the previous batch.
        if new_value <= 0 < old_value and self._first:
            self.request_earlier()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "load-earlier":
            event.stop()
            self.request_earlier()

    def action_page_up(self) -> None:
        """Scroll a page up; at the top, load older messages (they keep the view)."""
        if self.scroll_y <= 0:
            self.request_earlier()
        else:
            self.release_anchor()
            self.scroll_page_up(animate=False)

    def action_page_down(self) -> None:
        """Scroll a page down (following new text again once at the end)."""
        self.scroll_page_down(animate=False)
        if self.scroll_y >= self.max_scroll_y:
            self.anchor()

    async def action_first(self) -> None:
        """Choose the very first message (every older one is mounted first)."""
        if self._first:
            await self.action_load_earlier(self._first)
        views = list(self._views.values())
        if views:
            self.release_anchor()
            views[0].focus(scroll_visible=False)
            self.scroll_home(animate=False, immediate=True)

    def action_last(self) -> None:
        """Choose the very last message."""
        views = list(self._views.values())
        if views:
            views[-1].focus(scroll_visible=False)
            self.scroll_end(animate=False, immediate=True)

    def _selected(self) -> MessageView | None:
        focused = self.screen.focused
        while focused is not None and focused is not self:
            if isinstance(focused, MessageView):
                return focused
            focused = focused.parent  # type: ignore[assignment]
        return None

    def select_last(self) -> MessageView | None:
        """Focus the last message (entry point for keyboard selection)."""
        views = list(self._views.values())
        if views:
            views[-1].focus()
            self.release_anchor()
            return views[-1]
        return None

    def action_select(self, step: int) -> None:
        views = list(self._views.values())
        current = self._selected()
        if not views:
            return
        if current is None:
            target = views[-1]
        else:
            index = views.index(current) + step
            if index < 0:
                # Load the previous batch, then step onto its last message.
                self.request_earlier(then=lambda: self.action_select(step))
                return
            target = views[min(index, len(views) - 1)]
        self.release_anchor()
        target.focus()
        target.scroll_visible(animate=False)

    def action_copy_message(self) -> None:
        view = self._selected()
        if view is not None:
            self.post_message(self.CopyRequested(self, view.message, code=False))

    def action_copy_code(self) -> None:
        view = self._selected()
        if view is not None:
            self.post_message(self.CopyRequested(self, view.message, code=True))

    def action_edit(self) -> None:
        view = self._selected()
        if view is not None and view.message.role == "user":
            self.post_message(self.EditRequested(self, view.message))

    def action_regenerate(self) -> None:
        view = self._selected()
        if view is not None and view.message.role == "assistant":
            self.post_message(self.RegenerateRequested(self, view.message))

    def action_version(self, step: int) -> None:
        view = self._selected()
        if view is not None and view.versions is not None:
            self.post_message(self.VersionRequested(self, view.message, step))

    def action_back(self) -> None:
        self.anchor()
        self.post_message(self.BackRequested(self))

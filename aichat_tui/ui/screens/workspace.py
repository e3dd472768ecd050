"""The main screen: sidebar of sessions, chat pane, composer, footer.

The screen owns the state of what is shown: the open conversation, drafts, the
prompt being edited and whether the open conversation is busy. These are
reactives; their watchers update the title, banner, welcome panel and key
bindings. The app holds the services (store, settings, clients, the engine).
Widgets receive data and post messages back here. Sending, stopping and
retrying live in :mod:`.workspace_replies`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.events import Resize
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Label, Static

from aichat_tui.models import Conversation, Message
from aichat_tui.sanitize import one_line
from aichat_tui.store import StoreError
from aichat_tui.ui.screens.workspace_attach import AttachMixin
from aichat_tui.ui.screens.workspace_branches import BranchMoves
from aichat_tui.ui.screens.workspace_copy import CopyAndLinks
from aichat_tui.ui.screens.workspace_glance import HEADER_POLL, AtAGlance, key_label
from aichat_tui.ui.screens.workspace_replies import RepliesMixin
from aichat_tui.ui.widgets.attachment_chips import AttachmentChips
from aichat_tui.ui.widgets.composer import Composer
from aichat_tui.ui.widgets.footer import AppFooter
from aichat_tui.ui.widgets.message_view import MessageView
from aichat_tui.ui.widgets.session_list import SessionList
from aichat_tui.ui.widgets.status_header import StatusHeader
from aichat_tui.ui.widgets.transcript import Transcript

if TYPE_CHECKING:
    from aichat_tui.ui.app import AichatApp

NARROW = 100  # below this many columns the sidebar hides unless toggled on


def welcome_text(config_file: str) -> str:
    """What a first run without a working profile shows."""
    return (
        "Welcome to aichat-tui\n\n"
        "No backend profile is set up yet, so there is nobody to talk to.\n\n"
        "• Press F3 (or Ctrl+O) to open Settings and add a profile: an OpenAI-compatible "
        "server (base URL, model, API key) or an Aichat server (base URL and cookies).\n"
        f"• Or edit {config_file} yourself.\n"
        "• To try the app without an account: aichat-tui --demo"
    )


class WorkspaceScreen(
    RepliesMixin, AttachMixin, AtAGlance, BranchMoves, CopyAndLinks, Screen[None]
):
    """Sessions, transcript and composer."""

    #: The conversation shown (None: nothing yet). Set it, then show it.
    conv: reactive[Conversation | None] = reactive(None, always_update=True, init=False)
    #: The prompt being edited (Enter resends from there), if any.
    editing: reactive[Message | None] = reactive(None, init=False)
    #: Whether the shown conversation has a reply running.
    busy: reactive[bool] = reactive(False, init=False)

    BINDINGS = [
        Binding("escape", "stop", "Stop", id="workspace.stop"),
        Binding("ctrl+n", "new_session", "New", id="workspace.new_session"),
        Binding("ctrl+down,alt+j", "cycle(1)", "Next", show=False, id="workspace.next_session"),
        Binding("ctrl+up,alt+k", "cycle(-1)", "Prev", show=False, id="workspace.previous_session"),
        Binding("f2", "rename", "Rename", show=False, id="workspace.rename"),
        Binding("f8", "delete", "Delete", show=False, id="workspace.delete"),
        Binding("ctrl+r", "retry", "Retry", id="workspace.retry"),
        Binding("f4", "edit_last", "Edit last", show=False, id="workspace.edit_last"),
        # priority: the composer (a TextArea) binds ctrl+y to redo.
        Binding("ctrl+y", "copy_last", "Copy", priority=True, id="workspace.copy_last"),
        Binding("alt+y,f9", "copy_code", "Copy code", show=False, id="workspace.copy_code"),
        Binding(
            "alt+up,f5", "select_messages", "Messages", show=False, id="workspace.select_messages"
        ),
        Binding("alt+a,f7", "attach", "Attach", show=False, id="workspace.attach"),
        Binding("ctrl+b,alt+l", "toggle_sidebar", "Sidebar", id="workspace.toggle_sidebar"),
        Binding(
            "alt+t,f6", "toggle_thinking", "Thinking", show=False, id="workspace.toggle_thinking"
        ),
        Binding(
            "alt+s", "session_settings", "Session", show=False, id="workspace.session_settings"
        ),
        Binding("alt+z", "undo_delete", "Undo delete", show=False, id="workspace.undo_delete"),
    ]

    def __init__(self) -> None:
        super().__init__(id="workspace")
        self.drafts: dict[str, str] = {}
        self._deleted: list[tuple[str, str]] = []  # (id, title) of deletes to undo
        self.attachment_drafts = {}
        self._sidebar_choice: bool | None = None

    @property
    def aichat(self) -> AichatApp:
        """The app, typed."""
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            yield SessionList(id="sessions", clock=self.aichat.clock)
            with Vertical(id="chat"):
                yield StatusHeader(id="chat-title")
                yield Static(id="welcome")
                yield Transcript(id="transcript")
                yield Label(
                    Content("Editing a previous prompt: Enter resends from there, Escape cancels"),
                    id="edit-banner",
                )
                yield AttachmentChips(id="attachment-chips")
                yield Composer(id="composer")
        yield AppFooter()

    @property
    def transcript(self) -> Transcript:
        """The chat pane."""
        return self.query_one(Transcript)

    @property
    def composer(self) -> Composer:
        """The prompt editor."""
        return self.query_one(Composer)

    @property
    def sessions(self) -> SessionList:
        """The sidebar."""
        return self.query_one(SessionList)

    async def on_mount(self) -> None:
        self.query_one("#edit-banner").display = False
        self.refresh_welcome()
        self.composer.focus()
        # Relative times in the sidebar ("5m") age; refresh them now and then.
        self.set_interval(60, self.refresh_sessions)
        self.set_interval(HEADER_POLL, self.poll_header)
        await self.aichat.start_workspace(self)

    def watch_conv(self) -> None:
        self._show_title()
        self.refresh_welcome()
        self._update_busy()
        self.refresh_bindings()

    def watch_editing(self, message: Message | None) -> None:
        self.query_one("#edit-banner").display = message is not None
        self.refresh_bindings()

    def watch_busy(self) -> None:
        self.refresh_bindings()

    def refresh_welcome(self) -> None:
        """Show the first-run panel when no profile can be used."""
        welcome = self.query_one("#welcome", Static)
        missing = self.aichat.profile_for(self.conv) is None
        text = welcome_text(str(self.aichat.paths.config_file)) if missing else None
        text = text or self.first_run_text()  # the profile in use cannot connect
        welcome.update(Content(text or ""))
        welcome.display = text is not None

    # -- sessions -----------------------------------------------------------------

    def refresh_sessions(self) -> None:
        """Reload the sidebar from the store."""
        current = self.conv.id if self.conv else None
        try:
            summaries = self.aichat.store.list()
        except StoreError as exc:  # the folder vanished or became unreadable: say so
            self.app.notify(one_line(str(exc), 300), severity="error", markup=False)
            return
        self.sessions.set_sessions(summaries, current, self.aichat.busy_ids())

    async def open_session(self, conv_id: str | None) -> None:
        """Show a conversation (None: nothing), keeping the current draft."""
        self.flush_branch()
        switching = self.conv is not None
        leaving = self.conv.id if self.conv is not None else None
        if self.conv is not None:
            self.drafts[self.conv.id] = self.composer.text
        self.editing = None
        conv = self.aichat.open_conversation(conv_id) if conv_id else None
        self.conv = conv
        live = self.aichat.replies.get(conv.id) if conv else None
        await self.transcript.show(
            conv,
            streaming_id=live.message.id if live else None,
            source=(lambda: live.shown) if live else None,
        )
        if live is not None:
            self.show_live_thinking(live)
        await self.swap_attachments(leaving, conv.id if conv else None)
        draft = self.drafts.pop(conv.id, "") if conv else ""
        if switching or draft:
            # On the first open, keep whatever was typed while the app started.
            self.composer.text = draft
            self.composer.move_cursor(self.composer.document.end)
        listed = conv is not None and any(s.id == conv.id for s in self.sessions.summaries)
        if switching and listed:
            # Switching between listed sessions changes nothing in the list: only move
            # the highlight (re-listing 1,000 sessions cost ~0.1 s per switch, issue 6).
            self.sessions.mark(conv.id)
        else:
            self.refresh_sessions()

    def _show_title(self) -> None:
        self.refresh_header()

    async def action_new_session(self) -> None:
        """Start an empty conversation and show it."""
        try:
            conv = self.aichat.new_conversation()
        except StoreError as exc:
            self.aichat.tell_not_saved(exc)
            return
        await self.open_session(conv.id)
        # from the sidebar too: what is typed or pasted next goes to the new chat
        self.composer.focus()

    async def action_cycle(self, step: int) -> None:
        """Switch to the next/previous conversation in the sidebar order."""
        ids = [s.id for s in self.sessions.summaries]
        if not ids:
            return
        index = ids.index(self.conv.id) if self.conv and self.conv.id in ids else -step
        await self.open_session(ids[(index + step) % len(ids)])

    @on(SessionList.Chosen)
    async def _chosen(self, event: SessionList.Chosen) -> None:
        if self.conv is None or event.conv_id != self.conv.id:
            await self.open_session(event.conv_id)
        self.composer.focus()

    def action_rename(self) -> None:
        """Ask for a new title of the current conversation."""
        conv = self.conv
        if conv is None:
            return

        def done(title: str | None) -> None:
            if title and conv.id not in self.aichat.engine.deleted:
                self.aichat.rename(conv, title)
                self._show_title()
                self.refresh_sessions()

        from aichat_tui.ui.screens.prompt import PromptScreen  # on use (issue 6)

        self.app.push_screen(PromptScreen("Rename session", one_line(conv.title, 200)), done)

    @on(SessionList.DeleteRequested)
    def _delete_requested(self, event: SessionList.DeleteRequested) -> None:
        self._confirm_delete(event.conv_id)

    def action_delete(self) -> None:
        """Delete the current conversation after confirmation."""
        if self.conv is not None:
            self._confirm_delete(self.conv.id)

    def _confirm_delete(self, conv_id: str) -> None:
        titles = {s.id: s.title for s in self.sessions.summaries}
        title = one_line(titles.get(conv_id, "this session"), 80)

        async def done(yes: bool | None) -> None:
            if not yes:
                return
            try:
                # Stops its reply first (saved into the trash copy); nothing saves it again.
                self.aichat.engine.delete(conv_id)
            except StoreError as exc:  # e.g. a read-only disk: the session stays
                self.app.notify(
                    one_line(f"Not deleted: {exc}", 300), severity="error", markup=False
                )
                return
            self.drafts.pop(conv_id, None)
            self.remember_deleted(conv_id, title)
            if self.conv is not None and self.conv.id == conv_id:
                self.conv = None
                remaining = self.aichat.store.list()
                await self.open_session(remaining[0].id if remaining else None)
            else:
                self.refresh_sessions()

        from aichat_tui.ui.screens.confirm import ConfirmScreen  # on use (issue 6)

        body = (
            f"Delete “{title}”? It goes to the trash: "
            f"{key_label(self.aichat, 'workspace.undo_delete', 'alt+z')} or the palette's "
            "Trash bring it back."
        )
        self.app.push_screen(ConfirmScreen("Delete session", body, yes="Delete"), done)

    # -- thinking -----------------------------------------------------------------

    def action_toggle_thinking(self) -> None:
        """Open or close the thinking of the focused reply, else of the latest one."""
        focused = self.app.focused
        views = [focused] if isinstance(focused, MessageView) else []
        views += reversed(list(self.transcript.query(MessageView)))
        for view in views:
            if view.toggle_thinking():
                return
        self.app.notify("no reply with thinking here", markup=False)

    # -- editing ------------------------------------------------------------------

    def action_edit_last(self) -> None:
        """Put the last prompt back in the composer; sending resends from there."""
        if self.conv is None:
            return
        prompts = [m for m in self.conv.messages if m.role == "user"]
        if prompts:
            self._edit(prompts[-1])

    @on(Composer.RecallRequested)
    def _recall(self, event: Composer.RecallRequested) -> None:
        self.action_edit_last()

    @on(Transcript.BackRequested)
    def _back(self, event: Transcript.BackRequested) -> None:
        self.composer.focus()

    @on(Transcript.EditRequested)
    def _edit_requested(self, event: Transcript.EditRequested) -> None:
        self._edit(event.message)

    def _edit(self, message: Message) -> None:
        # Allowed while a reply streams: resending supersedes it, like any new prompt.
        self.editing = message
        self.call_later(self.show_attachments, list(message.attachments))
        self.composer.text = message.content
        self.composer.move_cursor(self.composer.document.end)
        self.composer.focus()

    # -- layout -----------------------------------------------------------------------

    def on_resize(self, event: Resize) -> None:
        self._apply_sidebar(event.size.width)

    def _apply_sidebar(self, width: int) -> None:
        shown = self._sidebar_choice if self._sidebar_choice is not None else width >= NARROW
        self.sessions.display = shown

    def action_toggle_sidebar(self) -> None:
        """Show or hide the sidebar (it starts hidden below 100 columns)."""
        self._sidebar_choice = not self.sessions.display
        self._apply_sidebar(self.size.width)
        if self.sessions.display:
            self.sessions.focus()
        else:
            self.composer.focus()

    def action_session_settings(self) -> None:
        """Edit this conversation's profile, model and sampling settings."""
        if self.conv is not None:
            self.aichat.edit_session_settings(self.conv, self._show_title)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop":
            return bool(self.busy or self.editing)
        if action == "retry":
            last = self.conv.messages[-1] if self.conv and self.conv.messages else None
            return not (self.busy or last is None or last.role != "assistant")
        return True

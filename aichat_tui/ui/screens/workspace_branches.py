"""Branches of the open conversation (issue 13), for the workspace screen (a mixin,
to keep modules small): step to another version of a chosen message, jump to a
branch from the palette or a search hit. Editing a prompt and regenerating a reply
add branches through the engine; this module only moves between them.

Handlers use Textual's naming convention (``on_<namespace>_<message>``), which is
looked up along the whole MRO, so they work from a plain mixin class.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aichat_tui import branches
from aichat_tui.models import Conversation, Message
from aichat_tui.sanitize import one_line
from aichat_tui.store import StoreError
from aichat_tui.ui.widgets.transcript import Transcript

if TYPE_CHECKING:
    from textual.app import App
    from textual.timer import Timer

    from aichat_tui.ui.app import AichatApp

#: Seconds after the last switch before the active branch is saved: saving a
#: 2,000-message conversation takes ~0.3 s, too long to pay on every key press.
KEEP_BRANCH_DELAY = 2.0


def branch_labels(conv: Conversation) -> list[tuple[str, str]]:
    """(leaf id, one-line label) for every branch of ``conv``, in tree order:
    ``Branch 2/3 (active): <its last message with other versions>``."""
    tips = branches.leaves(conv)
    if len(tips) < 2:
        return []
    active = conv.messages[-1].id if conv.messages else None
    versions = branches.versions(conv)
    out: list[tuple[str, str]] = []
    for number, tip in enumerate(tips, start=1):
        path = branches.path_to(conv, tip.id)
        # the deepest message of this branch that has other versions: what tells it apart
        fork = next((m for m in reversed(path) if m.id in versions), path[-1])
        mark = " (active)" if tip.id == active else ""
        label = f"Branch {number}/{len(tips)}{mark}: {one_line(fork.content, 60)}"
        out.append((tip.id, label))
    return out


class BranchMoves:
    """Previous/next version of a chosen message; jump to any branch."""

    conv: Conversation | None
    app: App[object]
    transcript: Transcript
    _branch_pending: Conversation | None = None
    _branch_timer: Timer | None = None

    @property
    def _aichat(self) -> AichatApp:
        return self.app  # type: ignore[return-value]

    def _reply_running(self, conv: Conversation) -> bool:
        return conv.id in self._aichat.busy_ids()

    def _keep_branch(self, conv: Conversation) -> None:
        """Save which branch is active soon (KEEP_BRANCH_DELAY after the last
        switch, or when the session changes or the app quits), so reopening shows
        the same one."""
        if self._branch_pending is not None and self._branch_pending is not conv:
            self.flush_branch()
        self._branch_pending = conv
        if self._branch_timer is not None:
            self._branch_timer.stop()
        screen: Any = self  # the mixin's host is the workspace Screen
        self._branch_timer = screen.set_timer(KEEP_BRANCH_DELAY, self.flush_branch)

    def flush_branch(self) -> None:
        """Save the conversation whose active branch changed, now (its ``updated``
        time unchanged: looking at another version is not a change)."""
        conv, self._branch_pending = self._branch_pending, None
        if self._branch_timer is not None:
            self._branch_timer.stop()
            self._branch_timer = None
        if conv is None or conv.id in self._aichat.busy_ids():
            return  # a running reply saves the conversation anyway
        try:
            self._aichat.store.save(conv, touch=False)
        except (StoreError, OSError) as exc:
            self._aichat.tell_not_saved(exc)

    async def on_transcript_version_requested(self, event: Transcript.VersionRequested) -> None:
        """Show the previous or next version of the chosen message and the rest
        of its branch; the chosen place stays focused."""
        event.stop()
        conv = self.conv
        if conv is None or event.transcript.conversation is not conv:
            return
        if self._reply_running(conv):
            self.app.notify("Stop the streaming reply (Escape) before switching.", markup=False)
            return
        target = branches.step_sibling(conv, event.message.id, event.step)
        if target is None:
            self.app.bell()
            return
        await self._show_branch(conv, target)

    async def _show_branch(self, conv: Conversation, focus: Message | None) -> None:
        self._keep_branch(conv)
        await self.transcript.follow_branch(conv)
        view = self.transcript.view_for(focus.id) if focus is not None else None
        if view is not None:
            self.transcript.release_anchor()
            view.focus()
            view.scroll_visible(animate=False)

    async def show_branch(self, leaf_id: str, message_id: str | None = None) -> None:
        """Make the branch ending at ``leaf_id`` active in the open conversation and
        show it, with ``message_id`` (say a search match) chosen."""
        conv = self.conv
        if conv is None or branches.find(conv, leaf_id) is None:
            return
        if self._reply_running(conv):
            self.app.notify("Stop the streaming reply (Escape) before switching.", markup=False)
            return
        branches.set_active(conv, leaf_id)
        focus = branches.find(conv, message_id) if message_id else None
        await self._show_branch(conv, focus)

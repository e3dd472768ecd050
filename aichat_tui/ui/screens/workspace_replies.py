"""Sending, stopping and retrying in the workspace, and showing the engine's replies
(a mixin of :class:`~aichat_tui.ui.screens.workspace.WorkspaceScreen`).

Every handler here is short and never waits on a reply, a worker or a lock: the
engine's calls are synchronous and return at once, and what a reply does later
arrives as :class:`~aichat_tui.ui.reply_bridge.ReplyChanged` /
:class:`~aichat_tui.ui.reply_bridge.ReplyEnded` messages. Handlers use Textual's
naming convention (``on_<namespace>_<message>``), found along the whole MRO.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from aichat_tui.engine import Reply, ReplyState
from aichat_tui.models import Attachment, Conversation, Message, Profile
from aichat_tui.sanitize import one_line
from aichat_tui.ui.reply_bridge import ReplyChanged, ReplyEnded
from aichat_tui.ui.widgets.composer import Composer
from aichat_tui.ui.widgets.message_view import MessageView
from aichat_tui.ui.widgets.transcript import Transcript

if TYPE_CHECKING:
    from aichat_tui.ui.app import AichatApp


class RepliesMixin:
    """The workspace's side of the conversation engine."""

    conv: Conversation | None
    editing: Message | None
    busy: bool
    aichat: AichatApp
    transcript: Transcript
    composer: Composer

    if TYPE_CHECKING:  # provided by the screen and by Textual

        def refresh_sessions(self) -> None: ...
        async def take_attachments(self) -> list[Attachment]: ...
        def _show_title(self) -> None: ...
        def refresh_bindings(self) -> None: ...
        async def action_new_session(self) -> None: ...

    def _profile_or_tell(self) -> Profile | None:
        profile = self.aichat.profile_for(self.conv)
        if profile is None:
            self.aichat.notify(
                "No profile is set up: press F3 to add one.", severity="error", markup=False
            )
        return profile

    def _update_busy(self) -> None:
        self.busy = self.conv is not None and self.aichat.engine.busy(self.conv.id)

    # -- the user's intents ---------------------------------------------------------

    async def on_composer_submitted(self, event: Composer.Submitted) -> None:
        """Send the prompt; a reply still running here is superseded (kept, interrupted)."""
        if self._profile_or_tell() is None:
            self._give_back(event.text)
            return
        if self.conv is None:
            await self.action_new_session()
            if self.conv is None:  # it could not be created (the user was told)
                self._give_back(event.text)
                return
        conv = self.conv
        profile = self.aichat.profile_for(conv)
        assert profile is not None
        editing = self.editing if self.editing in conv.messages else None
        self.editing = None
        attachments = await self.take_attachments()
        reply = self.aichat.engine.send(
            conv, event.text, profile, replace_from=editing, attachments=attachments
        )
        await self._show_reply(reply)

    def _give_back(self, text: str) -> None:
        """A refused prompt goes back into the composer (the composer cleared itself
        when it sent it), unless something new was typed meanwhile."""
        if not self.composer.text:
            self.composer.load_text(text)
            self.composer.move_cursor(self.composer.document.end)

    def action_stop(self) -> None:
        """Stop the current reply; else cancel editing; else back to the composer."""
        if self.conv is not None and self.aichat.engine.stop(self.conv.id) is not None:
            return
        if self.editing is not None:
            self.editing = None
            self.composer.text = ""
        self.composer.focus()

    async def action_retry(self, target: Message | None = None) -> None:
        """Regenerate the last reply, or ``target`` (any reply), as a new version
        beside it (after an error, a stop, or to get another one; issue 13)."""
        conv = self.conv
        if conv is None or self.aichat.engine.busy(conv.id) or not conv.messages:
            return
        last = target if target is not None else conv.messages[-1]
        if last.role != "assistant" or last not in conv.messages:
            return
        profile = self._profile_or_tell()
        if profile is None:
            return
        reply = self.aichat.engine.retry(conv, profile, reply=last)
        if reply is not None:
            await self._show_reply(reply)

    async def on_message_view_retry_pressed(self, event: MessageView.RetryPressed) -> None:
        if self.conv is not None and self.conv.messages[-1:] == [event.view.message]:
            await self.action_retry()

    async def on_transcript_regenerate_requested(
        self, event: Transcript.RegenerateRequested
    ) -> None:
        """A new version of the chosen reply, beside the old one (issue 13)."""
        event.stop()
        if self.conv is not None and event.transcript.conversation is self.conv:
            await self.action_retry(event.message)

    # -- showing replies --------------------------------------------------------------

    async def _show_reply(self, reply: Reply) -> None:
        """Bring the chat pane in line with the conversation a reply was started in."""
        if self.conv is not None and self.conv.id == reply.conv_id:
            live = None if reply.done else reply
            await self.transcript.reconcile(
                streaming_id=live.message.id if live else None,
                source=(lambda: reply.shown) if live else None,
            )
            if live is not None:
                self.show_live_thinking(live)
        self._show_title()
        self._update_busy()
        self.refresh_sessions()

    def _live_view(self, reply: Reply) -> MessageView | None:
        """The view of ``reply`` when its conversation is on screen."""
        if self.conv is not None and self.conv.id == reply.conv_id:
            return self.transcript.view_for(reply.message.id)
        return None

    def show_live_thinking(self, reply: Reply) -> None:
        """Bring a (re)attached view's thinking block in line with ``reply``."""
        view = self._live_view(reply)
        if view is None or not reply.reasoning:
            return
        view.show_thinking(reply.reasoning)
        self._fold_thinking(reply, view)

    def _fold_thinking(self, reply: Reply, view: MessageView) -> None:
        started, ended = reply.thinking_started, reply.thinking_ended
        block = view.thinking()
        if started is not None and ended is not None and block is not None and block.live:
            view.answer_started(ended - started)

    def reply_grew(self, reply: Reply) -> None:
        """More text of ``reply`` arrived (called by the bridge; sync and cheap)."""
        view = self._live_view(reply)
        if view is not None:
            self._fold_thinking(reply, view)  # the answer began: thinking folds away
            view.offer()

    def reply_thought(self, reply: Reply) -> None:
        """More thinking of ``reply`` arrived (called by the bridge)."""
        view = self._live_view(reply)
        if view is not None:
            view.show_thinking(reply.reasoning)

    def on_reply_changed(self, event: ReplyChanged) -> None:
        reply = event.reply
        if self.conv is not None and self.conv.id == reply.conv_id:
            self._update_busy()
        if reply.state is ReplyState.QUEUED:
            self.refresh_sessions()

    async def on_reply_ended(self, event: ReplyEnded) -> None:
        reply = event.reply
        shown = self.conv is not None and self.conv.id == reply.conv_id
        if shown:
            view = self.transcript.view_for(reply.message.id)
            if view is not None:
                if reply.thinking_started is not None and reply.thinking_ended is None:
                    # only thought: the time it took, up to the end of the reply
                    view.thinking_took(asyncio.get_running_loop().time() - reply.thinking_started)
                await view.finish()
            self._update_busy()
        elif reply.state is ReplyState.ERROR and not reply.discarded:
            title = one_line(reply.conv.title, 40)
            self.aichat.notify(f"Reply failed in “{title}”.", severity="error", markup=False)
        if not reply.discarded:
            self.refresh_sessions()
        self.refresh_bindings()

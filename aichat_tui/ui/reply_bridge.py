"""From the engine's callbacks to the workspace: the UI's reply listener.

The engine calls listeners synchronously, from its reply tasks or from inside
a screen's message handler; so nothing here awaits. State changes and endings
become messages posted to the workspace (handled in its own turn); text deltas
only nudge the visible view, which repaints on its own timer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message as TextualMessage

from aichat_tui.engine import Reply, ReplyListener
from aichat_tui.models import Conversation
from aichat_tui.sanitize import one_line

if TYPE_CHECKING:
    from aichat_tui.ui.app import AichatApp
    from aichat_tui.ui.screens.workspace import WorkspaceScreen


class ReplyChanged(TextualMessage):
    """A reply moved to another state (``reply.state``; ``reply.host`` while connecting)."""

    def __init__(self, reply: Reply) -> None:
        super().__init__()
        self.reply = reply


class ReplyEnded(TextualMessage):
    """A reply is over (complete, interrupted or error) and saved if it could be."""

    def __init__(self, reply: Reply) -> None:
        super().__init__()
        self.reply = reply


class ReplyBridge(ReplyListener):
    """Subscribed to the app's engine for the app's whole life."""

    def __init__(self, app: AichatApp) -> None:
        self.app = app

    def _workspace(self) -> WorkspaceScreen | None:
        try:
            return self.app.workspace
        except LookupError:  # not installed yet, or shutting down
            return None

    def reply_state(self, reply: Reply) -> None:
        workspace = self._workspace()
        if workspace is not None:
            workspace.post_message(ReplyChanged(reply))

    def reply_text(self, reply: Reply, piece: str) -> None:
        workspace = self._workspace()
        if workspace is not None:
            workspace.reply_grew(reply)

    def reply_reasoning(self, reply: Reply, piece: str) -> None:
        workspace = self._workspace()
        if workspace is not None:
            workspace.reply_thought(reply)

    def reply_notice(self, reply: Reply, text: str) -> None:
        self.app.notify(text, markup=False, severity="warning")

    def reply_finished(self, reply: Reply) -> None:
        workspace = self._workspace()
        if workspace is not None:
            workspace.post_message(ReplyEnded(reply))

    def save_failed(self, conv: Conversation, problem: str) -> None:
        self.app.tell_not_saved(one_line(problem, 300))

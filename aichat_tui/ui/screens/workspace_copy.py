"""Copy, link and scroll handling of the workspace screen (a mixin, to keep modules small).

Handlers use Textual's naming convention (``on_<namespace>_<message>``), which
is looked up along the whole MRO, so they work from a plain mixin class.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aichat_tui.models import Conversation, Message
from aichat_tui.ui.text import check_link, code_blocks
from aichat_tui.ui.widgets.composer import Composer
from aichat_tui.ui.widgets.transcript import Transcript

if TYPE_CHECKING:
    from textual.app import App
    from textual.widgets import Markdown


class CopyAndLinks:
    """Copy the last reply, a chosen message or a code block; confirm links."""

    conv: Conversation | None
    app: App[object]
    transcript: Transcript

    # -- copying ------------------------------------------------------------------

    def _last_reply(self) -> Message | None:
        if self.conv is None:
            return None
        return next(
            (m for m in reversed(self.conv.messages) if m.role == "assistant" and m.content), None
        )

    def _copy(self, text: str, what: str) -> None:
        # Imported on use, like the link dialog: not needed for the first frame (issue 6).
        from aichat_tui.ui.clipboard import copy

        copied = copy(self.app, text)
        self.app.notify(f"Copied {what} ({len(copied)} characters).", markup=False)

    def action_copy_last(self) -> None:
        """Copy the last reply's text."""
        reply = self._last_reply()
        if reply is None:
            self.app.notify("Nothing to copy yet.", markup=False)
        else:
            self._copy(reply.content, "the last reply")

    def action_copy_code(self) -> None:
        """Copy the last code block of the last reply."""
        reply = self._last_reply()
        blocks = code_blocks(reply.content) if reply else []
        if not blocks:
            self.app.notify("The last reply has no code block.", markup=False)
        else:
            self._copy(blocks[-1], "the code block")

    def on_transcript_copy_requested(self, event: Transcript.CopyRequested) -> None:
        if not event.code:
            self._copy(event.message.content, "the message")
            return
        blocks = code_blocks(event.message.content)
        if blocks:
            self._copy(blocks[-1], "the code block")
        else:
            self.app.notify("That message has no code block.", markup=False)

    def on_composer_scroll_requested(self, event: Composer.ScrollRequested) -> None:
        """PageUp/PageDown from the composer scroll the chat (older messages load at
        the top by themselves)."""
        if event.pages < 0:
            self.transcript.action_page_up()
        else:
            self.transcript.action_page_down()

    def action_select_messages(self) -> None:
        """Move focus into the transcript to choose a message (c, b, e act on it)."""
        if self.transcript.select_last() is None:
            self.app.notify("No messages yet.", markup=False)

    # -- links ----------------------------------------------------------------------

    def on_markdown_link_clicked(self, event: Markdown.LinkClicked) -> None:
        event.stop()
        event.prevent_default()
        target, refusal = check_link(event.href)

        def done(open_it: bool | None) -> None:
            if open_it and refusal is None:
                self.app.open_url(target)

        from aichat_tui.ui.screens.link import LinkScreen

        self.app.push_screen(LinkScreen(target, refusal), done)

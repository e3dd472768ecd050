"""The multi-line prompt editor: Enter sends, Shift+Enter / Ctrl+J insert a newline.

Ctrl+J is the alias that works everywhere: terminals send LF for it, also
inside tmux, where Shift+Enter and Ctrl+Enter are usually indistinguishable
from Enter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual import events
from textual.binding import Binding
from textual.content import Content
from textual.message import Message as TextualMessage
from textual.widgets import TextArea

from aichat_tui.attachments.paths import dropped_path
from aichat_tui.sanitize import strip_control

#: Text longer than this is not put in the editor: Textual's TextArea does work in
#: proportion to the whole document on every edit and frame (a 5 MB paste froze the
#: screen for half a minute). It is held aside and shown as one token, which the
#: submitted text carries in full.
HOLD_CHARS = 50_000
HOLD_LINES = 1_000


def _size(text: str) -> str:
    size = len(text.encode("utf-8"))
    return f"{size / 1_000_000:.1f} MB" if size >= 1_000_000 else f"{size / 1000:.0f} kB"


def _without_function_keys(bindings: list[Any]) -> list[Any]:
    """TextArea's bindings minus those on F-keys (F6 select line, F7 select all): the
    focused composer would otherwise take an F-key a user remaps a workspace action to,
    and that action would silently vanish from the footer (issue 12)."""
    kept: list[Any] = []
    for binding in Binding.make_bindings(bindings):
        keys = [k for k in binding.key.split(",") if not re.fullmatch(r"\s*f\d+\s*", k)]
        if keys:
            kept.append(binding.with_key(",".join(keys)))
    return kept


class _TextAreaWithoutFunctionKeys(TextArea, inherit_bindings=False):
    """TextArea's editing keys, the F-keys left free (see ``_without_function_keys``)."""

    BINDINGS = _without_function_keys(TextArea.BINDINGS)


class Composer(_TextAreaWithoutFunctionKeys):
    """A TextArea whose Enter posts :class:`Composer.Submitted` instead of a newline."""

    BINDINGS = [
        # priority: TextArea handles Enter itself before ordinary bindings are looked at.
        Binding("enter", "submit", "Send", priority=True, show=False, id="composer.send"),
        Binding(
            "shift+enter,ctrl+j",
            "newline",
            "Newline",
            priority=True,
            show=False,
            key_display="ctrl+j",
            id="composer.newline",
        ),
        Binding("up", "recall", "Edit last", show=False, id="composer.edit_last"),
        # The chat scrolls while typing; the composer is a few lines, nothing to page.
        Binding("pageup", "scroll_chat(-1)", "Scroll chat up", show=False, id="composer.page_up"),
        Binding(
            "pagedown", "scroll_chat(1)", "Scroll chat down", show=False, id="composer.page_down"
        ),
    ]

    @dataclass
    class Submitted(TextualMessage):
        """The user sent the composer's text."""

        composer: Composer
        text: str

        @property
        def control(self) -> Composer:
            """The composer."""
            return self.composer

    @dataclass
    class PathDropped(TextualMessage):
        """The composer holds nothing but the path of an existing file (pasted,
        dropped on the terminal, or typed then Enter): offer to attach it."""

        composer: Composer
        path: Path

        @property
        def control(self) -> Composer:
            """The composer."""
            return self.composer

    @dataclass
    class ScrollRequested(TextualMessage):
        """PageUp (``pages`` -1) or PageDown (1) in the composer: scroll the chat."""

        composer: Composer
        pages: int

        @property
        def control(self) -> Composer:
            """The composer."""
            return self.composer

    @dataclass
    class RecallRequested(TextualMessage):
        """Up was pressed in an empty composer: edit the last prompt."""

        composer: Composer

        @property
        def control(self) -> Composer:
            """The composer."""
            return self.composer

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            id=id,
            soft_wrap=True,
            tab_behavior="focus",
            show_line_numbers=False,
            compact=True,
            highlight_cursor_line=False,
            placeholder=Content("Message…  (Enter sends, Ctrl+J newline)"),
        )
        #: files wait above the composer: Enter may then send without text
        self.has_attachments = False
        #: a path the user chose to send as text (not offered again)
        self.declined_path: str | None = None
        self._held: dict[str, str] = {}  # token shown -> the long text it stands for

    def _offer_path(self, text: str) -> bool:
        """Post PathDropped when ``text`` is an existing file's path alone."""
        if text.strip() == self.declined_path:
            return False
        path = dropped_path(text)
        if path is None:
            return False
        self.post_message(self.PathDropped(self, path))
        return True

    def hold(self, text: str) -> str:
        """The text itself, or (if it is long) a token standing for it in the editor."""
        if len(text) <= HOLD_CHARS and text.count("\n") < HOLD_LINES:
            return text
        lines = text.count("\n") + 1
        token = f"[pasted text #{len(self._held) + 1}: {lines:,} lines, {_size(text)}]"
        self._held[token] = text
        return token

    def expand(self, text: str) -> str:
        """``text`` with every held-text token replaced by the text it stands for."""
        for token, held in self._held.items():
            if token in text:
                text = text.replace(token, held)
        return text

    @property
    def full_text(self) -> str:
        """What Enter would send: the editor's text, held texts expanded."""
        return self.expand(self.text)

    def load_text(self, text: str) -> None:
        """Replace the editor's text (a long text is held and shown as a token)."""
        super().load_text(self.hold(text))

    async def _on_key(self, event: events.Key) -> None:
        # TextArea inserts any printable key, so alt+l would type "l" and never reach
        # the screen's bindings (alt+s/l/j/k/y are the tmux-safe ones). An alt key is
        # never text: keep TextArea from inserting it and let the bindings see it.
        if event.key.startswith("alt+"):
            event.prevent_default()

    async def _on_paste(self, event: events.Paste) -> None:
        # One insertion, without control sequences, whichever driver delivered it
        # (the terminal's paste parser has cleaned it already; headless or Windows not).
        event.prevent_default()
        if self.read_only:
            return
        text = self.hold(strip_control(event.text.replace("\x00", "")))
        if text:
            start, end = self.selection
            self.replace(text, start, end, maintain_selection_offset=False)
        self.focus()
        if text:
            self._offer_path(self.text)

    def on_mount(self) -> None:
        # A blinking cursor makes screenshots nondeterministic; tests run headless.
        if self.app.is_headless:
            self.cursor_blink = False

    # Priority bindings run in the app's task as soon as the key arrives, while the
    # keys typed just before it may still wait in this widget's queue (fast typing,
    # tmux send-keys, unbracketed pastes). Queue the work behind them.

    def action_submit(self) -> None:
        self.call_later(self._submit)

    def _submit(self) -> None:
        text = self.full_text
        if self.text.strip() and self._offer_path(self.text):
            return
        if text.strip() or self.has_attachments:
            self.post_message(self.Submitted(self, text))
            # Cleared now, not when the screen handles the message: keys typed in
            # between (a fast typist, tmux send-keys) start the next prompt instead of
            # being joined to this one. The screen gives the text back if it refuses.
            self.load_text("")

    def action_newline(self) -> None:
        self.call_later(self._newline)

    def _newline(self) -> None:
        start, end = self.selection
        self.replace("\n", start, end, maintain_selection_offset=False)

    def action_scroll_chat(self, pages: int) -> None:
        self.post_message(self.ScrollRequested(self, pages))

    def action_recall(self) -> None:
        if not self.text:
            self.post_message(self.RecallRequested(self))
        else:
            self.action_cursor_up()

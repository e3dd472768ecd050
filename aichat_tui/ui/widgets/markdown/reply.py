"""The Markdown widget of an assistant reply.

In its own module so that Textual's Markdown (and markdown-it, linkify and pygments
behind it, ~30 ms of imports) loads when the first reply is shown, not at start-up
(issue 6: launch time).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from textual.widgets import Markdown

from aichat_tui.ui.widgets.markdown.compact import compact_blocks

if TYPE_CHECKING:
    from markdown_it.token import Token

    from aichat_tui.ui.textual_compat import MarkdownBlock


class ReplyMarkdown(Markdown):
    """Markdown that says when its initial document is in place.

    Appending before Markdown's own mount-time update has run would be lost
    (that update replaces the source), so streaming waits for ``ready``.
    """

    def __init__(self, markdown: str, on_ready: Callable[[], object]) -> None:
        super().__init__(markdown, open_links=False, classes="body")
        self._on_ready = on_ready

    def on_mount(self) -> None:
        # Runs before Markdown._on_mount; call_later lands after it has finished.
        self.call_later(self._on_ready)

    def _parse_markdown(self, tokens: Iterable[Token]) -> Iterable[MarkdownBlock]:
        # Lists and tables as one widget each: Textual's own blocks cost a widget per
        # list item part and per table cell, which made long replies slow (issue 6).
        return compact_blocks(self, super()._parse_markdown(tokens))

"""The sidebar: conversations newest first, with titles and relative times."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from textual.binding import Binding
from textual.content import Content
from textual.message import Message as TextualMessage
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from aichat_tui.models import ConversationSummary, utcnow
from aichat_tui.sanitize import one_line
from aichat_tui.ui.text import relative_time

#: Row width used before the sidebar has been laid out (its CSS width, 32, less
#: the border, the padding and a scrollbar).
DEFAULT_ROW_WIDTH = 28


def row(
    summary: ConversationSummary, now: datetime, busy: bool, width: int = DEFAULT_ROW_WIDTH
) -> Content:
    """One sidebar row on one line: the title (never markup), cut with "…" to leave
    room for the dim relative time at the right edge. A wrapped title ran into its
    age ("pleasenow", issue 12), and one line per session keeps the list dense."""
    age = relative_time(summary.updated, now)
    title = ("● " if busy else "") + (one_line(summary.title, 200) or "Untitled")
    room = max(4, width - len(age) - 1)
    if len(title) > room:
        title = title[: room - 1].rstrip() + "…"
    gap = " " * max(1, width - len(title) - len(age))
    return Content.assemble(Content(title), gap, (age, "dim"))


class SessionList(OptionList):
    """Lists conversation summaries; posts :class:`SessionList.Chosen` on selection."""

    BINDINGS = [
        Binding("delete", "delete", "Delete", show=False, id="sessions.delete"),
    ]

    @dataclass
    class Chosen(TextualMessage):
        """A conversation was chosen (enter or click)."""

        session_list: SessionList
        conv_id: str

        @property
        def control(self) -> SessionList:
            """The sidebar."""
            return self.session_list

    @dataclass
    class DeleteRequested(TextualMessage):
        """Delete was pressed on a highlighted conversation."""

        session_list: SessionList
        conv_id: str

        @property
        def control(self) -> SessionList:
            """The sidebar."""
            return self.session_list

    def __init__(self, *, clock: Callable[[], datetime] = utcnow, id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock
        self.summaries: list[ConversationSummary] = []
        self._syncing = False
        self._busy: set[str] = set()
        self._rows_width = DEFAULT_ROW_WIDTH

    def _row_width(self) -> int:
        width = self.scrollable_content_region.width
        if width <= 0:
            return DEFAULT_ROW_WIDTH
        # Leave room for a scrollbar that appears once the list outgrows the pane.
        return width - (0 if self.show_vertical_scrollbar else 1)

    def on_resize(self) -> None:
        if self.summaries and self._row_width() != self._rows_width:
            current = self.summaries[self.highlighted].id if self.highlighted is not None else None
            self.set_sessions(self.summaries, current, self._busy)

    def set_sessions(
        self,
        summaries: Iterable[ConversationSummary],
        current: str | None,
        busy: set[str] | frozenset[str] = frozenset(),
    ) -> None:
        """Show ``summaries`` (already newest first); highlight ``current``."""
        self.summaries = list(summaries)
        now = self.clock()
        self._syncing = True
        try:
            self._busy = set(busy)
            width = self._row_width()
            self._rows_width = width
            self.clear_options()
            self.add_options(
                Option(row(s, now, s.id in busy, width), id=s.id) for s in self.summaries
            )
            self.mark(current)
        finally:
            self._syncing = False

    def mark(self, conv_id: str | None) -> None:
        """Highlight ``conv_id`` without posting a selection."""
        ids = [s.id for s in self.summaries]
        if conv_id in ids:
            self.highlighted = ids.index(conv_id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.Chosen(self, event.option.id))

    def action_delete(self) -> None:
        if self.highlighted is not None and self.summaries:
            self.post_message(self.DeleteRequested(self, self.summaries[self.highlighted].id))

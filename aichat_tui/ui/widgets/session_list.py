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


def row(summary: ConversationSummary, now: datetime, busy: bool) -> Content:
    """One sidebar row: title (never markup), then a dim relative time."""
    title = one_line(summary.title, 80) or "Untitled"
    mark = "● " if busy else ""
    return Content.assemble(
        Content(mark + title), ("  " + relative_time(summary.updated, now), "dim")
    )


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
            self.clear_options()
            self.add_options(Option(row(s, now, s.id in busy), id=s.id) for s in self.summaries)
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

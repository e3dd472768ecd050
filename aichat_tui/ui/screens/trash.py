"""The trash view: deleted sessions, newest deletion first; Enter restores one.

``TrashScreen(store, clock)`` restores the chosen session itself (so a failure is
shown in place and nothing is lost) and dismisses with its id, or with None.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from aichat_tui.sanitize import one_line
from aichat_tui.store import StoreError
from aichat_tui.ui.text import relative_time

if TYPE_CHECKING:
    from aichat_tui.store import ConversationStore, TrashEntry

__all__ = ["TrashScreen", "trash_row"]


def trash_row(entry: TrashEntry, now: datetime) -> Content:
    """One line: the title (never markup), then when it was deleted and its size."""
    title = one_line(entry.title, 70) or "Untitled"
    count = entry.message_count
    detail = f"  deleted {relative_time(entry.deleted, now)}, {count} message" + (
        "" if count == 1 else "s"
    )
    return Content.assemble(Content(title), (detail, "dim"))


class TrashScreen(ModalScreen[str | None]):
    """Lists the trash; Enter restores the highlighted session, Escape closes."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="trash.close"),
    ]

    DEFAULT_CSS = """
    TrashScreen #trash-list { height: auto; max-height: 16; margin-bottom: 1; }
    TrashScreen #trash-error { color: $error; display: none; }
    TrashScreen #trash-error.-shown { display: block; }
    """

    def __init__(self, store: ConversationStore, clock: Callable[[], datetime]) -> None:
        super().__init__(classes="dialog-screen")
        self._store = store
        self._clock = clock
        self._ids: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content("Trash — deleted sessions, kept 30 days"), classes="dialog-title")
            yield OptionList(id="trash-list")
            yield Static("", id="trash-error", markup=False)
            yield Label(
                Content("Enter restores the highlighted session · Escape closes"),
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        listing = self.query_one("#trash-list", OptionList)
        try:
            entries = self._store.list_trash()
        except (StoreError, OSError) as exc:
            self._show_error(f"Cannot read the trash: {exc}")
            entries = []
        now = self._clock()
        self._ids = [entry.id for entry in entries]
        if entries:
            listing.add_options(Option(trash_row(e, now), id=e.id) for e in entries)
            listing.highlighted = 0
        else:
            listing.add_option(Option(Content("The trash is empty."), disabled=True))
        listing.focus()

    def _show_error(self, text: str) -> None:
        error = self.query_one("#trash-error", Static)
        error.update(Content(one_line(text, 300)))
        error.add_class("-shown")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self._restore(event.option.id)

    def _restore(self, conv_id: str) -> None:
        try:
            self._store.restore(conv_id)
        except StoreError as exc:  # e.g. a session with that id exists again
            self._show_error(f"Not restored: {exc}")
            return
        self.dismiss(conv_id)

    def action_close(self) -> None:
        """Close without restoring anything."""
        self.dismiss(None)

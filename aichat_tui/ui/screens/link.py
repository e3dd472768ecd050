"""Confirm before opening a link from model output, showing its real target."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static


class LinkScreen(ModalScreen[bool]):
    """Shows the exact target (control characters removed); True means open it.

    Targets that :func:`aichat_tui.ui.text.check_link` refuses are shown with
    the reason and only a Close button.
    """

    BINDINGS = [Binding("escape", "close", "Close", id="link.close")]

    def __init__(self, target: str, refusal: str | None) -> None:
        super().__init__(classes="dialog-screen")
        self.target = target
        self.refusal = refusal

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            title = "Open this link?" if self.refusal is None else "Link not opened"
            yield Label(Content(title), classes="dialog-title")
            yield Static(Content(self.target), id="link-target", classes="dialog-body")
            if self.refusal is not None:
                yield Static(Content(self.refusal), id="link-refusal")
            with Horizontal(classes="dialog-buttons"):
                if self.refusal is None:
                    yield Button(Content("Open"), id="open", variant="warning")
                yield Button(Content("Close" if self.refusal else "Cancel"), id="cancel")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "open" and self.refusal is None)

    def action_close(self) -> None:
        self.dismiss(False)

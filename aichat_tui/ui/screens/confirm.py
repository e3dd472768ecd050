"""A yes/no modal; every text it shows is plain Content, never markup."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from aichat_tui.ui.textual_compat import app_keymap


def first_key(keys: str) -> str:
    """The first of a comma-separated key list, as a user would type it."""
    return keys.split(",")[0].strip()


class ConfirmScreen(ModalScreen[bool]):
    """Asks a question; dismisses with True (confirm) or False.

    Cancel has the focus, so an Enter typed by reflex (Enter sends in the composer)
    never confirms; the buttons name their keys, so confirming takes one deliberate
    key press (``y``) rather than Tab then Enter.
    """

    BINDINGS = [
        Binding("escape,n", "answer(False)", "Cancel", id="confirm.no"),
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
    ]

    def __init__(self, title: str, body: str, *, yes: str = "Yes", no: str = "Cancel") -> None:
        super().__init__(classes="dialog-screen")
        self._title, self._body, self._yes, self._no = title, body, yes, no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content(self._title), classes="dialog-title")
            yield Static(Content(self._body), classes="dialog-body")
            with Horizontal(classes="dialog-buttons"):
                yield Button(
                    Content(f"{self._yes} ({self._key('confirm.yes', 'y')})"),
                    id="yes",
                    variant="error",
                )
                yield Button(
                    Content(f"{self._no} ({self._key('confirm.no', 'escape,n')})"), id="no"
                )

    def _key(self, binding_id: str, default: str) -> str:
        # The key after the user's keymap.
        key = first_key(app_keymap(self.app).get(binding_id, default))
        return "Esc" if key == "escape" else key

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)

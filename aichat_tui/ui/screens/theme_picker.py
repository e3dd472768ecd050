"""Theme picker with live preview.

Moving the highlight applies the theme at once; Enter keeps it (dismisses with its
name), Escape puts the original theme back (dismisses with ``None``). The app saves
the chosen name into ``Settings.theme``.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

__all__ = ["ThemePicker"]


class ThemePicker(ModalScreen[str | None]):
    """Pick one of the app's registered themes; previews as the highlight moves."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="theme_picker.cancel"),
    ]

    DEFAULT_CSS = """
    ThemePicker { align: right middle; background: transparent; }
    ThemePicker #theme-box {
        width: 40; height: 80%; border: round $primary; background: $surface;
        margin-right: 2;
    }
    ThemePicker #theme-hint { color: $text-muted; padding: 0 1; }
    ThemePicker OptionList { height: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._original = ""
        self._names: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="theme-box"):
            yield Static("↑↓ preview · Enter keep · Esc restore", id="theme-hint", markup=False)
            yield OptionList(id="theme-list")

    def on_mount(self) -> None:
        """List the themes, ours (aichat-*) first, with the current one highlighted."""
        self._original = self.app.theme
        names = sorted(self.app.available_themes)
        self._names = [n for n in names if n.startswith("aichat-")] + [
            n for n in names if not n.startswith("aichat-")
        ]
        options = self.query_one(OptionList)
        options.add_options([Option(Content(name)) for name in self._names])
        if self._original in self._names:
            options.highlighted = self._names.index(self._original)
        options.focus()

    @on(OptionList.OptionHighlighted)
    def _preview(self, event: OptionList.OptionHighlighted) -> None:
        name = self._names[event.option_index]
        if self.app.theme != name:
            self.app.theme = name

    @on(OptionList.OptionSelected)
    def _choose(self, event: OptionList.OptionSelected) -> None:
        name = self._names[event.option_index]
        self.app.theme = name
        self.dismiss(name)

    def action_cancel(self) -> None:
        """Put the original theme back and close."""
        if self._original and self.app.theme != self._original:
            self.app.theme = self._original
        self.dismiss(None)

"""The model's thinking above a reply: dimmed, collapsible, with its length and
how long the model thought. Text passed in is already sanitized."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Label, Static

#: How replies show their thinking (``[ui] reasoning`` in config.toml).
REASONING_MODES = ("hidden", "collapsed", "expanded")
DEFAULT_REASONING_MODE = "collapsed"


def thinking_title(length: int, seconds: float | None, *, live: bool, expanded: bool) -> str:
    """``▸ Thinking · 1,234 chars · 3.2 s`` (``▾`` when open, ``…`` while it streams)."""
    arrow = "▾" if expanded else "▸"
    parts = [f"{arrow} Thinking{'…' if live else ''}", f"{length:,} chars"]
    if seconds is not None:
        parts.append(f"{seconds:.1f} s")
    return " · ".join(parts)


class ThinkingBlock(Vertical):
    """Header (click or the toggle key opens/closes it) and the thinking text."""

    def __init__(self, text: str = "", *, expanded: bool = False) -> None:
        super().__init__(classes="thinking")
        self.text = text
        self.expanded = expanded
        self.live = False
        self.seconds: float | None = None
        self.display = bool(text)
        self._title_label: Label | None = None
        self._body: Static | None = None

    def compose(self) -> ComposeResult:
        # Kept, not queried: a query can run before the children are mounted.
        self._title_label = Label(Content(self._title()), classes="thinking-title")
        self._body = Static(Content(self.text), classes="thinking-body")
        yield self._title_label
        yield self._body

    def on_mount(self) -> None:
        self._refresh()

    def _title(self) -> str:
        return thinking_title(len(self.text), self.seconds, live=self.live, expanded=self.expanded)

    def _refresh(self) -> None:
        self.display = bool(self.text)
        if self._title_label is None or self._body is None:
            return  # not composed yet: compose and on_mount show the current state
        self._title_label.update(Content(self._title()))
        self._body.display = self.expanded
        if self.expanded:
            self._body.update(Content(self.text))

    def show(
        self,
        text: str,
        *,
        live: bool | None = None,
        seconds: float | None = None,
        expanded: bool | None = None,
    ) -> None:
        """Update the text (the whole of it so far) and, optionally, the state."""
        self.text = text
        if live is not None:
            self.live = live
        if seconds is not None:
            self.seconds = seconds
        if expanded is not None:
            self.expanded = expanded
        self._refresh()

    def toggle(self) -> None:
        """Open or close it."""
        self.expanded = not self.expanded
        self._refresh()

    def on_click(self) -> None:
        self.toggle()

"""The bare Textual baseline: a minimal App with a Static and a Footer.

Run as a script (``python tests/perf/hello_app.py``) so that nothing of aichat-tui
is imported: the benchmark launches it in the same tmux pane size as the real app
and uses its launch time and memory as the baseline ratio.
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Footer, Static

#: Text the benchmark waits for in the pane to call the frame "usable".
MARKER = "Hello from the bare Textual app"


class HelloApp(App[None]):
    """Static text plus a footer: the smallest real Textual screen."""

    BINDINGS = [("ctrl+q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        """One Static and the Footer."""
        yield Static(MARKER)
        yield Footer()


if __name__ == "__main__":
    HelloApp().run()

"""The workspace's header line: session title, profile and model, and the reply state.

One line that fits 80 columns: the title on the left (cut with "…"), then on the
right ``profile · model`` and the state of the shown conversation's reply:
connecting (with the host), thinking, streaming (elapsed, tokens/s once known),
done, or the error with the key that fixes it.

The header reads the live reply duck-typed (``state``/``host``/``usage`` of the
engine's ``Reply`` when present, else "connecting" until text arrives), so it
works with whichever reply object the app runs; ``poll`` is called a few times a
second while a reply runs, and ``show_state`` can be driven by a state listener.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Label

from aichat_tui.sanitize import one_line

__all__ = ["STATES", "HeaderInfo", "StatusHeader", "state_text"]

#: The engine's ``ReplyState`` values (its package is not imported at start-up: it
#: costs ~0.4 s with the client stack behind it, issue 6).
STATES = ("queued", "connecting", "thinking", "streaming", "complete", "interrupted", "error")
FINAL_STATES = ("complete", "interrupted", "error")


@dataclass
class HeaderInfo:
    """What the header shows (all plain text; nothing here is markup)."""

    title: str = ""
    profile: str = ""
    model: str = ""
    state: str | None = None  # one of STATES
    host: str = ""
    elapsed: float | None = None  # seconds since the reply started
    tokens_per_second: float | None = None
    error: str = ""
    fix_key: str = "F3"  # the key that opens the settings
    retry_key: str = "Ctrl+R"


def state_text(info: HeaderInfo, width: int = 40) -> str:
    """The reply-state part of the header (empty when there is nothing to say)."""
    state = info.state
    if state is None:
        return ""
    seconds = f" {info.elapsed:.0f}s" if info.elapsed is not None else ""
    if state in ("queued", "connecting"):
        host = f" to {info.host}" if info.host else ""
        return f"◌ connecting{host}…{seconds}"
    if state == "thinking":
        return f"◔ thinking…{seconds}"
    if state == "streaming":
        rate = f" · {info.tokens_per_second:.0f} tok/s" if info.tokens_per_second else ""
        return f"● streaming{seconds}{rate}"
    if state == "complete":
        rate = f" · {info.tokens_per_second:.0f} tok/s" if info.tokens_per_second else ""
        return f"✓ done{rate}"
    if state == "interrupted":
        return f"■ stopped · {info.retry_key} retries"
    # The whole message is on the reply itself; here a short reason and the key.
    fix = f" · {info.fix_key} settings" + (f" · {info.retry_key} retry" if width >= 50 else "")
    reason = one_line(info.error, max(12, width - len(fix) - 2)) if info.error else "error"
    return f"✗ {reason}{fix}"


class StatusHeader(Horizontal):
    """Title on the left; profile, model and reply state on the right."""

    DEFAULT_CSS = """
    StatusHeader { height: 1; width: 1fr; background: $panel; padding: 0 1; }
    StatusHeader #header-title {
        width: 1fr; text-style: bold; color: $text; text-wrap: nowrap; text-overflow: ellipsis;
    }
    StatusHeader #header-where { width: auto; margin-left: 1; color: $text-muted; }
    StatusHeader #header-state { width: auto; margin-left: 2; color: $text; }
    StatusHeader.-error #header-state { color: $error; }
    StatusHeader.-busy #header-state { color: $accent; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.info = HeaderInfo()
        self._title = Label(id="header-title")
        self._where = Label(id="header-where")
        self._state = Label(id="header-state")
        # Which reply the elapsed time belongs to, and when it was first seen.
        self._started: tuple[str, float] | None = None
        self.clock = time.monotonic  # replaced by tests for fixed elapsed times

    def compose(self) -> ComposeResult:
        yield self._title
        yield self._where
        yield self._state

    def on_resize(self) -> None:
        self._redraw()

    def show(self, info: HeaderInfo) -> None:
        """Show ``info`` (title, where, state)."""
        self.info = info
        self._redraw()

    def _redraw(self) -> None:
        info = self.info
        width = self.size.width or 80
        state = state_text(info, max(30, width * 2 // 5))
        where = " · ".join(part for part in (info.profile, info.model) if part)
        # The title gets what is left; the state never goes, the model name shortens.
        room_for_where = max(0, width - len(state) - 3 - 10)
        if len(where) > room_for_where:
            where = where[: max(0, room_for_where - 1)] + "…" if room_for_where > 1 else ""
        self._title.update(Content(one_line(info.title, 200)))
        self._where.update(Content(where))
        self._state.update(Content(state))
        self._state.display = bool(state)
        self.set_class(info.state == "error", "-error")
        busy = info.state is not None and info.state not in FINAL_STATES
        self.set_class(busy, "-busy")

    def follow(self, live: object | None, message_id: str | None, status: str | None) -> None:
        """Take the reply state from ``live`` (the running reply of the shown
        conversation, or None) and, when nothing runs, from the last reply's saved
        ``status``; ``message_id`` identifies the reply for the elapsed time."""
        info = self.info
        info.elapsed = info.tokens_per_second = None
        info.host = ""
        if live is None:
            self._started = None
            info.state = status if status in FINAL_STATES else None
            self._redraw()
            return
        now = self.clock()
        if self._started is None or self._started[0] != message_id:
            self._started = (message_id or "", now)
        info.elapsed = now - self._started[1]
        state = getattr(getattr(live, "state", None), "value", None)
        if state not in STATES:  # a reply object without states: text or not yet
            state = "streaming" if getattr(live, "shown", "") else "connecting"
        info.state = state
        info.host = str(getattr(live, "host", "") or "")
        usage = getattr(live, "usage", None)
        tokens = getattr(usage, "completion_tokens", None)
        if tokens and info.elapsed:
            info.tokens_per_second = tokens / info.elapsed
        self._redraw()

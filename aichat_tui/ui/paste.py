"""Bracketed pastes as ONE event, in order, whatever they hold.

Textual's terminal parser reads a paste character by character, and an ESC
inside it starts an escape-sequence search: what follows the ESC is replayed as
key presses (out of order, ahead of the paste), and a large paste full of
escape sequences became hundreds of thousands of key events (the app froze for
minutes). This parser takes everything between the paste markers aside with
``str.find``, before Textual's parser sees it, and emits a single
``events.Paste`` holding the text with control sequences stripped. Everything
outside a paste goes to Textual's parser unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual import constants, events
from textual.message import Message

from aichat_tui.sanitize import strip_control
from aichat_tui.ui.textual_compat import (
    BRACKETED_PASTE_END,
    BRACKETED_PASTE_START,
    XTermParser,
    expire_parser_timeout,
    get_time,
    install_input_parser,
    parser_timeout_pending,
)


def clean_paste(text: str) -> str:
    """Pasted text as inserted: no NUL, no control sequences, LF line ends."""
    return strip_control(text.replace("\x00", ""))


def _marker_prefix_at_end(text: str, marker: str) -> int:
    """Length of the longest proper prefix of ``marker`` that ``text`` ends with."""
    for size in range(min(len(marker) - 1, len(text)), 0, -1):
        if text.endswith(marker[:size]):
            return size
    return 0


class PasteParser(XTermParser):
    """Textual's parser, with bracketed pastes taken out whole before it parses."""

    def __init__(self, debug: bool = False) -> None:
        super().__init__(debug)
        self._held = ""  # a possible start/end marker cut by a read boundary
        self._held_since = 0.0
        self._paste: list[str] | None = None  # the paste being received

    def feed(self, data: str) -> Iterable[Message]:
        """Parse ``data``; an empty string means end of input."""
        if not data:
            if self._paste is not None:
                yield events.Paste(clean_paste("".join(self._paste) + self._held))
                self._paste, self._held = None, ""
            if self._held:
                yield from super().feed(self._held)
                self._held = ""
            yield from super().feed("")
            return
        text, self._held = self._held + data, ""
        while text:
            if self._paste is not None:
                end = text.find(BRACKETED_PASTE_END)
                if end < 0:
                    keep = _marker_prefix_at_end(text, BRACKETED_PASTE_END)
                    self._paste.append(text[: len(text) - keep])
                    self._held = text[len(text) - keep :]
                    return
                self._paste.append(text[:end])
                text = text[end + len(BRACKETED_PASTE_END) :]
                pasted, self._paste = "".join(self._paste), None
                yield events.Paste(clean_paste(pasted))
                continue
            start = text.find(BRACKETED_PASTE_START)
            if start < 0:
                keep = _marker_prefix_at_end(text, BRACKETED_PASTE_START)
                if len(text) > keep:
                    yield from super().feed(text[: len(text) - keep])
                if keep:
                    self._held = text[len(text) - keep :]
                    self._held_since = get_time()
                return
            if start:
                yield from super().feed(text[:start])
            # A key sequence begun before the paste ends before it (keeps the order).
            if parser_timeout_pending(self):
                expire_parser_timeout(self)
                yield from super().tick()
            self._paste = []
            text = text[start + len(BRACKETED_PASTE_START) :]

    def tick(self) -> Iterable[Message]:
        """Called at intervals: deliver a held ESC… that turned out not to start a paste."""
        if (
            self._paste is None
            and self._held
            and get_time() - self._held_since >= constants.ESCAPE_DELAY
        ):
            held, self._held = self._held, ""
            yield from super().feed(held)
            # It already waited the escape delay here; don't make it wait twice.
            expire_parser_timeout(self)
        yield from super().tick()


def install_paste_parser() -> None:
    """Use :class:`PasteParser` for the terminal's input (Linux and macOS driver)."""
    install_input_parser(PasteParser)

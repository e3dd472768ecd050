"""Every use of Textual's private API, in one place (Textual is pinned below 9).

Textual has no public hook for these; each one is smoke-tested in
tests/ui/test_textual_compat.py, so a Textual upgrade that removes or renames
one fails that test loudly instead of misbehaving at run time.
"""

from __future__ import annotations

from typing import Any

# The terminal input parser (private module); the paste-safe parser subclasses it.
from textual._xterm_parser import XTermParser
from textual.app import App
from textual.drivers import linux_driver

BRACKETED_PASTE_START = "\x1b[200~"
BRACKETED_PASTE_END = "\x1b[201~"


def install_input_parser(parser_class: type[XTermParser]) -> None:
    """Make the Linux/macOS terminal driver parse its input with ``parser_class``.

    ``LinuxDriver.run_input_thread`` builds ``XTermParser(debug)`` by its module-level
    name; there is no constructor argument for it. Idempotent.
    """
    linux_driver.XTermParser = parser_class  # type: ignore[misc]


def parser_timeout_pending(parser: XTermParser) -> bool:
    """True while the parser waits, with a timeout, for the rest of an escape sequence."""
    return parser._timeout_time is not None


def expire_parser_timeout(parser: XTermParser) -> None:
    """Make the parser's pending escape-sequence timeout due now (see ``Parser.tick``)."""
    from textual._time import get_time

    if parser._timeout_time is not None:
        parser._timeout_time = get_time()


def drop_queued_callbacks(app: App[Any], keep: int) -> bool:
    """Drop the app's ``call_next`` callbacks queued after the first ``keep``.

    Returns False (nothing done) if this Textual keeps them elsewhere.
    """
    callbacks = getattr(app, "_next_callbacks", None)
    if not isinstance(callbacks, list):
        return False
    del callbacks[keep:]
    return True


def queued_callback_count(app: App[Any]) -> int | None:
    """How many ``call_next`` callbacks are queued, or None on an unknown Textual."""
    callbacks = getattr(app, "_next_callbacks", None)
    return len(callbacks) if isinstance(callbacks, list) else None

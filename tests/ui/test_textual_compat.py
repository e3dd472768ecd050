"""Smoke tests of every private Textual API the app relies on (ui/textual_compat.py).

Each fails loudly when a Textual upgrade removes or changes what the app reaches into.
"""

from __future__ import annotations

import inspect

from textual.drivers import linux_driver

from aichat_tui.ui import textual_compat as compat


def test_linux_driver_builds_its_parser_by_module_name():
    source = inspect.getsource(linux_driver.LinuxDriver.run_input_thread)
    assert "XTermParser(" in source
    assert hasattr(linux_driver, "XTermParser")
    assert issubclass(linux_driver.XTermParser, compat.XTermParser)


def test_parser_timeout_is_where_the_compat_layer_looks():
    parser = compat.XTermParser()
    assert not compat.parser_timeout_pending(parser)
    list(parser.feed("\x1b"))  # an ESC: the parser now waits for the rest, with a timeout
    assert compat.parser_timeout_pending(parser)
    compat.expire_parser_timeout(parser)
    assert [e.key for e in parser.tick()] == ["escape"]


def test_paste_markers_are_textuals():
    from textual import _xterm_parser

    assert _xterm_parser.BRACKETED_PASTE_START == compat.BRACKETED_PASTE_START
    assert _xterm_parser.BRACKETED_PASTE_END == compat.BRACKETED_PASTE_END

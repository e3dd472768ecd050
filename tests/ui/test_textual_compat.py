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


def test_queued_callbacks_are_a_list_the_app_keeps():
    from textual.app import App

    app = App()
    count = compat.queued_callback_count(app)
    assert count is not None, "App._next_callbacks is gone: _select_initial_theme re-parses"
    app.call_next(lambda: None)
    assert compat.queued_callback_count(app) == count + 1
    assert compat.drop_queued_callbacks(app, count)
    assert compat.queued_callback_count(app) == count


def test_exit_hooks_exist():
    from textual.app import App

    app = App()
    assert isinstance(app._exit_renderables, list)
    assert callable(app._close_messages_no_wait)


async def test_keymap_binding_chain_and_own_bindings():
    from textual.app import App
    from textual.binding import Binding
    from textual.widgets import Input

    class Small(App):
        BINDINGS = [Binding("ctrl+t", "bell", "Bell", id="small.bell")]

        def compose(self):
            yield Input()

    app = Small()
    async with app.run_test() as pilot:
        app.set_keymap({"small.bell": "f7"})
        await pilot.pause()
        assert compat.app_keymap(app) == {"small.bell": "f7"}
        chain = compat.binding_chain(app.screen)
        assert chain and chain[0][0] is app.focused
        keys = {key for node, bindings in chain if node is app for key, _ in bindings}
        assert "f7" in keys  # the keymap is applied in the chain
        own = [binding.id for _, binding in compat.own_bindings(app)]
        assert "small.bell" in own


async def test_markdown_block_internals():
    from textual.app import App
    from textual.widgets import Markdown

    seen = {}

    class Probe(Markdown):
        def _parse_markdown(self, tokens):  # the hook ReplyMarkdown overrides
            blocks = list(super()._parse_markdown(tokens))
            seen["blocks"] = blocks
            # Children are there until the block is composed (then Textual clears them).
            seen["items"] = [list(compat.block_children(b)) for b in blocks]
            seen["table"] = compat.table_headers_and_rows(blocks[2])
            return blocks

    class MarkdownApp(App):
        def compose(self):
            yield Probe("para *one*\n\n- a\n- b\n\n| h1 | h2 |\n|---|---|\n| x | y |\n")

    async with MarkdownApp().run_test() as pilot:
        await pilot.pause()
    paragraph, listing, table = seen["blocks"]
    assert isinstance(paragraph, compat.MarkdownParagraph)
    assert compat.block_content(paragraph).plain == "para one"
    assert compat.block_token(paragraph).type == "paragraph_open"
    assert isinstance(listing, compat.MarkdownList)
    items = seen["items"][1]
    assert all(isinstance(item, compat.MarkdownListItem) for item in items) and len(items) == 2
    assert isinstance(table, compat.MarkdownTable)
    headers, rows = seen["table"]
    assert [h.plain for h in headers] == ["h1", "h2"]
    assert [[c.plain for c in row] for row in rows] == [["x", "y"]]
    assert hasattr(compat.MarkdownOrderedList, "compose")
    assert callable(compat.MarkdownBlock._update_from_block)


def test_widget_handlers_the_composer_overrides():
    from textual.widgets import TextArea

    # Composer._on_key / _on_paste run first and stop these (prevent_default).
    assert "_on_key" in TextArea.__dict__
    assert "_on_paste" in TextArea.__dict__


PRIVATE_ATTRIBUTES = {
    "_next_callbacks",
    "_close_messages_no_wait",
    "_exit_renderables",
    "_binding_chain",
    "_keymap",
    "_bindings",
    "_blocks",
    "_token",
    "_content",
    "_get_headers_and_rows",
    "_timeout_time",
    "_compositor",
}


GENERIC_NAMES = {"_bindings", "_blocks", "_token", "_content"}


async def test_footer_key_class_and_readiness():
    from textual.app import App, ComposeResult
    from textual.widgets import Footer

    class Host(App[None]):
        BINDINGS = [("ctrl+q", "quit", "Quit")]

        def compose(self) -> ComposeResult:
            yield Footer()

    app = Host()
    async with app.run_test() as pilot:
        await pilot.pause()
        footer = app.query_one(Footer)
        assert compat.footer_bindings_ready(footer)
        assert app.query(compat.footer_key_class())


def test_private_api_only_in_the_compat_module():
    """No other module imports a private Textual module or reaches for a known
    private attribute (the overridden hooks _parse_markdown, _update_from_block,
    _on_key and _on_paste are smoke-tested above)."""
    import ast
    from pathlib import Path

    package = Path(compat.__file__).resolve().parents[1]
    problems = []
    for path in package.rglob("*.py"):
        if path.name == "textual_compat.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                parts = name.split(".")
                if parts[0] == "textual" and any(p.startswith("_") for p in parts[1:]):
                    problems.append(f"{path.name}:{node.lineno}: import {name}")
            if isinstance(node, ast.Attribute) and node.attr in PRIVATE_ATTRIBUTES:
                on_self = isinstance(node.value, ast.Name) and node.value.id == "self"
                # A class's own _content or _token is its business; Textual's are not.
                if not (on_self and node.attr in GENERIC_NAMES):
                    problems.append(f"{path.name}:{node.lineno}: .{node.attr}")
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "getattr"
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
                and node.args[1].value in PRIVATE_ATTRIBUTES
            ):
                problems.append(f"{path.name}:{node.lineno}: getattr {node.args[1].value}")
    assert problems == []

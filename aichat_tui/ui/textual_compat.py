"""Every use of Textual's private API, in one place (Textual is pinned below 9).

Textual has no public hook for these; each one is smoke-tested in
tests/ui/test_textual_compat.py, so a Textual upgrade that removes or renames
one fails that test loudly instead of misbehaving at run time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

# The terminal input parser (private module); the paste-safe parser subclasses it.
from textual._time import get_time
from textual._xterm_parser import XTermParser
from textual.app import App
from textual.drivers import linux_driver

if TYPE_CHECKING:
    from markdown_it.token import Token
    from textual.binding import BindingsMap
    from textual.content import Content
    from textual.dom import DOMNode
    from textual.screen import Screen
    from textual.widgets._markdown import MarkdownBlock, MarkdownTable

# Markdown's block widgets live in a private module; compact.py subclasses them.
# Imported on first use (markdown-it and friends cost start-up time, issue 6).
_MARKDOWN_NAMES = (
    "MarkdownBlock",
    "MarkdownList",
    "MarkdownListItem",
    "MarkdownOrderedList",
    "MarkdownParagraph",
    "MarkdownTable",
)


def __getattr__(name: str) -> Any:
    """``MarkdownBlock`` and friends from ``textual.widgets._markdown``, on first use."""
    if name in _MARKDOWN_NAMES:
        from textual.widgets import _markdown

        return getattr(_markdown, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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


# -- app exit and keys ---------------------------------------------------------------


def exit_with_report(app: App[Any], renderable: object) -> None:
    """Exit now, printing ``renderable`` after the app's screen is gone.

    What ``App._fatal_error`` does, minus its traceback with local variables
    (they hold secrets).
    """
    app._exit_renderables.append(renderable)
    app._close_messages_no_wait()


def app_keymap(app: App[Any]) -> dict[str, str]:
    """The keymap set with ``App.set_keymap`` (binding id -> keys); {} if unknown."""
    keymap = getattr(app, "_keymap", None)
    return dict(keymap) if isinstance(keymap, dict) else {}


def binding_chain(screen: Screen[Any]) -> list[tuple[DOMNode, BindingsMap]]:
    """The bindings as Textual resolves them from the focus out (keymap applied)."""
    return list(screen._binding_chain)


def own_bindings(node: DOMNode) -> BindingsMap:
    """A node's own bindings (its BINDINGS, keymap not applied)."""
    return node._bindings


# -- the footer (textual.widgets._footer) ----------------------------------------------


def footer_key_class() -> type[Any]:
    """The widget the Footer shows one key with (exported by no public module)."""
    from textual.widgets._footer import FooterKey

    return FooterKey


def footer_bindings_ready(footer: Any) -> bool:
    """Whether the Footer has been told the screen's bindings (it composes nothing before)."""
    return bool(getattr(footer, "_bindings_ready", False))


# -- Markdown blocks (textual.widgets._markdown) ---------------------------------------


def block_children(block: MarkdownBlock) -> list[MarkdownBlock]:
    """The child blocks a Markdown block holds before it is composed."""
    return block._blocks


def set_block_children(block: MarkdownBlock, children: list[MarkdownBlock]) -> None:
    """Replace the child blocks a Markdown block will compose."""
    block._blocks = children


def block_token(block: MarkdownBlock) -> Token:
    """The markdown-it token a block was made from (to build a block like it)."""
    return block._token


def block_content(block: MarkdownBlock) -> Content:
    """The inline content of a block (a paragraph's text)."""
    return block._content


def table_headers_and_rows(table: MarkdownTable) -> tuple[list[Content], list[list[Content]]]:
    """A Markdown table's header cells and rows."""
    return table._get_headers_and_rows()


async def update_block(block: MarkdownBlock, source: MarkdownBlock) -> None:
    """Textual's own in-place update of ``block`` from a newly parsed ``source``."""
    from textual.widgets._markdown import MarkdownBlock

    await MarkdownBlock._update_from_block(block, source)

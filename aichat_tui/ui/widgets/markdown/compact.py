"""Compact Markdown blocks for replies: a whole list, or a whole table, is one widget.

Textual's ``Markdown`` mounts four widgets per list item (a row, the bullet, a column,
the paragraph) and one per table cell. Every widget costs mount time and a share of
every later layout pass, so a streamed 20,000-character reply with ordinary lists and
tables cost seconds of CPU (tests/perf measures it). These blocks keep Markdown's
parser, its inline styles and its link actions (``link(href)`` posts
``Markdown.LinkClicked`` from the owning Markdown, so links still need the app's
confirmation), but draw each list or table as a single widget. Lists keep a hanging
indent; table columns are aligned, a long cell is cut with an ellipsis.

Lists holding something other than paragraphs and nested lists (a code block in a
list item, for example) keep Textual's own widgets.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import ComposeResult
from textual.content import Content
from textual.geometry import Size
from textual.widgets import Markdown

from aichat_tui.ui.textual_compat import (
    MarkdownBlock,
    MarkdownList,
    MarkdownListItem,
    MarkdownOrderedList,
    MarkdownParagraph,
    MarkdownTable,
    block_children,
    block_content,
    block_token,
    set_block_children,
    table_headers_and_rows,
    update_block,
)

MAX_COLUMN = 40  # cells wider than this are cut with an ellipsis
MARKER_STYLE = "$text-primary"

# One list line: (indent in cells, marker, text). The marker is "" on a continuation
# paragraph of an item; its width is still reserved so the text lines up.
ListRow = tuple[int, str, Content]


def _list_rows(block: MarkdownList, indent: int) -> list[ListRow] | None:
    """The rows of a list and its nested lists; None if it holds other blocks."""
    items = [b for b in block_children(block) if isinstance(b, MarkdownListItem)]
    ordered = isinstance(block, MarkdownOrderedList)
    start = 1
    if ordered and items:
        try:
            start = int(items[0].bullet)
        except ValueError:
            start = 1
    width = len(f"{start + len(items) - 1}. ")
    rows: list[ListRow] = []
    for number, item in enumerate(items, start):
        marker = f"{number}. ".rjust(width) if ordered else item.bullet
        first = True
        for child in block_children(item):
            if isinstance(child, MarkdownParagraph):
                rows.append((indent, marker if first else " " * len(marker), block_content(child)))
            elif isinstance(child, MarkdownList):
                if first:
                    rows.append((indent, marker, Content("")))
                nested = _list_rows(child, indent + len(marker))
                if nested is None:
                    return None
                rows.extend(nested)
            else:
                return None
            first = False
    return rows


class CompactList(MarkdownBlock):
    """A bullet or numbered list (with nested lists) drawn as one widget."""

    DEFAULT_CSS = """
    CompactList {
        width: 1fr;
        height: auto;
        margin: 0 0 1 0;
    }
    MarkdownList CompactList, CompactList CompactList {
        margin: 0;
    }
    """

    def __init__(self, markdown: Markdown, original: MarkdownList, rows: list[ListRow]) -> None:
        super().__init__(markdown, block_token(original), original.source_range)
        self._rows = rows
        self._wrapped: tuple[int, Content, int] | None = None  # width, lines, count
        self.set_content(Content("\n").join(row[2] for row in rows))

    def compose(self) -> ComposeResult:
        """No children: the whole list is this widget's content."""
        return []

    def _lines(self, width: int) -> tuple[Content, int]:
        """The list wrapped at ``width`` with a hanging indent, and its line count
        (cached per width)."""
        if self._wrapped is not None and self._wrapped[0] == width:
            return self._wrapped[1], self._wrapped[2]
        lines: list[Content] = []
        for indent, marker, text in self._rows:
            lead = indent + len(marker)
            pieces = text.wrap(max(8, width - lead)) if text else [Content("")]
            for index, piece in enumerate(pieces):
                prefix = " " * indent + (marker if index == 0 else " " * len(marker))
                lines.append(Content.assemble((prefix, MARKER_STYLE), piece))
        content = Content("\n").join(lines)
        self._wrapped = (width, content, len(lines))
        return content, len(lines)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """One line per wrapped line."""
        return self._lines(width)[1]

    def render(self) -> Content:
        """The wrapped list for the current width."""
        return self._lines(self.content_size.width or 80)[0]

    async def _update_from_block(self, block: MarkdownBlock) -> None:
        # While a reply streams, the last list grows: redraw it in place.
        if isinstance(block, CompactList):
            self.source_range = block.source_range
            self._rows = block._rows
            self._wrapped = None
            self.set_content(block_content(block))
        else:
            await super()._update_from_block(block)


def table_content(headers: list[Content], rows: list[list[Content]]) -> Content:
    """Aligned columns, a rule under the header; cells cut at MAX_COLUMN cells."""
    columns = max([len(headers), *(len(row) for row in rows)])
    widths = [1] * columns
    for row in [headers, *rows]:
        for index, cell in enumerate(row):
            widths[index] = min(max(widths[index], cell.cell_length), MAX_COLUMN)

    def line(row: list[Content], header: bool) -> Content:
        cells: list[Content] = []
        for index, width in enumerate(widths):
            cell = row[index] if index < len(row) else Content("")
            if cell.cell_length > width:
                cell = cell.truncate(width, ellipsis=True)
            cell = cell.pad_right(width - cell.cell_length)
            cells.append(cell.stylize("bold " + MARKER_STYLE) if header else cell)
        return Content(" │ ").join(cells)

    rule = Content("─┼─".join("─" * width for width in widths)).stylize("$foreground 40%")
    return Content("\n").join([line(headers, True), rule, *(line(row, False) for row in rows)])


class CompactTable(MarkdownTable):
    """A table drawn as one widget (no widget per cell)."""

    DEFAULT_CSS = """
    CompactTable {
        width: 1fr;
        height: auto;
        margin: 0 0 1 0;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(self, markdown: Markdown, original: MarkdownTable) -> None:
        super().__init__(markdown, block_token(original), original.source_range)
        set_block_children(self, block_children(original))
        self._headers, self._rows = table_headers_and_rows(self)
        set_block_children(self, [])
        self.set_content(table_content(self._headers, self._rows))

    def compose(self) -> ComposeResult:
        """No children: the whole table is this widget's content."""
        return []

    async def _update_from_block(self, block: MarkdownBlock) -> None:
        # While a reply streams, the last table grows row by row: redraw in place.
        if isinstance(block, CompactTable):
            self.source_range = block.source_range
            self._headers, self._rows = block._headers, block._rows
            self.set_content(block_content(block))
        else:
            await update_block(self, block)


def compact(markdown: Markdown, block: MarkdownBlock) -> MarkdownBlock:
    """The compact form of a top-level block, or the block itself."""
    if isinstance(block, MarkdownTable) and not isinstance(block, CompactTable):
        return CompactTable(markdown, block)
    if isinstance(block, MarkdownList):
        rows = _list_rows(block, 0)
        if rows is not None:
            return CompactList(markdown, block, rows)
    return block


def compact_blocks(markdown: Markdown, blocks: Iterable[MarkdownBlock]) -> Iterable[MarkdownBlock]:
    """``Markdown._parse_markdown`` output with lists and tables made compact."""
    for block in blocks:
        yield compact(markdown, block)

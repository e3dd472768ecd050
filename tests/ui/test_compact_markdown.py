"""Compact Markdown blocks: a list or a table is one widget, links still post
Markdown.LinkClicked, streaming updates the last block in place."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Markdown
from textual.widgets._markdown import MarkdownBulletList, MarkdownFence

from aichat_tui.ui.widgets.markdown.compact import CompactList, CompactTable, compact_blocks

from .helpers import wait_until


class CompactMarkdown(Markdown):
    """A Markdown using the compact blocks (as the reply view does)."""

    def _parse_markdown(self, tokens):  # type: ignore[no-untyped-def]
        return compact_blocks(self, super()._parse_markdown(tokens))


class Holder(App[None]):
    """One compact Markdown in a scrolling pane; records link clicks."""

    def __init__(self, source: str) -> None:
        super().__init__()
        self.source = source
        self.clicked: list[str] = []

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield CompactMarkdown(self.source, open_links=False)

    def on_markdown_link_clicked(self, event: Markdown.LinkClicked) -> None:
        self.clicked.append(event.href)


def _text(widget: CompactList | CompactTable) -> str:
    return widget.render().plain


LISTS = """\
1. first [docs](https://docs.example/a) item
2. second item that is long enough to wrap around the narrow pane at least once or twice
   - nested one
   - nested two

- [bold]not markup[/] and [@click=app.quit]q[/]
"""


async def test_lists_are_one_widget_each_with_hanging_indent() -> None:
    app = Holder(LISTS)
    async with app.run_test(size=(40, 30)) as pilot:
        await wait_until(pilot, lambda: len(app.query(CompactList)) == 2, what="compact lists")
        ordered, bullets = app.query(CompactList)
        assert not app.query(MarkdownBulletList)
        lines = _text(ordered).splitlines()
        assert lines[0].startswith("1. first docs item")
        assert lines[1].startswith("2. second item")
        # Wrapped lines hang under the text, not under the number.
        assert lines[2].startswith("   ") and lines[2].strip()
        assert any(line.startswith("   • nested one") for line in lines)
        # Untrusted text is shown literally, never as markup or actions.
        assert "[bold]not markup[/]" in _text(bullets)
        assert "[@click=app.quit]q[/]" in _text(bullets)
        assert app.is_running


async def test_link_in_a_compact_list_posts_link_clicked() -> None:
    app = Holder(LISTS)
    async with app.run_test(size=(60, 30)) as pilot:
        await wait_until(pilot, lambda: len(app.query(CompactList)) == 2, what="compact lists")
        ordered = app.query(CompactList).first()
        column = _text(ordered).splitlines()[0].index("docs")
        await pilot.click(ordered, offset=(column + 1, 0))
        await wait_until(pilot, lambda: app.clicked, what="link click")
        assert app.clicked == ["https://docs.example/a"]


async def test_table_is_one_widget_with_aligned_columns() -> None:
    source = "| name | size |\n| --- | --- |\n| alpha | 1 |\n| b | " + "x" * 80 + " |\n"
    app = Holder(source)
    async with app.run_test(size=(80, 20)) as pilot:
        await wait_until(pilot, lambda: app.query(CompactTable), what="compact table")
        table = app.query_one(CompactTable)
        assert not table.children
        lines = _text(table).splitlines()
        assert lines[0].split("│")[0] == "name  "
        assert lines[2].split("│")[0] == "alpha "
        assert "…" in lines[3]  # a long cell is cut


async def test_list_with_code_keeps_textual_widgets() -> None:
    app = Holder("- item\n\n  ```\n  code\n  ```\n")
    async with app.run_test(size=(60, 20)) as pilot:
        await wait_until(pilot, lambda: app.query(MarkdownFence), what="fence")
        assert app.query(MarkdownBulletList)
        assert not app.query(CompactList)


async def test_streaming_updates_the_last_list_in_place() -> None:
    app = Holder("Intro\n\n- one\n")
    async with app.run_test(size=(60, 20)) as pilot:
        markdown = app.query_one(CompactMarkdown)
        await wait_until(pilot, lambda: app.query(CompactList), what="first list")
        first = app.query_one(CompactList)
        await markdown.append("- two\n")
        await markdown.append("- three\n\n| a | b |\n| - | - |\n| 1 | 2 |\n")
        await markdown.append("| 3 | 4 |\n")
        await wait_until(pilot, lambda: app.query(CompactTable), what="table")
        await pilot.pause()
        assert app.query_one(CompactList) is first
        assert [line[2:] for line in _text(first).splitlines()] == ["one", "two", "three"]
        assert _text(app.query_one(CompactTable)).splitlines()[-1].startswith("3 │ 4")
        assert markdown.source.endswith("| 3 | 4 |\n")

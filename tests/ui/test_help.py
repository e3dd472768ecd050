"""Help screen: lists the bindings in force with their ids and remapped keys."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Input, Static

from aichat_tui.ui.screens.help import HelpScreen, collect_bindings


class _Sidebar(Static, can_focus=True):
    BINDINGS = [Binding("delete", "noop", "Delete chat [/]", id="sidebar.delete")]

    def action_noop(self) -> None:
        """Nothing: only the listing matters here."""


class _HelpHost(App[None]):
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit"),
        Binding("f1", "help", "Help", id="app.help"),
        Binding("ctrl+n", "noop", "New chat", id="app.new_chat"),
    ]

    def compose(self) -> ComposeResult:
        yield _Sidebar("sidebar", id="sidebar")
        yield Input(id="composer")

    def action_noop(self) -> None:
        """Nothing: only the listing matters here."""

    def action_help(self) -> None:
        self.push_screen(HelpScreen(config_file=Path("/cfg/config.toml")))


def _rows(app: App[None]) -> list[list[str]]:
    """Key, action, binding id and the section heading (where the key works)."""
    table = app.screen.query_one(DataTable)
    rows = []
    heading = ""
    for row_key in table.rows:
        cells = table.get_row(row_key)
        assert all(isinstance(cell, Text) for cell in cells)  # never parsed as markup
        plain = [cell.plain for cell in cells]
        if plain[1:] == ["", ""]:
            heading = plain[0]
        else:
            rows.append([*plain, heading])
    return rows


async def test_help_lists_app_and_widget_bindings_with_ids_and_remapped_keys() -> None:
    app = _HelpHost()
    async with app.run_test(size=(100, 40)) as pilot:
        app.set_keymap({"app.new_chat": "ctrl+o", "config.test_connection": "f5"})
        app.query_one("#composer").focus()
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        rows = _rows(app)
        by_id = {row[2]: row for row in rows}
        assert by_id["app.new_chat"][0] == "ctrl+o"  # after the keymap
        assert by_id["app.quit"][0] == "ctrl+q"
        assert by_id["app.help"][1] == "Help"
        # A widget that is not focused still shows its remappable bindings.
        assert by_id["sidebar.delete"][1] == "Delete chat [/]"
        assert "sidebar" in by_id["sidebar.delete"][3]
        assert by_id["app.quit"][3] == "Everywhere"
        # The dialogs' bindings are listed too, so they can be found and remapped.
        assert by_id["config.save"][0] == "ctrl+s"
        assert by_id["config.test_connection"][0] == "f5"
        assert by_id["theme_picker.cancel"][3] == "Theme picker"
        remap = str(app.screen.query_one("#help-remap", Static).render())
        assert "/cfg/config.toml" in remap and "[keys]" in remap
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_remapped_key_actually_triggers_and_is_what_help_shows() -> None:
    app = _HelpHost()
    async with app.run_test() as pilot:
        app.set_keymap({"app.help": "f2"})
        await pilot.press("f1")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert {row[2]: row[0] for row in _rows(app)}["app.help"] == "f2"


async def test_collect_bindings_without_focus_includes_screen_and_app() -> None:
    app = _HelpHost()
    async with app.run_test() as pilot:
        app.screen.set_focus(None)
        await pilot.pause()
        ids = {row.binding_id for row in collect_bindings(app.screen)}
        assert {"app.quit", "app.help", "app.new_chat", "sidebar.delete"} <= ids


async def test_a_key_remapped_to_several_keys_is_listed_once_and_fits_80_columns() -> None:
    app = _HelpHost()
    async with app.run_test(size=(80, 24)) as pilot:
        app.set_keymap({"app.help": "f1,f10"})
        app.query_one("#composer").focus()
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        by_id = {row[2]: row for row in _rows(app)}
        assert by_id["app.help"][0] == "f1, f10"  # not "f1, f10, f1, f10"
        table = app.screen.query_one(DataTable)
        # Every column is inside the 80-column screen (nothing to scroll sideways to).
        assert table.virtual_size.width <= table.scrollable_content_region.width

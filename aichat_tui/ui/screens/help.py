"""Help screen: every key binding of the screen underneath, with its id and its key
after the user's keymap, and how to remap it in ``config.toml``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Static

from aichat_tui.ui.textual_compat import app_keymap, binding_chain, own_bindings

if TYPE_CHECKING:
    from textual.dom import DOMNode
    from textual.widgets.data_table import RowKey

__all__ = ["BindingRow", "HelpScreen", "collect_bindings", "dialog_bindings"]


@dataclass(frozen=True)
class BindingRow:
    """One line of the help table."""

    group: str
    keys: str
    description: str
    binding_id: str
    note: str = ""  # e.g. which focused widget's binding hides this key


#: What users call the places bindings live in (the help's section headings).
PLACES = {
    "Application": "Everywhere",
    "WorkspaceScreen": "Workspace",
    "Composer": "Composer",
    "Transcript": "Messages",
    "SessionList": "Sidebar",
    "ConfigScreen": "Settings",
    "SessionSettingsScreen": "Session settings",
    "ThemePicker": "Theme picker",
    "HelpScreen": "This help",
    "TrashScreen": "Trash",
}


def place_name(group: str) -> str:
    """The heading for a binding group (``Transcript (transcript)`` -> Messages)."""
    return PLACES.get(group.split(" (")[0], group)


def _group_name(node: DOMNode) -> str:
    if isinstance(node, App):
        return "Application"
    name = type(node).__name__
    return f"{name} ({node.id})" if node.id and not isinstance(node, Screen) else name


def dialog_bindings(keymap: dict[str, str]) -> list[BindingRow]:
    """The remappable bindings of the dialogs (settings, theme picker, help), which
    are not on screen while help is open but can be remapped all the same."""
    from aichat_tui.ui.screens.config import ConfigScreen
    from aichat_tui.ui.screens.session_settings import SessionSettingsScreen
    from aichat_tui.ui.screens.theme_picker import ThemePicker

    rows: list[BindingRow] = []
    for dialog in (ConfigScreen, SessionSettingsScreen, ThemePicker, HelpScreen):
        for binding in Binding.make_bindings(dialog.BINDINGS):
            if binding.id is not None:
                key = keymap.get(binding.id, binding.key)
                description = binding.description or binding.action
                rows.append(BindingRow(dialog.__name__, key, description, binding.id))
    return rows


def collect_bindings(screen: Screen) -> list[BindingRow]:
    """The bindings that apply on ``screen``: the focused widget's chain (as Textual
    resolves it, keymap applied), then every other widget's remappable bindings
    (those with an id), the screen's and the app's. Keys are shown after the keymap."""
    app = screen.app
    # Textual has no public API for "the keymap" or "the binding chain" (Footer and
    # the key panel use the same private attributes): see textual_compat.
    keymap = app_keymap(app)
    rows: dict[tuple[str, str], BindingRow] = {}
    # Keys already taken nearer the focus: a later (outer) binding on them never fires.
    taken: dict[str, tuple[DOMNode, Binding]] = {}

    def add(
        node: DOMNode, binding: Binding, *, only_with_id: bool, key: str = "", note: str = ""
    ) -> None:
        if binding.id is None and (only_with_id or not binding.show):
            return
        # In the resolved chain each key is its own binding (``key``); elsewhere a
        # binding holds its comma-separated keys, remapped or not.
        if not key:
            key = keymap.get(binding.id, binding.key) if binding.id else binding.key
        group = _group_name(node)
        identity = (group, binding.id or binding.action)
        previous = rows.get(identity)
        keys = [k.strip() for k in key.split(",") if k.strip()]
        if previous is not None:
            known = previous.keys.split(", ")
            keys = known + [k for k in keys if k not in known]
            note = previous.note or note
        description = binding.description or binding.action
        rows[identity] = BindingRow(group, ", ".join(keys), description, binding.id or "—", note)

    resolved = binding_chain(screen)  # keymap already applied to these copies
    chain = [node for node, _ in resolved]
    for node, bindings_map in resolved:
        for key, binding in bindings_map:
            note = ""
            holder = taken.get(key)
            if holder is not None and holder[0] is not node and not binding.priority:
                what = holder[1].description or holder[1].action
                note = f"{key} is taken by {_group_name(holder[0])}: {what}"
            add(node, binding, only_with_id=False, key=key, note=note)
        for key, binding in bindings_map:
            taken.setdefault(key, (node, binding))
    for node in screen.walk_children(with_self=True):
        if node not in chain:
            for _key, binding in own_bindings(node):
                add(node, binding, only_with_id=True)
    if app not in chain:
        for _key, binding in own_bindings(app):
            add(app, binding, only_with_id=True)
    return list(rows.values())


class HelpScreen(ModalScreen[None]):
    """Lists the bindings of the screen below it. ``config_file`` is shown so users
    know where to remap keys (defaults to ``app.paths.config_file`` when present)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="help.close"),
    ]

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen #help-box {
        width: 90%; min-width: 78; height: 90%; border: round $primary; background: $surface;
        padding: 0 1;
    }
    HelpScreen DataTable { height: 1fr; }
    HelpScreen #help-remap { height: auto; color: $text-muted; margin-top: 1; }
    HelpScreen #help-note { height: auto; color: $warning; }
    """

    def __init__(self, config_file: Path | str | None = None) -> None:
        super().__init__()
        self._config_file = config_file
        self._notes: dict[RowKey, str] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static("Keys — Esc closes", markup=False)
            yield DataTable(id="help-table", cursor_type="row", zebra_stripes=True)
            note = Static("", id="help-note", markup=False)
            note.display = False
            yield note
            yield Static("", id="help-remap", markup=False)

    def on_mount(self) -> None:
        """Fill the table from the screen underneath."""
        stack = self.app.screen_stack
        below = stack[stack.index(self) - 1] if self in stack and stack.index(self) > 0 else None
        rows = collect_bindings(below) if below is not None else []
        shown_ids = {row.binding_id for row in rows}
        keymap = app_keymap(self.app)
        rows += [row for row in dialog_bindings(keymap) if row.binding_id not in shown_ids]
        table = self.query_one(DataTable)
        # Three columns fit 80 columns; where a key works is a section heading.
        table.add_columns("Key", "Action", "Binding id")
        heading = None
        for row in sorted(rows, key=lambda r: (r.group != "Application", r.group)):
            place = place_name(row.group)
            if place != heading:
                heading = place
                table.add_row(Text(place, style="bold"), Text(""), Text(""))
            # Text(), not str: DataTable parses str cells as markup.
            keys = Text(row.keys + (" *" if row.note else ""))
            key = table.add_row(keys, Text(row.description), Text(row.binding_id))
            if row.note:
                self._notes[key] = f"* {row.keys}: {row.note}"
        config_file = self._config_file
        if config_file is None:
            paths = getattr(self.app, "paths", None)
            config_file = getattr(paths, "config_file", None)
        where = str(config_file) if config_file else "config.toml"
        if getattr(self.app, "demo", False):
            # The demo's config is a temporary file, gone when it quits: name yours.
            where = "your own config.toml (not this demo's temporary one)"
        self.query_one("#help-remap", Static).update(
            Content(
                f"Remap a key in {where}:\n"
                '[keys]\nbinding_id = "ctrl+x"      # several keys: "ctrl+x,f5"'
            )
        )
        table.focus()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Say why a row's key does nothing here (a widget nearer the focus takes it)."""
        note = self.query_one("#help-note", Static)
        note.update(Text(self._notes.get(event.row_key, "")))
        note.display = event.row_key in self._notes

    def action_close(self) -> None:
        """Close the help screen."""
        self.dismiss(None)

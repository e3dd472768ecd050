"""The key footer, in a stable order with Help first.

Textual's footer lists keys in the order of the binding chain, and a remapped
binding moves to the end of its widget's list; on a narrow screen (or in message
mode, with four more keys) what comes last is cut off: "f1 Help" went first, and
after a remap "New" could drop out (issue 12). Here the help key comes first and
the others keep the order their widget declares them in, remapped or not.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer

from aichat_tui.ui.textual_compat import footer_bindings_ready, footer_key_class

HELP_ACTIONS = ("help", "app.help")


def declared_order(node: Any) -> dict[str, int]:
    """Binding id -> its position in ``node``'s class declarations (base classes first)."""
    order: dict[str, int] = {}
    for cls in reversed(type(node).__mro__):
        for binding in Binding.make_bindings(cls.__dict__.get("BINDINGS", [])):
            if binding.id is not None and binding.id not in order:
                order[binding.id] = len(order)
    return order


def footer_order(
    entries: Iterable[tuple[Any, Binding, bool, str]],
) -> list[tuple[Binding, bool, str]]:
    """One entry per action (its first key), help first, then by widget (focused
    first) and by declaration order within a widget."""
    chain: list[Any] = []
    orders: dict[int, dict[str, int]] = {}
    first: dict[str, tuple[tuple[int, int, int], Binding, bool, str]] = {}
    for position, (node, binding, enabled, tooltip) in enumerate(entries):
        if not binding.show or binding.action in first:
            continue
        if node not in chain:
            chain.append(node)
            orders[id(node)] = declared_order(node)
        declared = orders[id(node)].get(binding.id or "", position)
        rank = -1 if binding.action in HELP_ACTIONS else chain.index(node)
        first[binding.action] = ((rank, declared, position), binding, enabled, tooltip)
    ranked = sorted(first.values(), key=lambda item: item[0])
    return [(binding, enabled, tooltip) for _, binding, enabled, tooltip in ranked]


class AppFooter(Footer):
    """Footer with the help key first and a stable key order, rebuilt only when what
    it shows changes."""

    _shown: tuple[object, ...] | None = None

    def _entries(self) -> tuple[list[tuple[Binding, bool, str]], tuple[object, ...]]:
        active = self.screen.active_bindings
        entries = footer_order(active.values())
        palette = active.get(self.app.COMMAND_PALETTE_BINDING)
        shown = tuple((b.key, b.description, b.action, e, t) for b, e, t in entries)
        return entries, (*shown, palette[1].key if palette else None, self.app.app_focus)

    def bindings_changed(self, screen: Any) -> None:
        # Moving the focus from one message to the next changes the binding chain
        # (another widget) but not the keys: rebuilding the footer then cost ~0.1 s
        # of CPU per j/k press (issue 12).
        ready = footer_bindings_ready(self) and self.is_attached and screen is self.screen
        if ready and self._entries()[1] == self._shown:
            return
        super().bindings_changed(screen)

    def compose(self) -> ComposeResult:
        if not footer_bindings_ready(self):
            return
        footer_key = footer_key_class()
        active = self.screen.active_bindings
        entries, self._shown = self._entries()
        self.styles.grid_size_columns = len(entries)
        for binding, enabled, tooltip in entries:
            yield footer_key(
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                disabled=not enabled,
                tooltip=tooltip,
            ).data_bind(compact=Footer.compact)
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            palette = active.get(self.app.COMMAND_PALETTE_BINDING)
            if palette is not None:
                _node, binding, enabled, _tooltip = palette
                yield footer_key(
                    binding.key,
                    self.app.get_key_display(binding),
                    binding.description,
                    binding.action,
                    classes="-command-palette",
                    disabled=not enabled,
                    tooltip=binding.tooltip or binding.description,
                )

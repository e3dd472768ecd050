"""The config screen: profiles (list + form), connection test, model list, save.

``ConfigScreen(settings, paths)`` edits a working copy of the profiles and dismisses
with a new ``Settings`` (the app saves it with ``store.save_settings`` and applies it)
or ``None`` when cancelled. Secrets are never prefilled; an empty secret field keeps
the stored value (see ``config_form.build_profile``).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import urlsplit

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from aichat_tui.client import ChatClient
from aichat_tui.models import Profile, Settings
from aichat_tui.sanitize import one_line, scrub
from aichat_tui.ui.screens.config_fields import STALE_ON_CHANGE, ProfileFields
from aichat_tui.ui.screens.config_form import build_profile, describe_error, fetch_models
from aichat_tui.ui.text import count_of

if TYPE_CHECKING:
    from aichat_tui.store import Paths

__all__ = ["ConfigScreen"]


def _copy(profile: Profile, **changes: object) -> Profile:
    """A profile copy that shares no mutable state (cookies) with the original."""
    return dataclasses.replace(profile, cookies=dict(profile.cookies), **changes)


def _unique(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


class ConfigScreen(ModalScreen[Settings | None]):
    """Edit profiles; dismisses with the new ``Settings`` or ``None``."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="config.save"),
        Binding("escape", "cancel", "Cancel", id="config.cancel"),
        Binding("ctrl+t", "test_connection", "Test connection", id="config.test_connection"),
        Binding("ctrl+l", "load_models", "Load models", id="config.load_models"),
    ]

    DEFAULT_CSS = """
    ConfigScreen { align: center middle; }
    ConfigScreen #config-root {
        width: 96%; height: 94%; border: round $primary; background: $surface;
    }
    ConfigScreen #config-title { padding: 0 1; color: $text-muted; }
    ConfigScreen #profiles-pane { width: 30; height: 1fr; padding: 0 1; }
    ConfigScreen #profile-list { height: 1fr; }
    ConfigScreen #profiles-pane Button { width: 100%; margin-top: 1; }
    ConfigScreen #status { height: auto; max-height: 4; padding: 0 1; }
    ConfigScreen #status.-error { color: $error; }
    ConfigScreen #status.-ok { color: $success; }
    ConfigScreen #actions { height: auto; align-horizontal: right; padding: 0 1; }
    ConfigScreen #actions Button { margin-left: 1; }
    ConfigScreen #no-profile { padding: 1 2; }
    """

    def __init__(self, settings: Settings, paths: Paths | None = None) -> None:
        super().__init__()
        self._settings = settings
        self._paths = paths
        self._profiles: dict[str, Profile] = {
            name: _copy(profile) for name, profile in settings.profiles.items()
        }
        default = settings.default_profile
        self._default: str | None = default if default in self._profiles else None
        self._current: str | None = None
        self._pending_delete: str | None = None
        self._pending_discard = False
        self._status_is_result = False

    # ----------------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        with Vertical(id="config-root"):
            where = self._paths.config_file if self._paths else "config.toml"
            yield Static(
                Content(
                    f"Settings — saved to {where}\n"
                    "Ctrl+S save · Esc cancel · Ctrl+T test connection · Ctrl+L load models"
                ),
                id="config-title",
            )
            with Horizontal():
                with Vertical(id="profiles-pane"):
                    yield OptionList(id="profile-list")
                    yield Button("Add profile", id="add", compact=True)
                    yield Button("Duplicate", id="duplicate", compact=True)
                    yield Button("Set as default", id="set-default", compact=True)
                    yield Button("Delete", id="delete", variant="error", compact=True)
                yield ProfileFields(id="fields")
                yield Static("No profiles yet: press “Add profile”.", id="no-profile", markup=False)
            yield Static("", id="status", markup=False)
            with Horizontal(id="actions"):
                yield Button("Test connection", id="test")
                yield Button("Load models", id="models")
                yield Button("Save", id="save", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        """Show the default profile (or the first one)."""
        first = self._default or next(iter(self._profiles), None)
        self._refresh_list()
        self._open(first)

    # ------------------------------------------------------------ list state
    @property
    def fields(self) -> ProfileFields:
        """The profile form."""
        return self.query_one(ProfileFields)

    def _refresh_list(self) -> None:
        options = self.query_one("#profile-list", OptionList)
        options.clear_options()
        for name in self._profiles:
            label = one_line(name, 60) + ("  (default)" if name == self._default else "")
            options.add_option(Option(Content(label)))
        if self._current in self._profiles:
            options.highlighted = list(self._profiles).index(self._current)

    def _open(self, name: str | None) -> None:
        """Show profile ``name`` in the form (or the empty state)."""
        self._current = name
        self._pending_delete = None
        has_profile = name is not None
        self.fields.display = has_profile
        self.query_one("#no-profile").display = not has_profile
        for button in ("duplicate", "set-default", "delete", "test", "models"):
            self.query_one(f"#{button}", Button).disabled = not has_profile
        self.query_one("#delete", Button).label = "Delete"
        self._refresh_list()
        if name is not None:
            profile = self._profiles[name]
            self.fields.load(profile)
            if profile.kind == "openai":
                self.action_load_models()

    def _form_profile(self) -> Profile | None:
        """The profile the form describes, or None (errors shown inline)."""
        if self._current is None:
            return None
        taken = set(self._profiles) - {self._current}
        profile, errors = build_profile(self.fields.read(), self._profiles[self._current], taken)
        self.fields.show_errors(errors)
        if errors:
            self._status("Fix the marked fields.", error=True)
        return profile

    def _commit(self) -> bool:
        """Store the form into the working copy. False if it has errors."""
        if self._current is None:
            return True
        profile = self._form_profile()
        if profile is None:
            return False
        old_name = self._current
        # Rebuild the dict to keep the profile's position when it is renamed.
        self._profiles = {
            (profile.name if name == old_name else name): (
                profile if name == old_name else existing
            )
            for name, existing in self._profiles.items()
        }
        if self._default == old_name:
            self._default = profile.name
        self._current = profile.name
        return True

    def _status(
        self, text: str, *, error: bool = False, ok: bool = False, result: bool = False
    ) -> None:
        # ``result``: a connection test's outcome, stale once the form's address changes.
        self._status_is_result = result
        status = self.query_one("#status", Static)
        status.update(Content(text))
        status.set_class(error, "-error")
        status.set_class(ok, "-ok")

    # --------------------------------------------------------------- events
    @on(OptionList.OptionSelected, "#profile-list")
    def _profile_chosen(self, event: OptionList.OptionSelected) -> None:
        name = list(self._profiles)[event.option_index]
        if name == self._current:
            return
        if self._commit():
            self._open(name)
            self._status("")
        else:
            self._refresh_list()  # keep the highlight on the profile with errors

    @on(Button.Pressed, "#add")
    def _add(self) -> None:
        if not self._commit():
            return
        name = _unique("local", set(self._profiles))
        # The Profile defaults are a real local server: llama.cpp's OpenAI endpoint.
        self._profiles[name] = Profile(name=name)
        if self._default is None:
            self._default = name
        self._open(name)
        self._status(f"Added profile {name!r}: edit and save.", ok=True)

    @on(Button.Pressed, "#duplicate")
    def _duplicate(self) -> None:
        if self._current is None or not self._commit():
            return
        name = _unique(f"{self._current}-copy", set(self._profiles))
        self._profiles[name] = _copy(self._profiles[self._current], name=name)
        self._open(name)
        self._status(f"Duplicated as {name!r}.", ok=True)

    @on(Button.Pressed, "#set-default")
    def _set_default(self) -> None:
        if self._current is not None and self._commit():
            self._default = self._current
            self._refresh_list()
            self._status(f"{self._current!r} is the default profile.", ok=True)

    @on(Button.Pressed, "#delete")
    def _delete(self) -> None:
        name = self._current
        if name is None:
            return
        if self._pending_delete != name:
            # Deleting needs a second press: the first one only asks.
            self._pending_delete = name
            self.query_one("#delete", Button).label = "Really delete?"
            self._status(f"Press “Really delete?” to delete profile {name!r}.", error=True)
            return
        del self._profiles[name]
        if self._default == name:
            self._default = next(iter(self._profiles), None)
        self._open(next(iter(self._profiles), None))
        self._status(f"Deleted profile {name!r} (not saved until you press Save).")

    def on_input_changed(self, event: Input.Changed) -> None:
        """Editing again re-arms the unsaved-changes warning; a connection result is
        stale once the address or credentials it was for change."""
        self._pending_discard = False
        if event.input.id in STALE_ON_CHANGE and self._status_is_result:
            self._status("")

    @on(Button.Pressed, "#test")
    def _test_pressed(self) -> None:
        self.action_test_connection()

    @on(Button.Pressed, "#models")
    def _models_pressed(self) -> None:
        self.action_load_models()

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    # -------------------------------------------------------------- actions
    def action_save(self) -> None:
        """Validate the form and dismiss with the new settings."""
        if not self._commit():
            return
        default = self._default if self._default in self._profiles else None
        if default is None and self._profiles:
            default = next(iter(self._profiles))
        self.dismiss(
            dataclasses.replace(
                self._settings, profiles=dict(self._profiles), default_profile=default
            )
        )

    def _has_changes(self) -> bool:
        """Whether leaving now would lose edits (profiles, default, or the form)."""
        if self._current is not None:
            taken = set(self._profiles) - {self._current}
            typed, errors = build_profile(self.fields.read(), self._profiles[self._current], taken)
            if errors or typed != self._profiles[self._current]:
                return True
        return (
            self._profiles != self._settings.profiles
            or list(self._profiles) != list(self._settings.profiles)
            or self._default != self._settings.default_profile
        )

    def action_cancel(self) -> None:
        """Leave without saving; with unsaved edits, the first press only warns."""
        if self._pending_discard or not self._has_changes():
            self.dismiss(None)
            return
        self._pending_discard = True
        self._status(
            "Unsaved changes: press Esc again to discard them, Ctrl+S to save.", error=True
        )

    def action_test_connection(self) -> None:
        """Try the profile as typed (not yet saved) against its server."""
        profile = self._form_profile()
        if profile is not None:
            self._status(f"Testing connection to {urlsplit(profile.base_url).netloc}…")
            self._run_test(profile)

    def action_load_models(self) -> None:
        """Ask the server for its model list and offer it in the model field."""
        profile = self._form_profile()
        if profile is not None and self._current is not None:
            self.fields.set_models([], "Loading models…")
            self._run_models(profile, self._current)

    @work(exclusive=True, group="config-test")
    async def _run_test(self, profile: Profile) -> None:
        try:
            async with ChatClient(profile) as client:
                summary = await client.test_connection()
        except Exception as error:  # every failure is shown, none crashes the screen
            self._status(f"✗ {describe_error(error, profile)}", error=True, result=True)
        else:
            summary = one_line(scrub(summary, profile.secrets()), 300)
            self._status(f"✓ {summary}", ok=True, result=True)

    @work(exclusive=True, group="config-models")
    async def _run_models(self, profile: Profile, for_profile: str) -> None:
        try:
            models = await fetch_models(profile)
        except Exception as error:  # shown inline: the model can still be typed
            if self._current == for_profile:
                self.fields.set_models([], f"No model list: {describe_error(error, profile)}")
            return
        if self._current != for_profile:
            return  # the user moved on to another profile meanwhile
        host = urlsplit(profile.base_url).netloc
        if models:
            self.fields.set_models(models, f"{count_of(len(models), 'model')} offered by {host}.")
        else:
            self.fields.set_models([], f"{host} offers no model list; type a model name.")

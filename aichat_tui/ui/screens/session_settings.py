"""Per-conversation settings: profile, model, temperature, top_p, system prompt.

``SessionSettingsScreen(conv, settings)`` dismisses with a dict of the fields that
changed (keys among ``profile``, ``model``, ``temperature``, ``top_p``,
``system_prompt``; ``None`` values mean "use the profile's default"), or ``None``
when cancelled or nothing changed. The app applies the dict to the conversation and
saves it.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from aichat_tui.models import Conversation, Profile, Settings
from aichat_tui.sanitize import one_line
from aichat_tui.ui.screens.config_form import describe_error, fetch_models, format_number
from aichat_tui.ui.text import count_of

__all__ = ["SessionSettingsScreen"]

_FIELDS = ("profile", "model", "temperature", "top_p", "max_tokens", "system_prompt")


class SessionSettingsScreen(ModalScreen[dict[str, Any] | None]):
    """Edit one conversation's profile, model, sampling parameters and system prompt."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="session_settings.save"),
        Binding("escape", "cancel", "Cancel", id="session_settings.cancel"),
        Binding("ctrl+l", "load_models", "Load models", id="session_settings.load_models"),
    ]

    DEFAULT_CSS = """
    SessionSettingsScreen { align: center middle; }
    SessionSettingsScreen #session-box {
        width: 84; max-width: 96%; height: 90%; border: round $primary;
        background: $surface;
    }
    SessionSettingsScreen VerticalScroll { height: 1fr; padding: 0 1; }
    SessionSettingsScreen .field-label { margin-top: 1; color: $text-muted; }
    SessionSettingsScreen .field-error { color: $error; display: none; }
    SessionSettingsScreen .field-error.-shown { display: block; }
    SessionSettingsScreen #s-system_prompt { height: 10; }
    SessionSettingsScreen #s-note, SessionSettingsScreen #s-profile-note { color: $text-muted; }
    SessionSettingsScreen #session-actions { height: auto; align-horizontal: right; }
    SessionSettingsScreen #session-actions Button { margin-left: 1; }
    SessionSettingsScreen Select:focus > SelectCurrent { border: tall $accent; }
    SessionSettingsScreen Select:focus > SelectCurrent #label { text-style: bold; }
    """

    def __init__(
        self, conv: Conversation, settings: Settings, override: Profile | None = None
    ) -> None:
        super().__init__()
        self._conv = conv
        self._settings = settings
        # This run's command-line profile (--base-url, --model, ...): it wins over
        # every field here, so the placeholders and a note show it (issue 12).
        self._override = override

    def compose(self) -> ComposeResult:
        conv = self._conv
        # Text(), not str: Select parses str labels as markup and profile names are free text.
        profiles = [(Text(one_line(name, 60)), name) for name in self._settings.profiles]
        default = self._settings.profile()
        default_note = (
            f"Empty = the default profile ({one_line(default.name, 40)})" if default else ""
        )
        if self._override is not None:
            model = self._override.model or "server default"
            default_note = (
                f"This run uses the command line's profile “{one_line(self._override.name, 40)}” "
                f"({one_line(self._override.base_url, 60)}, model {one_line(model, 40)}): "
                "it overrides the profile chosen here until you restart without those options."
            )
        elif conv.profile and conv.profile not in self._settings.profiles:
            # Saving now moves the chat to the default profile; say so up front.
            default_note = (
                f"Profile “{one_line(conv.profile, 40)}” no longer exists. {default_note}"
            )
        with Vertical(id="session-box"):
            yield Static(
                Content(f"Settings for “{one_line(conv.title, 60)}” — empty = profile default")
            )
            with VerticalScroll():
                yield Label("Profile", classes="field-label")
                yield Select(
                    profiles,
                    prompt="(default profile)",
                    allow_blank=True,
                    value=conv.profile if conv.profile in self._settings.profiles else Select.NULL,
                    id="s-profile",
                )
                yield Static(Content(default_note), id="s-profile-note")
                yield Static("", id="err-profile", classes="field-error", markup=False)
                yield Label("Model", classes="field-label")
                yield Input(conv.model or "", id="s-model")
                yield Static("", id="s-note", markup=False)
                yield Static("", id="err-model", classes="field-error", markup=False)
                for key, label in (("temperature", "Temperature (0–2)"), ("top_p", "top_p (0–1)")):
                    value = getattr(conv, key)
                    yield Label(label, classes="field-label")
                    yield Input(
                        "" if value is None else format_number(value), type="number", id=f"s-{key}"
                    )
                    yield Static("", id=f"err-{key}", classes="field-error", markup=False)
                yield Label("max_tokens (reply length limit)", classes="field-label")
                limit = "" if conv.max_tokens is None else str(conv.max_tokens)
                yield Input(limit, type="integer", id="s-max_tokens")
                yield Static("", id="err-max_tokens", classes="field-error", markup=False)
                yield Label("System prompt", classes="field-label")
                yield TextArea(conv.system_prompt, id="s-system_prompt", soft_wrap=True)
            with Horizontal(id="session-actions"):
                yield Button("Load models", id="models")
                yield Button("Save", id="save", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        """Placeholders show what an empty field falls back to; the model field has
        the focus (the setting changed most), so typing works at once."""
        self._update_placeholders()
        self.query_one("#s-model", Input).focus()

    def _chosen_profile_name(self) -> str | None:
        value = self.query_one("#s-profile", Select).value
        return value if isinstance(value, str) else None

    def _update_placeholders(self) -> None:
        profile = self._override or self._settings.profile(self._chosen_profile_name())
        model = self.query_one("#s-model", Input)
        model.placeholder = (
            f"profile default: {profile.model or 'server default'}" if profile else ""
        )
        models = sorted({p.model for p in self._settings.profiles.values() if p.model})
        if model.suggester is None and models:
            model.suggester = SuggestFromList(models, case_sensitive=False)
        limit = profile.max_tokens if profile else None
        self.query_one("#s-max_tokens", Input).placeholder = (
            f"profile default: {limit or 'none'}" if profile else ""
        )
        for key in ("temperature", "top_p"):
            field = self.query_one(f"#s-{key}", Input)
            value = getattr(profile, key, None) if profile else None
            shown = "server default" if value is None else f"{value:g}"
            field.placeholder = f"profile default: {shown}" if profile else ""

    @on(Select.Changed, "#s-profile")
    def _profile_changed(self) -> None:
        self._update_placeholders()

    def _read(self) -> tuple[dict[str, Any], dict[str, str]]:
        values: dict[str, Any] = {"profile": self._chosen_profile_name()}
        errors: dict[str, str] = {}
        model = self.query_one("#s-model", Input).value.strip()
        if model and not model.isprintable():
            errors["model"] = "no control characters"
        values["model"] = model or None
        for key, high in (("temperature", 2.0), ("top_p", 1.0)):
            text = self.query_one(f"#s-{key}", Input).value.strip()
            if not text:
                values[key] = None
                continue
            try:
                number = float(text)
            except ValueError:
                errors[key] = "enter a number, or leave empty for the profile default"
                continue
            if not math.isfinite(number) or not 0.0 <= number <= high:
                errors[key] = f"must be in [0, {high:g}]"
                continue
            values[key] = number
        text = self.query_one("#s-max_tokens", Input).value.strip()
        values["max_tokens"] = None
        if text:
            if not text.isdigit() or not 1 <= int(text) <= 10_000_000:
                errors["max_tokens"] = "a whole number from 1, or empty for the profile default"
            else:
                values["max_tokens"] = int(text)
        values["system_prompt"] = self.query_one("#s-system_prompt", TextArea).text
        return values, errors

    def action_save(self) -> None:
        """Dismiss with the fields that differ from the conversation."""
        values, errors = self._read()
        for key in ("profile", "model", "temperature", "top_p", "max_tokens"):
            note = self.query_one(f"#err-{key}", Static)
            note.update(Content(errors.get(key, "")))
            note.set_class(key in errors, "-shown")
        if errors:
            return
        changed = {key: values[key] for key in _FIELDS if values[key] != getattr(self._conv, key)}
        self.dismiss(changed or None)

    def action_cancel(self) -> None:
        """Close without changes."""
        self.dismiss(None)

    def action_load_models(self) -> None:
        """Offer the chosen profile's server models as suggestions for the model field."""
        profile = self._settings.profile(self._chosen_profile_name())
        if profile is not None:
            self.query_one("#s-note", Static).update(Content("Loading models…"))
            self._load_models(profile)

    @work(exclusive=True, group="session-models")
    async def _load_models(self, profile: Any) -> None:
        note = self.query_one("#s-note", Static)
        try:
            models = await fetch_models(profile)
        except Exception as error:  # inline: the model can still be typed by hand
            note.update(Content(f"No model list: {describe_error(error, profile, 200)}"))
            return
        self.query_one("#s-model", Input).suggester = SuggestFromList(models, case_sensitive=False)
        shown = ", ".join(models[:8]) + (" …" if len(models) > 8 else "")
        note.update(
            Content(f"{count_of(len(models), 'model')}: {shown}" if models else "No model list.")
        )

    @on(Button.Pressed, "#models")
    def _models_pressed(self) -> None:
        self.action_load_models()

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

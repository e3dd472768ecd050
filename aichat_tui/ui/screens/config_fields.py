"""The config screen's profile form: widgets in, ``ProfileForm`` out.

Kept apart from the screen so the screen is only about profile-list handling,
network checks and saving.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.suggester import SuggestFromList
from textual.widgets import Checkbox, Input, Label, Select, Static

from aichat_tui.models import BACKEND_KINDS, Profile
from aichat_tui.ui.screens.config_form import ProfileForm, form_from_profile, split_proxy
from aichat_tui.ui.widgets.secret_input import SecretInput

__all__ = ["FIELD_IDS", "STALE_ON_CHANGE", "ProfileFields"]

FIELD_IDS = (
    "name",
    "kind",
    "base_url",
    "model",
    "temperature",
    "top_p",
    "timeout",
    "cookies",
    "api_key",
    "api_key_env",
    "proxy_mode",
    "proxy_url",
    "proxy_password",
)
#: Fields whose change makes a model list or connection result shown for them stale.
STALE_ON_CHANGE = frozenset(
    {"f-base_url", "f-api_key", "f-api_key_env", "f-cookies", "f-proxy_url", "f-proxy_password"}
)
_TEXT_FIELDS = ("name", "base_url", "model", "temperature", "top_p", "timeout", "api_key_env")
_SECRET_FIELDS = ("cookies", "api_key", "proxy_password")
_PROXY_MODES = [
    ("From environment (HTTP_PROXY, ALL_PROXY…)", "env"),
    ("No proxy (direct)", "none"),
    ("This proxy URL", "url"),
]


class ProfileFields(VerticalScroll):
    """The form for one profile. ``load(profile)`` shows it (secrets only as
    "stored"), ``read()`` returns what is typed, ``show_errors`` marks fields."""

    DEFAULT_CSS = """
    ProfileFields { height: 1fr; padding: 0 1; }
    ProfileFields .field-label { margin-top: 1; color: $text-muted; }
    ProfileFields .field-error { color: $error; height: auto; display: none; }
    ProfileFields .field-error.-shown { display: block; }
    ProfileFields .secret-row { height: auto; }
    ProfileFields .secret-row SecretInput { width: 1fr; }
    ProfileFields .secret-row Checkbox { width: auto; }
    ProfileFields #models-note { color: $text-muted; }
    ProfileFields #f-model-list { display: none; }
    ProfileFields #f-model-list.-loaded { display: block; }
    /* Which dropdown has the focus: the theme's focus colour alone was too faint. */
    ProfileFields Select:focus > SelectCurrent { border: tall $accent; }
    ProfileFields Select:focus > SelectCurrent #label { text-style: bold; }
    """

    def compose(self) -> ComposeResult:
        yield from self._row("Name", Input(id="f-name"), "name")
        kinds = [(kind, kind) for kind in BACKEND_KINDS]
        yield from self._row("Kind", Select(kinds, allow_blank=False, id="f-kind"), "kind")
        yield from self._row(
            "Base URL",
            Input(placeholder="e.g. http://127.0.0.1:8080/v1 (llama.cpp server)", id="f-base_url"),
            "base_url",
        )
        yield from self._row("Model", Input(placeholder="server default", id="f-model"), "model")
        yield Select([], prompt="Pick a model from the server", id="f-model-list")
        yield Static("", id="models-note", markup=False)
        yield from self._row(
            "Temperature (0–2)", Input(type="number", id="f-temperature"), "temperature"
        )
        yield from self._row("top_p (0–1)", Input(type="number", id="f-top_p"), "top_p")
        yield from self._row(
            "Timeout, seconds (how long a silent server is waited for)",
            Input(type="number", id="f-timeout"),
            "timeout",
        )
        yield from self._secret_row(
            "Cookies (aichat): paste a Cookie: header or name=value; pairs",
            "cookies",
            "paste cookies",
        )
        yield from self._secret_row("API key (openai)", "api_key", "sk-…")
        yield from self._row(
            "API key environment variable (used when no key is stored)",
            Input(placeholder="e.g. OPENAI_API_KEY", id="f-api_key_env"),
            "api_key_env",
        )
        yield from self._row(
            "Proxy", Select(_PROXY_MODES, allow_blank=False, id="f-proxy_mode"), "proxy_mode"
        )
        yield from self._row(
            "Proxy URL without password (http, https, socks5, socks5h)",
            Input(placeholder="socks5h://user@127.0.0.1:1080", id="f-proxy_url"),
            "proxy_url",
        )
        yield from self._secret_row("Proxy password", "proxy_password", "proxy password")

    @staticmethod
    def _row(label: str, widget: Input | Select[str], field_id: str) -> ComposeResult:
        yield Label(label, classes="field-label", markup=False)
        yield widget
        yield Static("", id=f"err-{field_id}", classes="field-error", markup=False)

    @staticmethod
    def _secret_row(label: str, field_id: str, empty_placeholder: str) -> ComposeResult:
        yield Label(label, classes="field-label", markup=False)
        with Horizontal(classes="secret-row"):
            yield SecretInput(empty_placeholder=empty_placeholder, id=f"f-{field_id}")
            yield Checkbox("clear", id=f"f-clear_{field_id}")
        yield Static("", id=f"err-{field_id}", classes="field-error", markup=False)

    def load(self, profile: Profile) -> None:
        """Show ``profile``. Secret fields are emptied; their placeholders say whether
        a value is stored, and the clear boxes are unticked."""
        form = form_from_profile(profile)
        for key in _TEXT_FIELDS:
            self.query_one(f"#f-{key}", Input).value = getattr(form, key)
        self.query_one("#f-kind", Select).value = form.kind
        self.query_one("#f-proxy_mode", Select).value = form.proxy_mode
        self.query_one("#f-proxy_url", Input).value = form.proxy_url
        stored = {
            "cookies": bool(profile.cookies),
            "api_key": bool(profile.api_key),
            "proxy_password": split_proxy(profile.proxy)[1],
        }
        for key in _SECRET_FIELDS:
            self.query_one(f"#f-{key}", SecretInput).set_stored(stored[key])
            self.query_one(f"#f-clear_{key}", Checkbox).value = False
        self.set_models([], "")
        self.show_errors({})
        self.update_proxy_state()
        self.scroll_home(animate=False)

    def read(self) -> ProfileForm:
        """What the form holds now."""
        values: dict[str, object] = {
            key: self.query_one(f"#f-{key}", Input).value for key in _TEXT_FIELDS
        }
        for key in _SECRET_FIELDS:
            values[key] = self.query_one(f"#f-{key}", SecretInput).value
            values[f"clear_{key}"] = self.query_one(f"#f-clear_{key}", Checkbox).value
        values["kind"] = str(self.query_one("#f-kind", Select).value)
        values["proxy_mode"] = str(self.query_one("#f-proxy_mode", Select).value)
        values["proxy_url"] = self.query_one("#f-proxy_url", Input).value
        return ProfileForm(**values)  # type: ignore[arg-type]

    def show_errors(self, errors: dict[str, str]) -> None:
        """Show each error under its field and clear the others."""
        for key in FIELD_IDS:
            note = self.query_one(f"#err-{key}", Static)
            note.update(Content(errors.get(key, "")))
            note.set_class(key in errors, "-shown")
        if errors:
            first = next(key for key in FIELD_IDS if key in errors)
            self.query_one(f"#f-{first}").focus()

    def set_models(self, models: list[str], note: str) -> None:
        """Offer ``models`` (from the server) in a picker and as suggestions."""
        picker = self.query_one("#f-model-list", Select)
        # Text(), not str: Select parses str labels as markup, and these come from a server.
        picker.set_options([(Text(model), model) for model in models])
        picker.set_class(bool(models), "-loaded")
        self.query_one("#f-model", Input).suggester = (
            SuggestFromList(models, case_sensitive=False) if models else None
        )
        self.query_one("#models-note", Static).update(Content(note))

    def update_proxy_state(self) -> None:
        """Proxy URL and password only matter when the proxy mode is "url"."""
        custom = self.query_one("#f-proxy_mode", Select).value == "url"
        for key in ("proxy_url", "proxy_password", "clear_proxy_password"):
            self.query_one(f"#f-{key}").disabled = not custom

    def on_input_changed(self, event: Input.Changed) -> None:
        """A model list (or its failure) was for the old address: drop it."""
        note = self.query_one("#models-note", Static)
        if event.input.id in STALE_ON_CHANGE and str(note.render()):
            self.set_models([], "")

    def on_select_changed(self, event: Select.Changed) -> None:
        """Picking a server model fills the model field; the proxy mode toggles fields."""
        if event.select.id == "f-model-list" and isinstance(event.value, str):
            self.query_one("#f-model", Input).value = event.value
        elif event.select.id == "f-proxy_mode":
            self.update_proxy_state()

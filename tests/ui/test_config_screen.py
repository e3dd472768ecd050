"""Config screen through the Pilot: save round-trips into a real config.toml, secrets
stay secret, bad values are shown inline, and the connection test and model list
talk to the real loopback server."""

from __future__ import annotations

import socket
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from textual import events
from textual.app import App
from textual.color import Color
from textual.pilot import Pilot
from textual.widgets import Button, Checkbox, Input, OptionList, Select, Static

from aichat_tui.client import AichatError, ChatClient
from aichat_tui.models import Profile, Settings
from aichat_tui.store import Paths, load_settings, save_settings
from aichat_tui.ui.screens.config import ConfigScreen
from aichat_tui.ui.widgets.secret_input import STORED_PLACEHOLDER, SecretInput

COOKIE = "COOKIE-VALUE-s3cr3t"
API_KEY = "sk-STORED-API-KEY-0123"
PROXY_PASSWORD = "PROXY-PW-hunter2"
SECRETS = (COOKIE, API_KEY, PROXY_PASSWORD)
_UNSET = object()


class ConfigHost(App[None]):
    """Opens the config screen and saves its result the way the app does."""

    def __init__(self, settings: Settings, paths: Paths) -> None:
        super().__init__()
        self.settings = settings
        self.paths = paths
        self.result: object = _UNSET

    def on_mount(self) -> None:
        self.push_screen(ConfigScreen(self.settings, self.paths), self._done)

    def _done(self, settings: Settings | None) -> None:
        self.result = settings
        if settings is not None:
            save_settings(self.paths, settings)


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    found = Paths.resolve(config_dir=tmp_path / "config", data_dir=tmp_path / "data")
    found.ensure()
    return found


def _work_profile(base_url: str = "http://127.0.0.1:9/api") -> Profile:
    return Profile(
        name="work",
        kind="aichat",
        base_url=base_url,
        model="gpt-x",
        cookies={"session": COOKIE},
        api_key=API_KEY,
        proxy=f"socks5h://alice:{PROXY_PASSWORD}@127.0.0.1:1080",
    )


def _saved(paths: Paths, *profiles: Profile) -> Settings:
    settings = Settings(profiles={p.name: p for p in profiles}, default_profile=profiles[0].name)
    save_settings(paths, settings)
    return load_settings(paths)


async def _until(pilot: Pilot[None], condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Let the app run until ``condition`` holds (bounded, no fixed sleeps)."""
    loop_time = __import__("asyncio").get_running_loop().time
    deadline = loop_time() + timeout
    while not condition():
        assert loop_time() < deadline, "condition not reached in time"
        await pilot.pause(0.02)


async def _type(pilot: Pilot[None], selector: str, text: str) -> None:
    """Focus a field, empty it and enter ``text`` as the user would: short values key
    by key, longer ones pasted (a paste event, as a terminal sends it)."""
    widget = pilot.app.screen.query_one(selector, Input)
    widget.focus()
    widget.value = ""
    if len(text) <= 6:
        await pilot.press(*[("space" if c == " " else c) for c in text])
    else:
        widget.post_message(events.Paste(text))
        await pilot.pause()
    assert widget.value == text


def _status(app: App[None]) -> Static:
    return app.screen.query_one("#status", Static)


def _visible_text(app: App[None]) -> str:
    """Everything drawn on screen plus every widget's value and placeholder."""
    parts = [app.export_screenshot()]
    for widget in app.screen.query("*"):
        for attr in ("value", "placeholder", "label", "tooltip"):
            value = getattr(widget, attr, None)
            if isinstance(value, str) and not isinstance(widget, SecretInput):
                parts.append(value)
        if isinstance(widget, Static):
            parts.append(str(widget.render()))
    return "\n".join(parts)


async def test_edit_and_save_round_trips_through_config_toml_keeping_secrets(
    paths: Paths,
) -> None:
    app = ConfigHost(_saved(paths, _work_profile()), paths)
    async with app.run_test(size=(120, 50)) as pilot:
        await pilot.pause()
        await _type(pilot, "#f-model", "gpt-new")
        await _type(pilot, "#f-temperature", "1.25")
        await _type(pilot, "#f-name", "office")
        await pilot.press("ctrl+s")
        await _until(pilot, lambda: app.result is not _UNSET)
    assert isinstance(app.result, Settings)
    mode = stat.S_IMODE(paths.config_file.stat().st_mode)
    assert mode == 0o600
    reloaded = load_settings(paths)
    assert list(reloaded.profiles) == ["office"]
    assert reloaded.default_profile == "office"
    office = reloaded.profiles["office"]
    assert (office.model, office.temperature) == ("gpt-new", 1.25)
    # Empty secret fields kept the stored values.
    assert office.cookies == {"session": COOKIE}
    assert office.api_key == API_KEY
    assert office.proxy == f"socks5h://alice:{PROXY_PASSWORD}@127.0.0.1:1080"


async def test_secrets_are_never_prefilled_or_rendered(paths: Paths) -> None:
    app = ConfigHost(_saved(paths, _work_profile()), paths)
    async with app.run_test(size=(120, 80)) as pilot:
        await pilot.pause()
        for field in ("cookies", "api_key", "proxy_password"):
            secret_field = app.screen.query_one(f"#f-{field}", SecretInput)
            assert secret_field.value == ""
            assert secret_field.placeholder == STORED_PLACEHOLDER
            assert secret_field.password
        assert app.screen.query_one("#f-proxy_url", Input).value == (
            "socks5h://alice@127.0.0.1:1080"
        )
        await _type(pilot, "#f-api_key", "sk-TYPED-NEW-KEY")
        await pilot.pause()
        shown = _visible_text(app)
        for secret in (*SECRETS, "sk-TYPED-NEW-KEY"):
            assert secret not in shown
        assert "alice" in shown  # the screen did render the proxy row


async def test_typed_secret_replaces_and_clear_removes(paths: Paths) -> None:
    app = ConfigHost(_saved(paths, _work_profile()), paths)
    async with app.run_test(size=(120, 50)) as pilot:
        await pilot.pause()
        await _type(pilot, "#f-api_key", "sk-REPLACED")
        app.screen.query_one("#f-clear_cookies", Checkbox).value = True
        app.screen.query_one("#f-clear_proxy_password", Checkbox).value = True
        await pilot.press("ctrl+s")
        await _until(pilot, lambda: app.result is not _UNSET)
    work = load_settings(paths).profiles["work"]
    assert work.api_key == "sk-REPLACED"
    assert work.cookies == {}
    assert work.proxy == "socks5h://alice@127.0.0.1:1080"
    assert PROXY_PASSWORD not in paths.config_file.read_text(encoding="utf-8")


async def test_invalid_values_show_inline_errors_and_keep_the_screen_open(paths: Paths) -> None:
    app = ConfigHost(_saved(paths, _work_profile()), paths)
    before = paths.config_file.read_bytes()
    async with app.run_test(size=(120, 50)) as pilot:
        await pilot.pause()
        await _type(pilot, "#f-temperature", "3")
        await _type(pilot, "#f-base_url", "ftp://example.org")
        app.screen.query_one("#f-proxy_mode", Select).value = "url"
        await _type(pilot, "#f-proxy_url", "gopher://proxy:70")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfigScreen)
        assert app.result is _UNSET
        for field in ("temperature", "base_url", "proxy_url"):
            error = app.screen.query_one(f"#err-{field}", Static)
            assert error.has_class("-shown") and str(error.render()), field
        assert not app.screen.query_one("#err-top_p", Static).has_class("-shown")
        assert "Fix the marked fields" in str(_status(app).render())
        # Fixing the values lets the save go through.
        await _type(pilot, "#f-temperature", "0.3")
        await _type(pilot, "#f-base_url", "https://example.org")
        await _type(pilot, "#f-proxy_url", "http://alice@proxy:3128")
        await pilot.press("ctrl+s")
        await _until(pilot, lambda: app.result is not _UNSET)
    assert paths.config_file.read_bytes() != before
    assert load_settings(paths).profiles["work"].proxy == (
        f"http://alice:{PROXY_PASSWORD}@proxy:3128"
    )


async def test_password_field_copy_and_cut_never_reach_the_clipboard(paths: Paths) -> None:
    app = ConfigHost(_saved(paths, _work_profile()), paths)
    async with app.run_test(size=(120, 50)) as pilot:
        await pilot.pause()
        await _type(pilot, "#f-api_key", "sk-CLIPBOARD-LEAK")
        await pilot.press("ctrl+shift+a", "ctrl+c")
        assert app.clipboard == ""
        await pilot.press("ctrl+shift+a", "ctrl+x")
        assert app.clipboard == ""
        assert app.screen.query_one("#f-api_key", Input).value == "sk-CLIPBOARD-LEAK"
        # Control: an ordinary field does copy, so the keys above really ran.
        app.screen.query_one("#f-model", Input).focus()
        await pilot.press("ctrl+shift+a", "ctrl+c")
        assert app.clipboard == "gpt-x"


async def test_profile_list_add_duplicate_default_and_confirmed_delete(paths: Paths) -> None:
    app = ConfigHost(_saved(paths, _work_profile()), paths)
    async with app.run_test(size=(120, 50)) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.click("#add")
        await pilot.pause()
        assert screen.query_one("#f-name", Input).value == "local"
        assert screen.query_one("#f-base_url", Input).value == "http://127.0.0.1:8080/v1"
        await pilot.click("#set-default")
        await pilot.click("#duplicate")
        await pilot.pause()
        assert screen.query_one("#f-name", Input).value == "local-copy"
        await pilot.click("#delete")
        await pilot.pause()
        assert screen.query_one(OptionList).option_count == 3  # first press only asks
        delete = screen.query_one("#delete", Button)
        assert str(delete.label) == "Really delete?"
        # A button ignores clicks during its 0.2 s press effect (no double-click deletes).
        await _until(pilot, lambda: not delete.has_class("-active"))
        await pilot.click("#delete")
        await pilot.pause()
        assert screen.query_one(OptionList).option_count == 2
        await pilot.press("ctrl+s")
        await _until(pilot, lambda: app.result is not _UNSET)
    reloaded = load_settings(paths)
    assert list(reloaded.profiles) == ["work", "local"]
    assert reloaded.default_profile == "local"
    assert reloaded.profiles["work"].api_key == API_KEY


async def test_escape_cancels_without_saving(paths: Paths) -> None:
    app = ConfigHost(_saved(paths, _work_profile()), paths)
    before = paths.config_file.read_bytes()
    async with app.run_test(size=(120, 50)) as pilot:
        await pilot.pause()
        await _type(pilot, "#f-model", "changed")
        await pilot.press("escape")
        await pilot.pause()
        # Unsaved edits: the first Escape only warns.
        assert isinstance(app.screen, ConfigScreen)
        assert "Unsaved changes" in str(_status(app).render())
        await pilot.press("escape")
        await _until(pilot, lambda: app.result is not _UNSET)
    assert app.result is None
    assert paths.config_file.read_bytes() == before


async def test_escape_without_edits_closes_at_once_and_exact_numbers_survive(
    paths: Paths,
) -> None:
    profile = _work_profile()
    profile.temperature = 0.123456789
    app = ConfigHost(_saved(paths, profile), paths)
    async with app.run_test(size=(120, 50)) as pilot:
        await pilot.pause()
        assert app.screen.query_one("#f-temperature", Input).value == "0.123456789"
        await pilot.press("escape")
        await _until(pilot, lambda: app.result is not _UNSET)
    assert app.result is None


async def test_switching_profiles_with_invalid_fields_stays_on_the_broken_one(
    paths: Paths,
) -> None:
    other = Profile(name="other", kind="aichat", base_url="https://other.example")
    app = ConfigHost(_saved(paths, _work_profile(), other), paths)
    async with app.run_test(size=(120, 50)) as pilot:
        await pilot.pause()
        await _type(pilot, "#f-top_p", "7")
        options = app.screen.query_one("#profile-list", OptionList)
        options.focus()
        options.highlighted = 1
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.query_one("#f-name", Input).value == "work"
        assert app.screen.query_one("#err-top_p", Static).has_class("-shown")
        await _type(pilot, "#f-top_p", "0.5")
        options.focus()
        options.highlighted = 1
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.query_one("#f-name", Input).value == "other"
        assert app.screen.query_one("#f-api_key", SecretInput).value == ""


async def test_proxy_failure_is_shown_without_the_proxy_password(paths: Paths) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    profile = Profile(
        name="proxied",
        kind="openai",
        base_url="http://127.0.0.1:9/v1",
        proxy=f"http://alice:{PROXY_PASSWORD}@127.0.0.1:{port}",
        timeout=5,
    )
    async with ChatClient(profile) as client:
        with pytest.raises(AichatError) as caught:
            await client.test_connection()
    app = ConfigHost(_saved(paths, profile), paths)
    async with app.run_test(size=(120, 50)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+t")
        await _until(pilot, lambda: _status(app).has_class("-error"))
        shown = str(_status(app).render())
        assert str(caught.value) in shown
        assert PROXY_PASSWORD not in shown
        assert PROXY_PASSWORD not in app.export_screenshot()


async def test_test_connection_against_the_loopback_server_succeeds(
    paths: Paths, loopback: object
) -> None:
    profile = Profile(name="local", kind="openai", base_url=loopback.openai_url)  # type: ignore[attr-defined]
    app = ConfigHost(_saved(paths, profile), paths)
    async with app.run_test(size=(120, 50)) as pilot:
        await pilot.pause()
        await pilot.click("#test")
        await _until(pilot, lambda: _status(app).has_class("-ok"))
        assert str(_status(app).render()).startswith("✓")
        assert any(r.path.startswith("/v1") for r in loopback.requests)  # type: ignore[attr-defined]


async def test_test_connection_to_a_closed_port_shows_the_real_error(paths: Paths) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    profile = Profile(
        name="down",
        kind="openai",
        base_url=f"http://127.0.0.1:{port}/v1",
        api_key=API_KEY,
        timeout=5,
    )
    async with ChatClient(profile) as client:
        with pytest.raises(AichatError) as caught:
            await client.test_connection()
    expected = str(caught.value)
    app = ConfigHost(_saved(paths, profile), paths)
    async with app.run_test(size=(120, 50)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+t")
        await _until(pilot, lambda: _status(app).has_class("-error"))
        shown = str(_status(app).render())
        assert expected in shown
        assert API_KEY not in shown
        assert isinstance(app.screen, ConfigScreen)  # a failure never closes the screen


async def test_model_list_is_filled_from_the_loopback_server(
    paths: Paths, loopback: object
) -> None:
    profile = Profile(name="local", kind="openai", base_url=loopback.openai_url)  # type: ignore[attr-defined]
    async with ChatClient(profile) as client:
        served = await client.list_models()
    assert served, "the loopback server should list models"
    app = ConfigHost(_saved(paths, profile), paths)
    async with app.run_test(size=(120, 50)) as pilot:
        await pilot.pause()
        picker = app.screen.query_one("#f-model-list", Select)
        # The form loads the list by itself for openai profiles.
        await _until(pilot, lambda: picker.has_class("-loaded"))
        offered = [value for _label, value in picker._options if isinstance(value, str)]
        assert sorted(offered) == sorted(served)
        picker.value = served[-1]
        await pilot.pause()
        assert app.screen.query_one("#f-model", Input).value == served[-1]
        await pilot.press("ctrl+s")
        await _until(pilot, lambda: app.result is not _UNSET)
    assert load_settings(paths).profiles["local"].model == served[-1]


async def test_markup_in_profile_names_and_server_model_names_is_shown_literally(
    paths: Paths, loopback: object
) -> None:
    hostile = ["[/]", "[b]bold[/b]", "[@click=app.quit]x[/]", "esc\x1b[31mred"]
    loopback.models = hostile  # type: ignore[attr-defined]
    profile = Profile(name="[/] evil [b]", kind="openai", base_url=loopback.openai_url)  # type: ignore[attr-defined]
    app = ConfigHost(_saved(paths, profile), paths)
    async with app.run_test(size=(120, 50)) as pilot:
        await pilot.pause()
        picker = app.screen.query_one("#f-model-list", Select)
        await _until(pilot, lambda: picker.has_class("-loaded"))
        picker.value = "[@click=app.quit]x[/]"
        await pilot.pause()
        assert app.screen.query_one("#f-model", Input).value == "[@click=app.quit]x[/]"
        shown = app.export_screenshot()
        assert "[/] evil [b]" in shown.replace("&#160;", " ")
        assert "\x1b" not in shown
        assert isinstance(app.screen, ConfigScreen)  # no MarkupError, no quit


async def test_config_bindings_follow_the_keymap(paths: Paths) -> None:
    app = ConfigHost(_saved(paths, _work_profile()), paths)
    async with app.run_test(size=(120, 50)) as pilot:
        app.set_keymap({"config.save": "f5"})
        await pilot.pause()
        await pilot.press("ctrl+s")  # no longer bound
        await pilot.pause()
        assert app.result is _UNSET
        await pilot.press("f5")
        await _until(pilot, lambda: app.result is not _UNSET)
    assert isinstance(app.result, Settings)


def _models_note(app: App) -> str:
    return str(app.screen.query_one("#models-note", Static).render())


async def test_a_failed_model_list_goes_away_when_the_base_url_is_edited(paths: Paths) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    profile = Profile(name="down", kind="openai", base_url=f"http://127.0.0.1:{port}/v1")
    app = ConfigHost(_saved(paths, profile), paths)
    async with app.run_test(size=(120, 50)) as pilot:
        await _until(pilot, lambda: "No model list" in _models_note(app))
        base_url = app.screen.query_one("#f-base_url", Input)
        base_url.focus()
        await pilot.press("end", "x")
        await _until(pilot, lambda: _models_note(app) == "")


async def test_one_model_is_one_model(paths: Paths, loopback: object) -> None:
    loopback.models = ["only-one"]  # type: ignore[attr-defined]
    profile = Profile(name="local", kind="openai", base_url=loopback.openai_url)  # type: ignore[attr-defined]
    app = ConfigHost(_saved(paths, profile), paths)
    async with app.run_test(size=(120, 50)) as pilot:
        await _until(pilot, lambda: "offered by" in _models_note(app))
        assert _models_note(app).startswith("1 model offered by")


async def test_the_focused_dropdown_is_marked(paths: Paths) -> None:
    app = ConfigHost(_saved(paths, _work_profile()), paths)
    async with app.run_test(size=(120, 50)) as pilot:
        await pilot.pause()
        kind = app.screen.query_one("#f-kind", Select)
        proxy = app.screen.query_one("#f-proxy_mode", Select)
        kind.focus()
        await pilot.pause()
        focused = kind.query_one("SelectCurrent").styles.border_top
        unfocused = proxy.query_one("SelectCurrent").styles.border_top
        # The accent colour (the theme's strongest), not the faint focus border of
        # Textual's default, which looked like every other field's.
        accent = Color.parse(app.get_css_variables()["accent"])
        assert focused[1] == accent and unfocused[1] != accent
        assert kind.query_one("SelectCurrent #label").styles.text_style.bold

"""The app wires the keymap, settings, theme, help and session settings screens."""

from __future__ import annotations

from dataclasses import replace

from aichat_tui.loopback import Behaviour
from aichat_tui.models import Settings
from aichat_tui.store import load_settings

from .helpers import make_app, settled, wait_until


async def test_keymap_from_settings_remaps_bindings(profile_openai, app_dirs):
    app = make_app(app_dirs, profile_openai)
    app.settings.keys = {"workspace.new_session": "ctrl+g", "composer.newline": "ctrl+k"}
    async with app.run_test(size=(120, 40)) as pilot:
        ws = app.workspace
        await pilot.press("ctrl+n")
        assert app.store.list() == []  # the default key no longer does it
        await pilot.press("ctrl+g")
        assert len(app.store.list()) == 1 and ws.conv is not None
        ws.composer.focus()
        await pilot.press("a", "ctrl+k", "b")
        assert ws.composer.text == "a\nb"


async def test_config_screen_result_is_saved_and_applied(profile_openai, app_dirs):
    from aichat_tui.ui.screens.config import ConfigScreen

    app = make_app(app_dirs, None)
    async with app.run_test(size=(120, 40)) as pilot:
        ws = app.workspace
        assert ws.query_one("#welcome").display
        await pilot.press("f3")
        assert isinstance(app.screen, ConfigScreen)
        new = Settings(
            profiles={profile_openai.name: profile_openai},
            default_profile=profile_openai.name,
            theme=app.settings.theme,
        )
        app.screen.dismiss(new)
        await wait_until(pilot, lambda: not ws.query_one("#welcome").display)
        on_disk = load_settings(app_dirs)
        assert on_disk.default_profile == profile_openai.name
        assert on_disk.profiles[profile_openai.name].base_url == profile_openai.base_url
        ws.composer.text = "now it works"
        ws.composer.focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: settled(app))
        assert ws.conv.messages[-1].status == "complete"


async def test_theme_picker_choice_is_saved(profile_openai, app_dirs):
    from aichat_tui.ui.screens.theme_picker import ThemePicker

    app = make_app(app_dirs, profile_openai)
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.theme == "aichat-dark"
        await pilot.press("ctrl+t")
        assert isinstance(app.screen, ThemePicker)
        app.screen.dismiss("aichat-light")
        await wait_until(pilot, lambda: load_settings(app_dirs).theme == "aichat-light")
        await pilot.press("f1")
        assert type(app.screen).__name__ == "HelpScreen"


async def test_session_settings_apply_to_requests(loopback, profile_openai, app_dirs):
    from aichat_tui.ui.screens.session_settings import SessionSettingsScreen

    loopback.push(Behaviour(text="ok"))
    app = make_app(app_dirs, replace(profile_openai, model="demo-model"))
    async with app.run_test(size=(120, 40)) as pilot:
        ws = app.workspace
        await pilot.press("ctrl+n")
        await pilot.press("alt+s")
        assert isinstance(app.screen, SessionSettingsScreen)
        app.screen.dismiss({"model": "demo-model-large", "temperature": 0.2})
        await wait_until(pilot, lambda: app.store.load(ws.conv.id).model == "demo-model-large")
        ws.composer.text = "hi"
        ws.composer.focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: settled(app))
        body = loopback.requests[-1].json()
        assert body["model"] == "demo-model-large"
        assert body["temperature"] == 0.2

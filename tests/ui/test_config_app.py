"""The config, theme and help screens opened through the real AichatApp, with the
real store in temporary folders (env overrides) and the keymap from config.toml."""

from __future__ import annotations

import asyncio
import stat
from collections.abc import Callable

from textual import events
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from aichat_tui.models import Profile, Settings
from aichat_tui.store import Paths, load_settings, save_settings
from aichat_tui.ui.app import AichatApp
from aichat_tui.ui.screens.config import ConfigScreen
from aichat_tui.ui.screens.help import HelpScreen
from aichat_tui.ui.screens.theme_picker import ThemePicker

API_KEY = "sk-APP-LEVEL-SECRET-42"


async def _until(pilot: Pilot[None], condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached in time"
        await pilot.pause(0.02)


def _write_settings(paths: Paths, **keys: str) -> None:
    profile = Profile(name="main", kind="aichat", base_url="http://127.0.0.1:9", api_key=API_KEY)
    save_settings(paths, Settings(profiles={"main": profile}, default_profile="main", keys=keys))


async def test_config_screen_saves_through_the_app(app_dirs: Paths) -> None:
    _write_settings(app_dirs)
    app = AichatApp(paths=app_dirs)
    async with app.run_test(size=(120, 50)) as pilot:
        await pilot.pause()
        await pilot.press("f3")
        await _until(pilot, lambda: isinstance(app.screen, ConfigScreen))
        model = app.screen.query_one("#f-model", Input)
        model.focus()
        model.post_message(events.Paste("model-from-app-test"))
        await _until(pilot, lambda: model.value == "model-from-app-test")
        await pilot.press("ctrl+s")
        await _until(pilot, lambda: not isinstance(app.screen, ConfigScreen))
        assert app.settings.profiles["main"].model == "model-from-app-test"
    saved = load_settings(app_dirs).profiles["main"]
    assert saved.model == "model-from-app-test"
    assert saved.api_key == API_KEY
    assert stat.S_IMODE(app_dirs.config_file.stat().st_mode) == 0o600


async def test_theme_switch_is_previewed_saved_and_escape_restores(app_dirs: Paths) -> None:
    _write_settings(app_dirs)
    app = AichatApp(paths=app_dirs)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.theme == "aichat-dark"
        await pilot.press("ctrl+t")
        await _until(pilot, lambda: isinstance(app.screen, ThemePicker))
        await pilot.press("down")
        await _until(pilot, lambda: app.theme == "aichat-light")
        await pilot.press("escape")
        await _until(pilot, lambda: not isinstance(app.screen, ThemePicker))
        assert app.theme == "aichat-dark"
        assert load_settings(app_dirs).theme == "aichat-dark"
        await pilot.press("ctrl+t")
        await _until(pilot, lambda: isinstance(app.screen, ThemePicker))
        await pilot.press("up", "enter")  # aichat-ansi, the first entry
        await _until(pilot, lambda: not isinstance(app.screen, ThemePicker))
        assert app.theme == "aichat-ansi"
        assert app.native_ansi_color
    assert load_settings(app_dirs).theme == "aichat-ansi"


async def test_broken_user_themes_are_reported_in_one_notification(app_dirs: Paths) -> None:
    app_dirs.themes_dir.mkdir(parents=True, exist_ok=True)
    (app_dirs.themes_dir / "broken-one.toml").write_text('name = "x"\nprimary = "#zz"\n')
    (app_dirs.themes_dir / "broken-two.toml").write_text("name = \n")
    (app_dirs.themes_dir / "fine.toml").write_text('name = "fine"\nprimary = "#336699"\n')
    app = AichatApp(paths=app_dirs)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert "fine" in app.available_themes
        messages = [n.message for n in app._notifications if "broken" in n.message]
        assert len(messages) == 1
        assert "broken-one.toml" in messages[0] and "broken-two.toml" in messages[0]


async def test_help_lists_the_app_bindings_with_keys_from_config_toml(app_dirs: Paths) -> None:
    _write_settings(app_dirs, **{"app.help": "f12"})
    app = AichatApp(paths=app_dirs)
    async with app.run_test(size=(140, 50)) as pilot:
        await pilot.pause()
        await pilot.press("f12")
        await _until(pilot, lambda: isinstance(app.screen, HelpScreen))
        table = app.screen.query_one(DataTable)
        rows = {str(table.get_row(k)[2]): str(table.get_row(k)[0]) for k in table.rows}
        assert rows["app.help"] == "f12"
        assert {"app.quit", "app.config", "app.theme", "workspace.new_session"} <= set(rows)
        assert str(app_dirs.config_file) in str(app.screen.query_one("#help-remap").render())
        await pilot.press("escape")
        await _until(pilot, lambda: not isinstance(app.screen, HelpScreen))


async def test_help_flags_a_remapped_key_that_a_focused_widget_hides(app_dirs: Paths) -> None:
    # ctrl+k is the composer's (TextArea's) "delete to end of line": remapping help to it
    # cannot work while the composer has focus, and the help screen says so.
    _write_settings(app_dirs, **{"app.help": "ctrl+k"})
    app = AichatApp(paths=app_dirs)
    async with app.run_test(size=(140, 50)) as pilot:
        await pilot.pause()
        app.push_screen(HelpScreen())
        await _until(
            pilot,
            lambda: isinstance(app.screen, HelpScreen) and bool(app.screen.query(DataTable)),
        )
        table = app.screen.query_one(DataTable)
        keys = {str(table.get_row(k)[2]): k for k in table.rows}
        assert str(table.get_row(keys["app.help"])[0]) == "ctrl+k *"
        assert str(table.get_row(keys["app.quit"])[0]) == "ctrl+q"
        note = app.screen.query_one("#help-note", Static)
        table.move_cursor(row=table.get_row_index(keys["app.help"]))
        await _until(pilot, lambda: "ctrl+k is taken by" in str(note.render()))
        table.move_cursor(row=table.get_row_index(keys["app.quit"]))
        await _until(pilot, lambda: str(note.render()) == "")

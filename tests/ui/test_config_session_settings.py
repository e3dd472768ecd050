"""Per-conversation settings screen: dismisses with exactly the changed fields."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.widgets import Input, Select, Static, TextArea

from aichat_tui.models import Conversation, Profile, Settings
from aichat_tui.ui.screens.session_settings import SessionSettingsScreen

_UNSET = object()

SETTINGS = Settings(
    profiles={
        "local": Profile(name="local", model="llama", temperature=0.4),
        "work [/]": Profile(name="work [/]", kind="aichat", top_p=0.8),
    },
    default_profile="local",
)


class SessionHost(App[None]):
    def __init__(self, conv: Conversation, override: Any = None) -> None:
        super().__init__()
        self.conv = conv
        self.override = override
        self.result: object = _UNSET

    def on_mount(self) -> None:
        screen = SessionSettingsScreen(self.conv, SETTINGS, self.override)
        self.push_screen(screen, self._done)

    def _done(self, result: dict[str, Any] | None) -> None:
        self.result = result


async def test_changed_fields_only_and_empty_means_profile_default() -> None:
    conv = Conversation(title="[b]chat[/b] [/]", model="old-model", temperature=1.0)
    app = SessionHost(conv)
    async with app.run_test(size=(100, 50)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen.query_one("#s-temperature", Input).placeholder == "profile default: 0.4"
        screen.query_one("#s-profile", Select).value = "work [/]"
        await pilot.pause()
        assert screen.query_one("#s-top_p", Input).placeholder == "profile default: 0.8"
        screen.query_one("#s-model", Input).value = "new-model"
        screen.query_one("#s-temperature", Input).value = ""  # back to the profile default
        screen.query_one("#s-system_prompt", TextArea).text = "Be brief."
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert app.result == {
        "profile": "work [/]",
        "model": "new-model",
        "temperature": None,
        "system_prompt": "Be brief.",
    }


async def test_invalid_numbers_are_shown_inline_and_nothing_is_returned() -> None:
    app = SessionHost(Conversation())
    async with app.run_test(size=(100, 50)) as pilot:
        await pilot.pause()
        app.screen.query_one("#s-top_p", Input).value = "1.5"
        app.screen.query_one("#s-temperature", Input).value = "-1"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, SessionSettingsScreen)
        assert app.result is _UNSET
        for key in ("top_p", "temperature"):
            error = app.screen.query_one(f"#err-{key}", Static)
            assert error.has_class("-shown") and "must be in" in str(error.render())


async def test_no_change_or_escape_returns_none() -> None:
    app = SessionHost(Conversation(profile="local", system_prompt="x"))
    async with app.run_test(size=(100, 50)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.result is None
    app = SessionHost(Conversation())
    async with app.run_test(size=(100, 50)) as pilot:
        await pilot.pause()
        app.screen.query_one("#s-model", Input).value = "changed"
        await pilot.press("escape")
        await pilot.pause()
        assert app.result is None


async def test_model_suggestions_come_from_the_loopback_server(loopback: Any) -> None:
    profile = Profile(name="lb", kind="openai", base_url=loopback.openai_url)
    settings = Settings(profiles={"lb": profile}, default_profile="lb")
    app = App[None]()
    async with app.run_test(size=(100, 50)) as pilot:
        screen = SessionSettingsScreen(Conversation(profile="lb"), settings)
        app.push_screen(screen)
        await pilot.pause()
        await pilot.press("ctrl+l")
        note = screen.query_one("#s-note", Static)
        deadline = __import__("asyncio").get_running_loop().time() + 10
        while "models:" not in str(note.render()):
            assert __import__("asyncio").get_running_loop().time() < deadline
            await pilot.pause(0.02)
        assert screen.query_one("#s-model", Input).suggester is not None


async def test_a_deleted_profile_is_named_and_saving_moves_to_the_default() -> None:
    app = SessionHost(Conversation(profile="gone [/]"))
    async with app.run_test(size=(100, 50)) as pilot:
        await pilot.pause()
        note = str(app.screen.query_one("#s-profile-note", Static).render())
        assert "gone [/]" in note and "no longer exists" in note
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert app.result == {"profile": None}


async def test_opens_with_the_model_field_focused_so_typing_works_at_once() -> None:
    app = SessionHost(Conversation())
    async with app.run_test(size=(100, 50)) as pilot:
        await pilot.pause()
        model = app.screen.query_one("#s-model", Input)
        assert app.screen.focused is model
        await pilot.press("a", "b")
        assert model.value == "ab"


async def test_a_command_line_override_is_shown_not_the_profile_default() -> None:
    from dataclasses import replace

    from aichat_tui.models import Profile

    override = Profile(name="command-line", kind="openai", base_url="http://127.0.0.1:9/v1")
    app = SessionHost(Conversation(), replace(override, model="thinker"))
    async with app.run_test(size=(100, 50)) as pilot:
        await pilot.pause()
        model = app.screen.query_one("#s-model", Input)
        assert model.placeholder == "profile default: thinker"
        note = str(app.screen.query_one("#s-profile-note", Static).render())
        assert "command-line" in note and "thinker" in note

"""Theme picker: the highlight previews live, Enter keeps, Escape restores."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Label, OptionList

from aichat_tui.ui.screens.theme_picker import ThemePicker
from aichat_tui.ui.themes import load_themes

_UNSET = object()


class _PickerHost(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.result: object = _UNSET

    def compose(self) -> ComposeResult:
        yield Label("workspace")

    def on_mount(self) -> None:
        for theme in load_themes(None)[0]:
            self.register_theme(theme)
        self.theme = "aichat-dark"

    def pick(self) -> None:
        self.push_screen(ThemePicker(), self._done)

    def _done(self, result: str | None) -> None:
        self.result = result


def _highlighted(app: _PickerHost) -> str:
    options = app.screen.query_one(OptionList)
    assert options.highlighted is not None
    return str(options.get_option_at_index(options.highlighted).prompt)


async def test_highlight_previews_and_escape_restores_the_original() -> None:
    app = _PickerHost()
    async with app.run_test() as pilot:
        app.pick()
        await pilot.pause()
        assert isinstance(app.screen, ThemePicker)
        assert _highlighted(app) == "aichat-dark"
        await pilot.press("down")
        await pilot.pause()
        previewed = _highlighted(app)
        assert previewed != "aichat-dark"
        assert app.theme == previewed  # live preview
        await pilot.press("down", "down")
        await pilot.pause()
        assert app.theme == _highlighted(app)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ThemePicker)
        assert app.theme == "aichat-dark"
        assert app.result is None


async def test_enter_keeps_the_highlighted_theme_and_returns_its_name() -> None:
    app = _PickerHost()
    async with app.run_test() as pilot:
        app.pick()
        await pilot.pause()
        names = [str(o.prompt) for o in app.screen.query_one(OptionList).options]
        # Ours first, then Textual's built-in themes.
        assert names[:3] == ["aichat-ansi", "aichat-dark", "aichat-light"]
        assert "textual-dark" in names
        await pilot.press("down")  # aichat-light
        await pilot.press("enter")
        await pilot.pause()
        assert app.result == "aichat-light"
        assert app.theme == "aichat-light"
        assert not isinstance(app.screen, ThemePicker)

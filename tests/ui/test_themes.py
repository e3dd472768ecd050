"""Theme files: bundled ones load and work in a real App; broken user files are
reported (one message each, naming the file) and skipped; user themes override."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Input, Label

from aichat_tui.ui.themes import (
    DEFAULT_THEME,
    ThemeFileError,
    bundled_themes_dir,
    load_theme_file,
    load_themes,
)

BUNDLED = {"aichat-dark", "aichat-light", "aichat-ansi"}


def _paths(tmp_path: Path) -> SimpleNamespace:
    themes_dir = tmp_path / "themes"
    themes_dir.mkdir()
    return SimpleNamespace(themes_dir=themes_dir)


def test_bundled_themes_load_without_errors() -> None:
    themes, errors = load_themes(None)
    assert errors == []
    names = {theme.name for theme in themes}
    assert names >= BUNDLED
    assert DEFAULT_THEME in names
    by_name = {theme.name: theme for theme in themes}
    assert by_name["aichat-dark"].dark is True
    assert by_name["aichat-light"].dark is False
    assert by_name["aichat-ansi"].ansi is True


def test_bundled_folder_is_the_repo_themes_folder_or_the_installed_copy() -> None:
    folder = bundled_themes_dir()
    assert {p.stem for p in folder.glob("*.toml")} >= BUNDLED


def test_ansi_theme_uses_only_the_16_terminal_colours() -> None:
    theme = load_theme_file(bundled_themes_dir() / "aichat-ansi.toml")
    colours = [
        theme.primary,
        theme.secondary,
        theme.accent,
        theme.foreground,
        theme.background,
        theme.success,
        theme.warning,
        theme.error,
        *(v for k, v in theme.variables.items() if not k.endswith("text-style")),
    ]
    assert colours and all(c is not None and c.startswith("ansi_") for c in colours)


BROKEN = {
    "bad-colour.toml": 'name = "bad-colour"\nprimary = "#12345G"\n',
    "unknown-key.toml": 'name = "unknown-key"\nprimary = "#123456"\nprimery = "#000000"\n',
    "bad-toml.toml": 'name = "bad-toml\nprimary = "#123456"\n',
    "not-utf8.toml": b'name = "x\xff"\nprimary = "#123456"\n',
    "no-primary.toml": 'name = "no-primary"\n',
    "bad-variable.toml": 'name = "bad-var"\nprimary = "red"\n[variables]\nborder = "[b]x"\n',
    "bad-style.toml": 'name = "bad-style"\nprimary = "red"\n'
    '[variables]\ninput-cursor-text-style = "sparkly"\n',
    "bad-dark.toml": 'name = "bad-dark"\nprimary = "red"\ndark = "yes"\n',
}


def test_each_broken_user_theme_is_one_error_naming_its_file_and_others_still_load(
    tmp_path: Path,
) -> None:
    paths = _paths(tmp_path)
    for filename, text in BROKEN.items():
        target = paths.themes_dir / filename
        target.write_bytes(text if isinstance(text, bytes) else text.encode())
    (paths.themes_dir / "mine.toml").write_text(
        'name = "mine"\nprimary = "#aa5500"\ndark = false\n'
        '[variables]\ninput-selection-background = "#aa5500 30%"\n',
        encoding="utf-8",
    )
    themes, errors = load_themes(paths)
    names = {theme.name for theme in themes}
    assert names >= BUNDLED | {"mine"}
    assert len(errors) == len(BROKEN)
    for filename in BROKEN:
        assert sum(filename in error for error in errors) == 1, filename
    assert any("primery" in e for e in errors)


def test_user_theme_overrides_bundled_theme_of_the_same_name(tmp_path: Path) -> None:
    paths = _paths(tmp_path)
    (paths.themes_dir / "override.toml").write_text(
        'name = "aichat-dark"\nprimary = "#ff0000"\n', encoding="utf-8"
    )
    themes, errors = load_themes(paths)
    assert errors == []
    dark = [t for t in themes if t.name == "aichat-dark"]
    assert len(dark) == 1 and dark[0].primary == "#ff0000"


def test_missing_user_folder_is_not_an_error(tmp_path: Path) -> None:
    themes, errors = load_themes(SimpleNamespace(themes_dir=tmp_path / "absent"))
    assert errors == []
    assert {t.name for t in themes} >= BUNDLED


def test_oversized_theme_file_is_rejected(tmp_path: Path) -> None:
    big = tmp_path / "big.toml"
    big.write_text('name = "big"\nprimary = "red"\n' + "# x\n" * 40_000, encoding="utf-8")
    with pytest.raises(ThemeFileError, match=r"big\.toml"):
        load_theme_file(big)


class _ThemedApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Label("hello")
        yield Input("typed text")


@pytest.mark.parametrize("name", sorted(BUNDLED))
async def test_every_bundled_theme_applies_and_renders(name: str) -> None:
    themes, _ = load_themes(None)
    app = _ThemedApp()
    async with app.run_test(size=(60, 10)) as pilot:
        for theme in themes:
            app.register_theme(theme)
        app.theme = name
        await pilot.pause()
        assert app.current_theme.name == name
        assert "hello" in app.export_screenshot()
        # The ANSI theme renders with the terminal's own colours (no truecolor filter).
        assert app.native_ansi_color is (name == "aichat-ansi")


def test_wheel_puts_the_themes_folder_where_the_loader_looks() -> None:
    import tomllib

    root = Path(__file__).resolve().parents[2]
    pyproject = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    force_include = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert force_include["themes"] == "aichat_tui/bundled_themes"
    assert {p.stem for p in (root / "themes").glob("*.toml")} >= BUNDLED


def _colour_types(app: App[None]) -> set[str]:
    """Colour kinds in the composed screen (Textual has no public API for the
    rendered strips; the compositor's are what the driver writes out)."""
    kinds: set[str] = set()
    for strip in app.screen._compositor.render_strips():
        for segment in strip:
            if segment.style:
                for colour in (segment.style.color, segment.style.bgcolor):
                    if colour is not None:
                        kinds.add(colour.type.name)
    return kinds


class _WidgetsApp(App[None]):
    def compose(self) -> ComposeResult:
        from textual.widgets import Button, Checkbox, OptionList, Select

        yield Label("label")
        yield Input("typed text")
        yield Button("Save", variant="primary")
        yield Button("Delete", variant="error")
        yield Checkbox("clear")
        yield Select([("a", "a")], value="a")
        yield OptionList("one", "two")


@pytest.mark.parametrize(("name", "only_16"), [("aichat-ansi", True), ("aichat-dark", False)])
async def test_ansi_theme_draws_with_the_16_terminal_colours_only(name: str, only_16: bool) -> None:
    app = _WidgetsApp()
    async with app.run_test(size=(80, 30)) as pilot:
        for theme in load_themes(None)[0]:
            app.register_theme(theme)
        app.theme = name
        await pilot.pause()
        kinds = _colour_types(app)
        assert kinds
        assert (kinds <= {"DEFAULT", "STANDARD"}) is only_16, kinds

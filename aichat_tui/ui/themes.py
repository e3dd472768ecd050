"""Themes: TOML files turned into Textual ``Theme`` objects.

Bundled themes ship inside the wheel as ``aichat_tui/bundled_themes/*.toml``
(pyproject force-includes the repo's top-level ``themes/`` folder there); in an
editable/dev checkout they are read from ``themes/`` directly. User themes live in
``paths.themes_dir``; a user theme with the same name as a bundled one replaces it.

Each file is validated strictly (unknown keys, wrong types and unparsable colours
are errors) because a bad colour reaching Textual's CSS would break every screen.
Broken files are skipped and described in the returned error list, one message per
file, so the app can report them all in a single notification.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.color import Color, ColorParseError
from textual.theme import Theme

import aichat_tui
from aichat_tui.store.atomic import read_limited

if TYPE_CHECKING:
    from aichat_tui.store import Paths

__all__ = [
    "DEFAULT_THEME",
    "ThemeFileError",
    "bundled_themes_dir",
    "load_theme_file",
    "load_themes",
]

DEFAULT_THEME = "aichat-dark"

_COLOUR_KEYS = (
    "primary",
    "secondary",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
    "success",
    "warning",
    "error",
)
_FLOAT_KEYS = ("luminosity_spread", "text_alpha")
_BOOL_KEYS = ("dark", "ansi")
_ALLOWED_KEYS = frozenset(("name", "variables", *_COLOUR_KEYS, *_FLOAT_KEYS, *_BOOL_KEYS))

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_VARIABLE_RE = re.compile(r"^[a-z][a-z0-9-]{0,63}$")
_TEXT_STYLES = frozenset(
    ("none", "bold", "dim", "italic", "underline", "reverse", "strike", "blink", "not")
)
# Largest theme file read; a theme is a few hundred bytes.
_MAX_BYTES = 64 * 1024


class ThemeFileError(ValueError):
    """A theme file that cannot be used; ``str()`` names the file and the problem."""


def bundled_themes_dir() -> Path:
    """Where the bundled theme files are: inside the installed package (wheel),
    else the repository's top-level ``themes/`` folder (editable/dev install)."""
    package_dir = Path(aichat_tui.__file__).resolve().parent
    installed = package_dir / "bundled_themes"
    if installed.is_dir():
        return installed
    return package_dir.parent / "themes"


def _check_colour(value: Any, where: str) -> str:
    """A colour such as ``#aabbcc``, ``rgb(…)``, ``red`` or ``ansi_blue``, optionally
    followed by an alpha percentage (``"#123456 30%"``) as Textual variables allow."""
    if not isinstance(value, str) or not value.strip():
        raise ThemeFileError(f"{where} must be a colour string")
    colour, _, alpha = value.strip().partition(" ")
    try:
        Color.parse(colour)
    except ColorParseError:
        raise ThemeFileError(f"{where}: {value!r} is not a colour") from None
    if alpha and not re.fullmatch(r"\d{1,3}(\.\d+)?%", alpha.strip()):
        raise ThemeFileError(f"{where}: {value!r} has a bad alpha (use e.g. '30%')")
    return value.strip()


def _check_variable(key: Any, value: Any) -> str:
    if not isinstance(key, str) or not _VARIABLE_RE.match(key):
        raise ThemeFileError(f"variables: {key!r} is not a valid variable name")
    if key.endswith("text-style"):
        words = value.split() if isinstance(value, str) else None
        if not words or any(word not in _TEXT_STYLES for word in words):
            raise ThemeFileError(f"variables.{key}: {value!r} is not a text style")
        return value
    return _check_colour(value, f"variables.{key}")


def _theme_from_mapping(data: dict[str, Any]) -> Theme:
    unknown = sorted(set(data) - _ALLOWED_KEYS)
    if unknown:
        raise ThemeFileError(f"unknown key(s): {', '.join(unknown)}")
    name = data.get("name")
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise ThemeFileError("'name' must be letters, digits, '-', '_' or '.' (max 64)")
    if "primary" not in data:
        raise ThemeFileError("'primary' colour is required")
    kwargs: dict[str, Any] = {"name": name}
    for key in _COLOUR_KEYS:
        if key in data:
            kwargs[key] = _check_colour(data[key], key)
    for key in _BOOL_KEYS:
        if key in data:
            if not isinstance(data[key], bool):
                raise ThemeFileError(f"{key!r} must be true or false")
            kwargs[key] = data[key]
    for key in _FLOAT_KEYS:
        if key in data:
            value = data[key]
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ThemeFileError(f"{key!r} must be a number")
            if not 0.0 <= float(value) <= 1.0:
                raise ThemeFileError(f"{key!r} must be between 0 and 1")
            kwargs[key] = float(value)
    variables = data.get("variables", {})
    if not isinstance(variables, dict):
        raise ThemeFileError("'variables' must be a table")
    kwargs["variables"] = {key: _check_variable(key, value) for key, value in variables.items()}
    theme = Theme(**kwargs)
    try:
        # Derives every shade Textual will use; catches anything the checks above missed.
        theme.to_color_system().generate()
    except Exception as error:  # a theme must never take the app down
        raise ThemeFileError(f"colours could not be combined: {error}") from None
    return theme


def load_theme_file(path: Path) -> Theme:
    """Read and validate one theme file. Raises ``ThemeFileError`` naming the file."""
    try:
        try:
            raw = read_limited(path, _MAX_BYTES)  # no FIFO waits, no huge reads
        except ValueError as error:
            raise ThemeFileError(f"{path}: {error}") from None
        data = tomllib.loads(raw.decode("utf-8-sig"))
        return _theme_from_mapping(data)
    except RecursionError:  # tomllib recurses once per nesting level
        raise ThemeFileError(f"{path}: invalid TOML: nested too deeply") from None
    except ThemeFileError as error:
        if str(error).startswith(str(path)):
            raise
        raise ThemeFileError(f"{path}: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ThemeFileError(f"{path}: invalid TOML: {error}") from None
    except UnicodeDecodeError:
        raise ThemeFileError(f"{path}: not UTF-8 text") from None
    except OSError as error:
        raise ThemeFileError(f"{path}: cannot read: {error.strerror or error}") from None


def _load_folder(folder: Path, themes: dict[str, Theme], errors: list[str]) -> None:
    try:
        files = sorted(p for p in folder.glob("*.toml") if p.is_file())
    except OSError as error:
        errors.append(f"{folder}: cannot list themes: {error.strerror or error}")
        return
    for path in files:
        try:
            theme = load_theme_file(path)
        except ThemeFileError as error:
            errors.append(str(error))
            continue
        themes[theme.name] = theme


def load_themes(paths: Paths | None) -> tuple[list[Theme], list[str]]:
    """Bundled themes plus the user's (``paths.themes_dir``), and one error message
    per theme file that was skipped. User themes override bundled ones by name."""
    themes: dict[str, Theme] = {}
    errors: list[str] = []
    bundled = bundled_themes_dir()
    if bundled.is_dir():
        _load_folder(bundled, themes, errors)
    else:
        errors.append(f"{bundled}: bundled themes folder is missing")
    if paths is not None and paths.themes_dir.is_dir():
        _load_folder(paths.themes_dir, themes, errors)
    return list(themes.values()), errors

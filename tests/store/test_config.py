"""config.toml: defaults, strict validation with file/line/key, 0600/0700, keeping
what the user did not change, and never overwriting a broken file."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from aichat_tui.models import Profile
from aichat_tui.store import (
    ConfigError,
    Paths,
    SaveError,
    default_settings,
    load_settings,
    parse_cookie_header,
    save_settings,
)

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")

FULL = """\
# my settings
default_profile = "work"

[ui]
theme = "aichat-light"

[keys]
"app.quit" = "ctrl+q"

[profiles.work]
kind = "openai"
base_url = "https://api.example.com/v1"
model = "gpt-4o-mini"
temperature = 1
top_p = 0.9
timeout = 30.0
api_key_env = "WORK_KEY"
proxy = "socks5h://user:p%40ss@127.0.0.1:1080"

[profiles.chatgpt]
kind = "aichat"
base_url = "https://chat-gpt.org"
cookies = "session=abc123; cf_clearance=xyz789"

[profiles.other]
kind = "aichat"
base_url = "https://chat.example"

[profiles.other.cookies]
sid = "s3cr3t"
"""


def write(paths: Paths, text: str | bytes) -> None:
    data = text.encode("utf-8") if isinstance(text, str) else text
    paths.config_file.write_bytes(data)
    os.chmod(paths.config_file, 0o600)


def mode(path: os.PathLike[str]) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_missing_file_gives_working_defaults(app_dirs: Paths) -> None:
    settings = load_settings(app_dirs)
    assert not app_dirs.config_file.exists()
    profile = settings.profile()
    assert profile is not None and profile.name == "local" and profile.kind == "openai"
    assert profile.base_url == "http://127.0.0.1:8080/v1"
    assert settings.theme == "aichat-dark" and settings.keys == {}


def test_full_file_loads_every_field(app_dirs: Paths) -> None:
    write(app_dirs, FULL)
    settings = load_settings(app_dirs)
    assert settings.default_profile == "work" and settings.theme == "aichat-light"
    assert settings.keys == {"app.quit": "ctrl+q"}
    work = settings.profiles["work"]
    assert (work.kind, work.base_url, work.model) == (
        "openai",
        "https://api.example.com/v1",
        "gpt-4o-mini",
    )
    assert (work.temperature, work.top_p, work.timeout) == (1.0, 0.9, 30.0)
    assert isinstance(work.temperature, float)
    assert work.api_key_env == "WORK_KEY" and work.proxy.startswith("socks5h://")
    assert settings.profiles["chatgpt"].cookies == {"session": "abc123", "cf_clearance": "xyz789"}
    assert settings.profiles["other"].cookies == {"sid": "s3cr3t"}
    assert settings.warnings == []


@pytest.mark.parametrize(
    ("text", "line", "key"),
    [
        ('theme = "x"\n', 1, "theme"),
        ('[ui]\ntheme = "x"\ncolour = "red"\n', 3, "ui.colour"),
        ('[profiles.a]\nkind = "openai"\ntimeout = "slow"\n', 3, "profiles.a.timeout"),
        ('[profiles.a]\nkind = "gemini"\n', 2, "profiles.a.kind"),
        ('[profiles.a]\nkind = "openai"\n\n\ntemprature = 0.3\n', 5, "profiles.a.temprature"),
        ('[profiles.a]\nbase_url = "ftp://x"\n', 2, "profiles.a.base_url"),
        ("[profiles.a]\ntemperature = 7\n", 2, "profiles.a.temperature"),
        ("[profiles.a]\ntop_p = true\n", 2, "profiles.a.top_p"),
        ("[profiles.a.cookies]\nsid = 5\n", 2, "profiles.a.cookies.sid"),
        ("[profiles.a]\ncookies = 5\n", 2, "profiles.a.cookies"),
        ('default_profile = "nope"\n[profiles.a]\n', 1, "default_profile"),
        ('[keys]\n"app.quit" = 3\n', 2, "keys.app.quit"),
        ("profiles = 3\n", 1, "profiles"),
    ],
)
def test_schema_errors_name_file_line_and_key(
    app_dirs: Paths, text: str, line: int, key: str
) -> None:
    write(app_dirs, text)
    with pytest.raises(ConfigError) as caught:
        load_settings(app_dirs)
    error = caught.value
    assert error.path == app_dirs.config_file
    assert error.line == line
    assert error.key == key
    assert str(app_dirs.config_file) in str(error) and f"line {line}" in str(error)


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b'default_profile = "x\n', 1),
        (b"[ui]\ntheme = 1\ntheme = 2\n", 3),
        (b'[ui]\ntheme = "\xff"\n', 2),
        (b"keys = " + b"{a=" * 50_000, None),
    ],
)
def test_syntax_and_encoding_errors_give_the_line(app_dirs: Paths, data: bytes, line: int) -> None:
    write(app_dirs, data)
    with pytest.raises(ConfigError) as caught:
        load_settings(app_dirs)
    assert caught.value.line == line
    assert str(app_dirs.config_file) in str(caught.value)


def test_bom_is_accepted(app_dirs: Paths) -> None:
    write(app_dirs, b"\xef\xbb\xbf" + b'[ui]\ntheme = "aichat-ansi"\n')
    assert load_settings(app_dirs).theme == "aichat-ansi"


def test_error_messages_never_contain_setting_values(app_dirs: Paths) -> None:
    write(app_dirs, '[profiles.a]\napi_key = "sk-SECRETVALUE"\ntimeout = "sk-SECRET2"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(app_dirs)
    assert "SECRET" not in str(caught.value)


def test_broken_file_is_never_overwritten(app_dirs: Paths) -> None:
    broken = b'[profiles.a]\napi_key = "sk-keep"\ncookies = "sid=keep"\nkind = "openai\n'
    write(app_dirs, broken)
    with pytest.raises(ConfigError) as caught:
        load_settings(app_dirs)
    assert caught.value.line == 4
    with pytest.raises(ConfigError):
        save_settings(app_dirs, default_settings())
    assert app_dirs.config_file.read_bytes() == broken


@posix_only
def test_new_file_is_0600_in_a_0700_folder_and_stays_so(app_dirs: Paths) -> None:
    os.chmod(app_dirs.config_dir, 0o755)
    settings = load_settings(app_dirs)
    settings.profiles["local"].api_key = "sk-secret"
    save_settings(app_dirs, settings)
    assert mode(app_dirs.config_file) == 0o600
    assert mode(app_dirs.config_dir) == 0o700
    os.chmod(app_dirs.config_file, 0o644)
    loaded = load_settings(app_dirs)
    assert any("0644" in w and "chmod 600" in w for w in loaded.warnings)
    loaded.theme = "aichat-light"
    save_settings(app_dirs, loaded)
    assert mode(app_dirs.config_file) == 0o600
    assert load_settings(app_dirs).warnings == []


@posix_only
def test_unchanged_save_keeps_comments_but_fixes_mode(app_dirs: Paths) -> None:
    write(app_dirs, FULL)
    os.chmod(app_dirs.config_file, 0o640)
    save_settings(app_dirs, load_settings(app_dirs))
    assert app_dirs.config_file.read_text() == FULL
    assert mode(app_dirs.config_file) == 0o600


def test_saving_keeps_what_the_user_did_not_change(app_dirs: Paths) -> None:
    write(app_dirs, FULL)
    settings = load_settings(app_dirs)
    settings.profiles["work"].model = "gpt-4.1"
    settings.profiles["new"] = Profile(name="new", kind="openai", base_url="http://127.0.0.1:1/v1")
    del settings.profiles["other"]
    settings.profiles["chatgpt"].api_key = None
    save_settings(app_dirs, settings)
    text = app_dirs.config_file.read_text()
    # the cookie header string stays a string; the int temperature stays as written
    assert 'cookies = "session=abc123; cf_clearance=xyz789"' in text
    assert "temperature = 1\n" in text
    assert 'model = "gpt-4.1"' in text
    assert "[profiles.other" not in text
    # defaults the user never wrote are not added
    assert "top_p" not in text.split("[profiles.new]")[1]
    # key order of the work profile is kept
    work = text.split("[profiles.work]")[1].split("[profiles.")[0]
    keys = [line.split(" =")[0] for line in work.strip().splitlines()]
    assert keys == [
        "kind",
        "base_url",
        "model",
        "temperature",
        "top_p",
        "timeout",
        "api_key_env",
        "proxy",
    ]
    again = load_settings(app_dirs)
    assert again.profiles["work"].model == "gpt-4.1"
    assert set(again.profiles) == {"work", "chatgpt", "new"}
    assert again == settings


def test_round_trip_of_awkward_values(app_dirs: Paths) -> None:
    settings = load_settings(app_dirs)
    settings.profiles["weird name.with dot"] = Profile(
        name="weird name.with dot",
        kind="aichat",
        base_url="https://x.example",
        cookies={"a b": 'quote"back\\slash', "t": "tab\there"},
        proxy="",
        api_key='k"\\',
    )
    settings.keys = {"chat.send": "ctrl+enter", "app.quit": "ctrl+q"}
    settings.default_profile = "weird name.with dot"
    save_settings(app_dirs, settings)
    assert load_settings(app_dirs) == settings


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("a=b; c=d", {"a": "b", "c": "d"}),
        ("Cookie: a=b;c=d=e", {"a": "b", "c": "d=e"}),
        ('  sid="q v" ;; junk ; x= ', {"sid": "q v", "x": ""}),
        ("", {}),
    ],
)
def test_parse_cookie_header(header: str, expected: dict[str, str]) -> None:
    assert parse_cookie_header(header) == expected


def test_settings_that_would_not_load_back_are_refused(app_dirs: Paths) -> None:
    settings = load_settings(app_dirs)
    save_settings(app_dirs, settings)
    before = app_dirs.config_file.read_bytes()
    settings.default_profile = "deleted"
    with pytest.raises(ConfigError, match="default_profile"):
        save_settings(app_dirs, settings)
    settings.default_profile = "local"
    settings.profiles["local"].temperature = 9.0
    with pytest.raises(ConfigError, match="temperature"):
        save_settings(app_dirs, settings)
    assert app_dirs.config_file.read_bytes() == before


def test_unwritable_config_location_is_a_save_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    paths = Paths(config_dir=blocker / "config", data_dir=tmp_path / "data")
    with pytest.raises(SaveError, match="cannot create the folder"):
        save_settings(paths, default_settings())


def test_edits_made_by_hand_while_running_survive_a_save(app_dirs: Paths) -> None:
    write(app_dirs, FULL)
    settings = load_settings(app_dirs)  # the app's copy
    # meanwhile the user edits the file by hand
    edited = FULL.replace('model = "gpt-4o-mini"', 'model = "hand-model"') + (
        '\n[profiles.hand]\nkind = "openai"\nbase_url = "http://127.0.0.1:9/v1"\n'
    )
    write(app_dirs, edited)
    settings.theme = "aichat-ansi"  # the app changes something unrelated...
    del settings.profiles["other"]  # ...and deletes a profile it knew
    settings.profiles["chatgpt"].timeout = 5.0
    save_settings(app_dirs, settings)
    again = load_settings(app_dirs)
    assert again.theme == "aichat-ansi"
    assert again.profiles["work"].model == "hand-model"
    assert "hand" in again.profiles and "other" not in again.profiles
    assert again.profiles["chatgpt"].timeout == 5.0
    # a field changed on both sides: the save (the last writer) wins
    write(app_dirs, app_dirs.config_file.read_text().replace("timeout = 5.0", "timeout = 7.0"))
    again.profiles["chatgpt"].timeout = 9.0
    save_settings(app_dirs, again)
    assert load_settings(app_dirs).profiles["chatgpt"].timeout == 9.0

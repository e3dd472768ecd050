"""``[sync]`` in config.toml: validated strictly, written back unchanged."""

from __future__ import annotations

import pytest

from aichat_tui.store import ConfigError, Paths, load_settings, save_settings


def _write(paths: Paths, text: str) -> None:
    paths.ensure()
    paths.config_file.write_text(text)


def test_sync_settings_load_and_save(tmp_path) -> None:
    paths = Paths.resolve(tmp_path / "c", tmp_path / "d")
    _write(paths, '[sync]\nremote = "me@host:aichat.git"\nauto = true\n')
    settings = load_settings(paths)
    assert settings.sync.remote == "me@host:aichat.git" and settings.sync.auto is True
    settings.sync.auto = False
    save_settings(paths, settings)
    again = load_settings(paths)
    assert again.sync.remote == "me@host:aichat.git" and again.sync.auto is False


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[sync]\nremot = 'x'\n", "sync.remot"),
        ("[sync]\nauto = 'yes'\n", "must be true or false"),
        ("[sync]\nremote = 3\n", "must be a string"),
        ("sync = 1\n", "must be a table"),
    ],
)
def test_bad_sync_settings_are_named(tmp_path, text: str, fragment: str) -> None:
    paths = Paths.resolve(tmp_path / "c", tmp_path / "d")
    _write(paths, text)
    with pytest.raises(ConfigError) as caught:
        load_settings(paths)
    assert fragment in str(caught.value) and "line" in str(caught.value)

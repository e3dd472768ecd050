"""Locations: explicit folders > environment > platformdirs; folders 0700; and
the store never imports Textual or Rich."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import platformdirs
import pytest

from aichat_tui.store import CONFIG_ENV, DATA_ENV, Paths


def test_explicit_beats_environment_beats_platformdirs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    monkeypatch.delenv(DATA_ENV, raising=False)
    default = Paths.resolve()
    assert default.config_dir == Path(platformdirs.user_config_dir("aichat-tui", appauthor=False))
    assert default.data_dir == Path(platformdirs.user_data_dir("aichat-tui", appauthor=False))
    monkeypatch.setenv(CONFIG_ENV, str(tmp_path / "env-c"))
    monkeypatch.setenv(DATA_ENV, str(tmp_path / "env-d"))
    env = Paths.resolve()
    assert (env.config_dir, env.data_dir) == (tmp_path / "env-c", tmp_path / "env-d")
    explicit = Paths.resolve(tmp_path / "arg-c", str(tmp_path / "arg-d"))
    assert (explicit.config_dir, explicit.data_dir) == (tmp_path / "arg-c", tmp_path / "arg-d")
    monkeypatch.setenv(CONFIG_ENV, "  ")
    assert Paths.resolve().config_dir == default.config_dir


def test_derived_locations(app_dirs: Paths) -> None:
    assert app_dirs.config_file == app_dirs.config_dir / "config.toml"
    assert app_dirs.conversations_dir == app_dirs.data_dir / "conversations"
    assert app_dirs.trash_dir == app_dirs.data_dir / "trash"
    assert app_dirs.themes_dir == app_dirs.data_dir / "themes"
    for folder in (app_dirs.conversations_dir, app_dirs.trash_dir, app_dirs.themes_dir):
        assert folder.is_dir()


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_folders_are_private(tmp_path: Path) -> None:
    paths = Paths.resolve(tmp_path / "c", tmp_path / "d")
    paths.ensure()
    for folder in (paths.config_dir, paths.data_dir, paths.conversations_dir):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_store_does_not_import_textual_or_rich() -> None:
    code = (
        "import sys, aichat_tui.store, aichat_tui.store.export, aichat_tui.store.conversations;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr

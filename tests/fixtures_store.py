"""Temporary config/data folder fixtures (owned by the store work).

``app_dirs`` points the app at fresh temp folders through the same environment
variables a user would set (AICHAT_TUI_CONFIG_DIR / AICHAT_TUI_DATA_DIR) and
yields the resolved :class:`Paths`; ``store`` is a ConversationStore on them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from aichat_tui.store import CONFIG_ENV, DATA_ENV, ConversationStore, Paths


@pytest.fixture
def app_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Paths]:
    """Fresh config and data folders, exported through the environment overrides."""
    config_dir = tmp_path / "config"
    data_dir = tmp_path / "data"
    monkeypatch.setenv(CONFIG_ENV, str(config_dir))
    monkeypatch.setenv(DATA_ENV, str(data_dir))
    paths = Paths.resolve()
    assert paths.config_dir == config_dir and paths.data_dir == data_dir
    paths.ensure()
    yield paths


@pytest.fixture
def store(app_dirs: Paths) -> ConversationStore:
    """A ConversationStore on the temporary data folder."""
    return ConversationStore(app_dirs)

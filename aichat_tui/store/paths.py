"""Where aichat-tui keeps its files.

Resolution order for each folder: an explicit argument (the command-line
options), then the environment (``AICHAT_TUI_CONFIG_DIR``, ``AICHAT_TUI_DATA_DIR``;
the seam the tests use), then platformdirs for the app name ``aichat-tui``:

- Linux: config ``$XDG_CONFIG_HOME/aichat-tui`` (``~/.config/aichat-tui``),
  data ``$XDG_DATA_HOME/aichat-tui`` (``~/.local/share/aichat-tui``)
- macOS: both ``~/Library/Application Support/aichat-tui``
- Windows: both ``%LOCALAPPDATA%\\aichat-tui``
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "aichat-tui"
CONFIG_ENV = "AICHAT_TUI_CONFIG_DIR"
DATA_ENV = "AICHAT_TUI_DATA_DIR"


def _chosen(explicit: str | Path | None, env: str) -> Path | None:
    if explicit is not None and str(explicit) != "":
        return Path(explicit).expanduser()
    value = os.environ.get(env, "")
    if value.strip():
        return Path(value).expanduser()
    return None


@dataclass(frozen=True)
class Paths:
    """The two root folders and every file location derived from them."""

    config_dir: Path
    data_dir: Path

    @classmethod
    def resolve(
        cls, config_dir: str | Path | None = None, data_dir: str | Path | None = None
    ) -> Paths:
        """Explicit arguments, else the environment overrides, else platformdirs."""
        config = _chosen(config_dir, CONFIG_ENV) or Path(
            platformdirs.user_config_dir(APP_NAME, appauthor=False)
        )
        data = _chosen(data_dir, DATA_ENV) or Path(
            platformdirs.user_data_dir(APP_NAME, appauthor=False)
        )
        return cls(config_dir=config, data_dir=data)

    @property
    def config_file(self) -> Path:
        """``config.toml``: settings and profiles (holds secrets; mode 0600)."""
        return self.config_dir / "config.toml"

    @property
    def conversations_dir(self) -> Path:
        """One ``<id>.toml`` per conversation, plus partial-reply sidecars."""
        return self.data_dir / "conversations"

    @property
    def quarantine_dir(self) -> Path:
        """Conversation files that failed to load are moved here, never overwritten."""
        return self.conversations_dir / ".quarantine"

    @property
    def locks_dir(self) -> Path:
        """Lock files, one per conversation, taken while a process writes it."""
        return self.conversations_dir / ".locks"

    @property
    def trash_dir(self) -> Path:
        """Deleted conversations, restorable for 30 days."""
        return self.data_dir / "trash"

    @property
    def themes_dir(self) -> Path:
        """User themes, one TOML file each."""
        return self.data_dir / "themes"

    @property
    def index_file(self) -> Path:
        """The sidebar index: a rebuildable cache of titles, times and counts."""
        return self.data_dir / "index.json"

    @property
    def cache_dir(self) -> Path:
        """Rebuildable JSON copies of parsed conversations (``<id>.json``)."""
        return self.data_dir / "cache"

    def ensure(self) -> None:
        """Create every folder (mode 0700 for new ones; the config folder is
        tightened to 0700 because config.toml holds secrets)."""
        for folder in (
            self.config_dir,
            self.data_dir,
            self.conversations_dir,
            self.quarantine_dir,
            self.locks_dir,
            self.trash_dir,
            self.themes_dir,
        ):
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        _tighten(self.config_dir)


def folder_problem(exc: OSError, fallback: Path) -> str:
    """One line for a failure of :meth:`Paths.ensure`, the same for every caller
    (CLI and workspace): names the path in the way when a file sits where a
    folder must be, instead of a bare "File exists"."""
    where = Path(exc.filename) if exc.filename else fallback
    if isinstance(exc, FileExistsError | NotADirectoryError):
        blocker = where
        for candidate in (where, *where.parents):
            if candidate.exists() and not candidate.is_dir():
                blocker = candidate
                break
        what = "a file is in its place" if blocker == where else f"{blocker} is a file"
        return (
            f"cannot create the data folder {where}: {what}, not a folder; "
            "move it away or choose another --data-dir"
        )
    return f"cannot create the data folder {where}: {exc.strerror or exc}"


def _tighten(folder: Path) -> None:
    """chmod 0700 where the OS supports it (a no-op on Windows)."""
    if os.name == "posix":
        try:
            os.chmod(folder, 0o700)
        except OSError:
            pass

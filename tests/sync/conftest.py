"""Machines for the sync tests: each a config and a data folder of its own, all
syncing through one real bare git repository in a temp folder.

git's global and system configuration are shut out (a temp HOME), so that the
developer's own git settings cannot change what the tests see.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from aichat_tui.models import Conversation, Message
from aichat_tui.store import ConversationStore, Paths, load_settings
from aichat_tui.sync import SyncReport, init, sync

GIT = shutil.which("git")
pytestmark = pytest.mark.skipif(GIT is None, reason="git is not installed")


def git(*args: str, cwd: Path | None = None) -> str:
    """Run git in a test (failures fail the test)."""
    assert GIT is not None
    done = subprocess.run(
        [GIT, *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout


@dataclass
class Machine:
    """One machine's folders and its store (written through the store API, as the
    app does)."""

    name: str
    paths: Paths
    store: ConversationStore = field(init=False)

    def __post_init__(self) -> None:
        self.store = ConversationStore(self.paths)

    def init(self, remote: str | Path) -> SyncReport:
        return init(self.paths, load_settings(self.paths), str(remote))

    def sync(self) -> SyncReport:
        return sync(self.paths, load_settings(self.paths))

    def chat(self, conv: Conversation | str, *texts: str) -> Conversation:
        """Append a user message and a complete reply per text, then save."""
        if isinstance(conv, str):
            conv = self.store.load(conv)
        for text in texts:
            conv.messages.append(Message("user", text))
            conv.messages.append(Message("assistant", f"reply to {text}", status="complete"))
        self.store.save(conv)
        return conv

    def files(self) -> dict[str, bytes]:
        """Every synced file (conversations, trash, themes) and its bytes."""
        root = self.paths.data_dir
        return {
            str(p.relative_to(root)): p.read_bytes()
            for folder in ("conversations", "trash", "themes")
            for p in sorted((root / folder).glob("*.toml"))
        }

    def texts(self, conv_id: str) -> list[str]:
        return [m.content for m in self.store.load(conv_id).messages]


def cli_args(machine: Machine, *more: str) -> list[str]:
    """``aichat-tui sync`` arguments for a machine's folders."""
    paths = machine.paths
    return ["sync", "--config-dir", str(paths.config_dir), "--data-dir", str(paths.data_dir), *more]


@pytest.fixture(autouse=True)
def isolated_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No user or system git configuration; no prompts."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_SSH_COMMAND", "GIT_ASKPASS", "SSH_ASKPASS"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    """An empty bare repository: the remote every machine syncs with."""
    path = tmp_path / "remote.git"
    git("init", "-q", "--bare", str(path))
    return path


@pytest.fixture
def machines(tmp_path: Path) -> Iterator[tuple[Machine, Machine]]:
    """Two machines (``a`` and ``b``) with empty folders, not yet set up."""

    def make(name: str) -> Machine:
        return Machine(name, Paths.resolve(tmp_path / name / "config", tmp_path / name / "data"))

    yield make("a"), make("b")

"""The registered merge driver: a plain `git merge` run by hand merges conversation
files message by message, with no conflict markers (issue 15)."""

from __future__ import annotations

import subprocess
import sys

from aichat_tui.cli import main
from aichat_tui.models import Conversation, Message
from aichat_tui.store import schema
from tests.sync.conftest import git


def _conv(*texts: str, title: str = "t", conv_id: str = "c1") -> Conversation:
    conv = Conversation(id=conv_id, title=title)
    conv.messages = [Message("user", t, id=f"id-{t}") for t in texts]
    return conv


def test_git_merge_by_hand_uses_the_store_merge(machines, remote) -> None:
    a, b = machines
    conv = a.chat(a.store.create(), "base")
    a.init(remote)
    b.init(remote)
    a.chat(conv.id, "from a")
    b.chat(conv.id, "from b")
    a.sync()
    # b merges with plain git, as a user might
    git("commit", "-qam", "local", cwd=b.paths.data_dir)
    git("pull", "-q", "--no-rebase", "--no-edit", "origin", "main", cwd=b.paths.data_dir)
    text = (b.paths.conversations_dir / f"{conv.id}.toml").read_text()
    assert "<<<<<<<" not in text
    assert {"from a", "from b"} <= set(b.texts(conv.id))


def test_the_command_line_driver_merges_three_files(tmp_path, capsys) -> None:
    files = {
        "base": _conv("one"),
        "ours": _conv("one", "mine"),
        "theirs": _conv("one", "yours", title="renamed"),
    }
    for name, conv in files.items():
        (tmp_path / name).write_text(schema.dumps(conv))
    args = [str(tmp_path / n) for n in ("base", "ours", "theirs")] + ["conversations/c1.toml"]
    assert main(["sync", "--merge-driver", *args]) == 0
    merged = schema.loads((tmp_path / "ours").read_bytes(), tmp_path / "c1.toml")
    assert [m.content for m in merged.messages] == ["one", "yours", "mine"]
    assert merged.title == "renamed"  # only their side changed it


def test_the_python_entry_refuses_a_damaged_file_without_touching_ours(tmp_path) -> None:
    (tmp_path / "base").write_text(schema.dumps(_conv("one")))
    (tmp_path / "ours").write_text(schema.dumps(_conv("one", "mine")))
    (tmp_path / "theirs").write_text("<<<<<<< not toml")
    before = (tmp_path / "ours").read_bytes()
    done = subprocess.run(
        [sys.executable, "-m", "aichat_tui.sync.driver"]
        + [str(tmp_path / n) for n in ("base", "ours", "theirs")]
        + ["conversations/c1.toml"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1 and "conversations/c1.toml" in done.stderr
    assert (tmp_path / "ours").read_bytes() == before

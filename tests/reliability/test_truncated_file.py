"""A conversation file cut at a message boundary (issue 16, item 4).

Before: the header said ``message_count = 2``, one message parsed, nobody was told;
``sessions list`` said 2 (from the header) and ``show`` showed 1. Now the file is
reported as cut short, the original is kept in quarantine byte-exact, the file is
rewritten with what is there, and every reader agrees.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from aichat_tui.models import Conversation, Message
from aichat_tui.store import ConversationStore, Paths
from tests.reliability.helpers import run_cli


def cut_after_first_message(home: Path) -> tuple[Paths, str, bytes]:
    paths = Paths.resolve(config_dir=home / "config", data_dir=home / "data")
    store = ConversationStore(paths)
    conv = Conversation(title="Cut short")
    conv.messages = [
        Message("user", "first question"),
        Message("assistant", "the answer that will be lost", status="complete"),
    ]
    store.save(conv)
    path = store.path_of(conv.id)
    data = path.read_bytes()
    assert b"message_count = 2" in data
    second = data.index(b"[[messages]]", data.index(b"[[messages]]") + 1)
    cut = data[:second]
    path.write_bytes(cut)
    return paths, conv.id, cut


def test_cli_list_and_show_agree_and_say_it_was_cut(tmp_path: Path) -> None:
    paths, conv_id, original = cut_after_first_message(tmp_path)
    listed = run_cli(tmp_path, "sessions", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert '"message_count": 1' in listed.stdout
    assert "cut short: its header says 2 messages, 1 are there" in listed.stderr
    assert "original kept in" in listed.stderr
    shown = run_cli(tmp_path, "sessions", "show", conv_id[:8])
    assert shown.returncode == 0, shown.stderr
    assert "first question" in shown.stdout and "lost" not in shown.stdout
    kept = [p for p in paths.quarantine_dir.iterdir() if p.suffix == ".toml"]
    assert len(kept) == 1 and kept[0].read_bytes() == original
    note = kept[0].with_name(kept[0].name + ".error.txt")
    assert "cut short" in note.read_text()
    for path in (kept[0], note):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert b"message_count = 1" in (paths.conversations_dir / f"{conv_id}.toml").read_bytes()


def test_load_recovers_and_reports_once(tmp_path: Path) -> None:
    paths, conv_id, _ = cut_after_first_message(tmp_path)
    store = ConversationStore(paths)
    conv = store.load(conv_id)
    assert [m.content for m in conv.messages] == ["first question"]
    assert len(store.problems) == 1 and "cut short" in store.problems[0].message
    assert store.problems[0].moved_to is not None and store.problems[0].moved_to.exists()
    assert [s.message_count for s in store.list()] == [1]
    again = ConversationStore(paths)
    assert [len(again.load(conv_id).messages)] == [1] and again.problems == []
    conv.messages.append(Message("user", "a new question"))
    store.save(conv)  # saving after the recovery works and keeps what is there
    assert [m.content for m in ConversationStore(paths).load(conv_id).messages] == [
        "first question",
        "a new question",
    ]

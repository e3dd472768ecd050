"""Two instances on one data folder: appends from two processes all survive, a
held lock times out with a clear message, a killed holder leaves no stale lock,
and a file changed under an open conversation is merged, never overwritten."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aichat_tui.models import Message
from aichat_tui.store import ConversationStore, LockTimeout, Paths

REPO = Path(__file__).resolve().parents[2]
posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX signals")


def worker(paths: Paths, journal: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.store.crash_worker",
            args[0],
            str(paths.config_dir),
            str(paths.data_dir),
            str(journal),
            *args[1:],
        ],
        cwd=REPO,
    )


def wait_for(journal: Path, word: str, count: int = 1, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if journal.exists() and journal.read_text().split().count(word) >= count:
            return
        time.sleep(0.01)
    raise AssertionError(f"{word!r} x{count} not seen in the journal")


@pytest.mark.slow
def test_two_processes_appending_150_each_keep_all_300(store: ConversationStore) -> None:
    conv = store.create(title="shared")
    journal = store.paths.data_dir / "journal.txt"
    procs = [worker(store.paths, journal, "append", conv.id, "150") for _ in range(2)]
    for proc in procs:
        assert proc.wait(timeout=60) == 0
    loaded = ConversationStore(store.paths).load(conv.id)
    contents = [m.content for m in loaded.messages]
    assert len(contents) == 300 and len(set(contents)) == 300
    for proc in procs:  # each writer's messages are all there, in its own order
        mine = [c for c in contents if c.startswith(f"{proc.pid}-")]
        assert mine == [f"{proc.pid}-{i}" for i in range(150)]


@posix_only
def test_lock_held_too_long_times_out_without_losing_anything(app_dirs: Paths) -> None:
    store = ConversationStore(app_dirs, lock_timeout=0.3)
    conv = store.create(title="busy")
    before = store.path_of(conv.id).read_bytes()
    journal = app_dirs.data_dir / "journal.txt"
    proc = worker(app_dirs, journal, "hold-lock", conv.id)
    try:
        wait_for(journal, "locked")
        conv.messages.append(Message("user", "pending"))
        with pytest.raises(LockTimeout, match="another instance is writing"):
            store.save(conv)
        assert store.path_of(conv.id).read_bytes() == before
        assert conv.messages[-1].content == "pending"
    finally:
        proc.kill()
        proc.wait()
    # the holder died (SIGKILL): its lock went with it, no stale lock remains
    store.save(conv)
    assert store.load(conv.id).messages[-1].content == "pending"


@posix_only
def test_lock_of_a_killed_holder_is_free_at_once(app_dirs: Paths) -> None:
    store = ConversationStore(app_dirs, lock_timeout=0.0)
    conv = store.create(title="x")
    journal = app_dirs.data_dir / "journal.txt"
    proc = worker(app_dirs, journal, "hold-lock", conv.id)
    wait_for(journal, "locked")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert (app_dirs.locks_dir / f"{conv.id}.lock").exists()
    store.save(conv)  # timeout 0: one attempt, which succeeds


def test_file_changed_under_an_open_conversation_is_merged(app_dirs: Paths) -> None:
    one, two = ConversationStore(app_dirs), ConversationStore(app_dirs)
    created = one.create(title="shared")
    mine = one.load(created.id)
    mine.messages.append(Message("user", "from one"))
    one.save(mine)
    theirs = two.load(created.id)
    assert not one.changed_on_disk(mine)
    theirs.messages.append(Message("user", "from two"))
    two.save(theirs)
    assert one.changed_on_disk(mine)
    mine.messages.append(Message("user", "one again"))
    one.save(mine)
    assert [m.content for m in mine.messages] == ["from one", "from two", "one again"]
    assert [m.content for m in two.load(created.id).messages] == [
        "from one",
        "from two",
        "one again",
    ]


def test_merge_keeps_their_rename_and_our_deletion(app_dirs: Paths) -> None:
    one, two = ConversationStore(app_dirs), ConversationStore(app_dirs)
    conv = one.create(title="old title")
    conv.messages += [Message("user", "keep"), Message("user", "delete me")]
    one.save(conv)
    two.rename(conv.id, "new title")  # another instance renames it
    del conv.messages[1]  # we delete a message meanwhile
    conv.model = "our-model"
    one.save(conv)
    loaded = two.load(conv.id)
    assert loaded.title == "new title"  # we did not change the title: theirs wins
    assert loaded.model == "our-model"  # we changed the model: ours wins
    assert [m.content for m in loaded.messages] == ["keep"]


def test_merge_prefers_the_complete_or_longer_reply(app_dirs: Paths) -> None:
    one, two = ConversationStore(app_dirs), ConversationStore(app_dirs)
    conv = one.create()
    reply = Message("assistant", "partial", status="interrupted")
    conv.messages.append(reply)
    one.save(conv)
    other = two.load(conv.id)
    other.messages[0].content = "partial and the rest"
    other.messages[0].status = "complete"
    two.save(other)
    conv.title = "touched"
    one.save(conv)
    final = two.load(conv.id)
    assert (final.messages[0].content, final.messages[0].status) == (
        "partial and the rest",
        "complete",
    )
    assert final.title == "touched"


def test_a_conversation_saved_without_loading_merges_with_disk(app_dirs: Paths) -> None:
    one, two = ConversationStore(app_dirs), ConversationStore(app_dirs)
    conv = one.create()
    conv.messages.append(Message("user", "first"))
    one.save(conv)
    stranger = two.load(conv.id)
    stranger_copy = type(stranger)(**{**stranger.__dict__, "messages": []})
    stranger_copy.messages.append(Message("user", "second"))
    two.save(stranger_copy)  # an object two never loaded: nothing on disk is dropped
    assert [m.content for m in one.load(conv.id).messages] == ["first", "second"]
